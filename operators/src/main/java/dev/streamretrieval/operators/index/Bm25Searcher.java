package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.scoring.Bm25;
import java.util.Arrays;

/**
 * BM25 over a shard's {@link PostingStore} with the shard's own statistics ({@link Bm25} has the formula).
 *
 * <p>{@link #search} is block-max: the ordinal line is cut into windows (at most {@link #MAX_WINDOWS}); a window's
 * score bound is, summed over the query terms in query-term order, the largest bound
 * ({@link Bm25#termScoreBound} of its {@link BlockBounds}) of the term's blocks overlapping the window: each bounds
 * the float term scores of its postings and float addition is monotone, so no document of the window scores above
 * the window's bound. Windows are visited best
 * bound first, and the search stops at the first window whose bound is below the k-th best score so far, since none
 * of its documents could enter the top k (equal scores could, by ordinal, so equal bounds are still visited). Within
 * a window (MaxScore): the terms whose window bounds sum below the k-th score are non-essential; only documents
 * with an essential term are candidates, a candidate is dropped as soon as its essential scores plus the remaining
 * non-essential bounds fall below the k-th score (so non-essential blocks are read only for candidates that can
 * still make it), and a surviving candidate's score is summed exactly in query-term order. The top k — ids,
 * scores, term frequencies — is therefore the exhaustive search's, bit for bit. {@link #searchExhaustive} scores
 * every posting (the reference; the path for short lists, where skipping cannot pay, and for terms restored
 * without bounds).
 */
public final class Bm25Searcher {
    /**
     * Block-max is used when a query's postings in the shard exceed this many per result asked for; below it
     * nearly every matching document is scored anyway (the k-th score stays low until the lists are mostly read) and
     * the per-candidate bookkeeping costs more than it skips. Measured with Bm25CpuComparison (thread CPU per query,
     * posting cache warm, 8 shards, depth 200): on the shared collections, whose shards hold 170–1,400 documents,
     * block-max and exhaustive scoring cost about the same or block-max more (npl, many short documents: 1.4–1.7 vs
     * 0.6–0.9 ms); with more postings per result block-max reads fewer blocks — what dominates at scale, where
     * blocks come from RocksDB (README, Scale).
     */
    public static final long BLOCK_MAX_MIN_POSTINGS_PER_RESULT = 64;

    /** Windows of at least this many ordinals, and at most this many windows per query. */
    static final int MIN_WINDOW = 256;
    static final int MAX_WINDOWS = 512;

    private final PostingStore postings;
    private final Bm25 bm25;

    public Bm25Searcher(PostingStore postings, Bm25 bm25) {
        this.postings = postings;
        this.bm25 = bm25;
    }

    /** A search's matches, which the caller may complete with the statistics of other documents. */
    public final class Result {
        private final String[] terms;
        private final PostingStore.TermMeta[] metas;
        private final float[] weightedIdf;
        private final float avgLength;
        private final Bm25Matches matches;
        /** Per term, block numbers sorted by their ranges' start (block-max searches only). */
        private final int[][] byLo;
        /** Per term, the blocks the search decoded (block-max searches only): completions reuse them. */
        private final PostingBlock[][] fetched;
        private final boolean exhaustive;

        private Result(String[] terms, PostingStore.TermMeta[] metas, float[] weightedIdf, float avgLength,
                Bm25Matches matches, int[][] byLo, PostingBlock[][] fetched, boolean exhaustive) {
            this.terms = terms;
            this.metas = metas;
            this.weightedIdf = weightedIdf;
            this.avgLength = avgLength;
            this.matches = matches;
            this.byLo = byLo;
            this.fetched = fetched;
            this.exhaustive = exhaustive;
        }

        /** The scored documents: every document that can be in the top k, with exact scores and frequencies. */
        public Bm25Matches matches() {
            return matches;
        }

        /** Whether every posting was scored (then {@link Bm25Matches#size()} is the number of matching documents). */
        public boolean exhaustive() {
            return exhaustive;
        }

        /** Adds the exact BM25 statistics of {@code ordinal} to the matches when it contains a query term. */
        public void complete(long ordinal) {
            if (exhaustive || matches.find(ordinal) >= 0) {
                return;
            }
            for (int t = 0; t < terms.length; t++) {
                int j = covering(t, ordinal);
                if (j < 0) {
                    continue;
                }
                PostingBlock block = fetch(fetched, t, terms[t], byLo[t][j]);
                int i = block.lowerBound(ordinal);
                if (i < block.size() && block.ordinal(i) == ordinal) {
                    matches.add(ordinal, t, block.freq(i), block.length(i),
                            bm25.termScore(weightedIdf[t], block.freq(i), block.length(i), avgLength));
                }
            }
        }

        /** Index into {@code byLo[t]} of the block of term t whose range holds {@code ordinal}, or -1. */
        private int covering(int t, long ordinal) {
            if (metas[t] == null) {
                return -1;
            }
            BlockBounds b = metas[t].bounds();
            int[] order = byLo[t];
            int lo = 0;
            int hi = order.length - 1;
            int found = -1;
            while (lo <= hi) { // last block whose range starts at or before the ordinal
                int mid = (lo + hi) >>> 1;
                if (b.lo[order[mid]] <= ordinal) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found >= 0 && b.hi[order[found]] >= ordinal ? found : -1;
        }
    }

    /**
     * The top {@code depth} candidates of the query, block-max; fills {@code docFreqs} (parallel to {@code terms})
     * with the shard's document frequencies.
     */
    public Result search(String[] terms, int[] queryFreqs, int depth, ShardCounters c, long[] docFreqs) {
        return search(terms, queryFreqs, depth, c, docFreqs, BLOCK_MAX_MIN_POSTINGS_PER_RESULT);
    }

    /**
     * {@link #search} choosing block-max when the query's postings exceed {@code minPostingsPerResult} per result
     * ({@code 2} forces it wherever it can skip at all: for tests and measurements).
     */
    public Result search(String[] terms, int[] queryFreqs, int depth, ShardCounters c, long[] docFreqs,
            long minPostingsPerResult) {
        int n = terms.length;
        float avgLength = Bm25.averageLength(c.totalLength, c.docCount);
        PostingStore.TermMeta[] metas = new PostingStore.TermMeta[n];
        float[] weightedIdf = new float[n];
        boolean bounded = true;
        int blockCount = 0;
        long expected = 0;
        for (int t = 0; t < n; t++) {
            metas[t] = postings.meta(terms[t]);
            if (metas[t] != null) {
                TermInfo info = metas[t].info();
                docFreqs[t] = info.docFreq;
                expected += info.docFreq;
                weightedIdf[t] = queryFreqs[t] * Bm25.idf(info.docFreq, c.docCount);
                bounded &= metas[t].bounds() != null;
                blockCount += info.blocks;
            }
        }
        // Block-max pays only where it can skip much: not when every match fits in the top k, nor when the lists
        // are short (one block per term, or few postings per result); both paths are exact.
        if (!bounded || depth <= 0 || expected <= minPostingsPerResult * depth || blockCount <= n) {
            return new Result(terms, metas, weightedIdf, avgLength, exhaustive(terms, metas, weightedIdf, avgLength,
                    expected), null, null, true);
        }
        // per term: block numbers by range start; the ordinal range the query's blocks cover
        int[][] byLo = new int[n][];
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int t = 0; t < n; t++) {
            if (metas[t] == null) {
                byLo[t] = new int[0];
                continue;
            }
            BlockBounds b = metas[t].bounds();
            byLo[t] = sortedByLo(b);
            for (int j = 0; j < b.size(); j++) {
                first = Math.min(first, b.lo[j]);
                last = Math.max(last, b.hi[j]);
            }
        }
        // windows of `width` ordinals; per term and window the largest bound of the term's blocks overlapping it;
        // a window's bound sums those over the terms in query-term order (the order scores are summed in)
        long width = Math.max(MIN_WINDOW, (last - first) / MAX_WINDOWS + 1);
        int windows = (int) ((last - first) / width + 1);
        float[] windowBound = new float[windows];
        float[][] termBound = new float[n][windows];
        for (int t = 0; t < n; t++) {
            if (metas[t] == null) {
                continue;
            }
            BlockBounds b = metas[t].bounds();
            for (int j = 0; j < b.size(); j++) {
                if (b.hi[j] < b.lo[j]) {
                    continue; // an empty last block
                }
                float bound = bm25.termScoreBound(weightedIdf[t], b.maxFreq[j], b.minLengthPerFreq[j], avgLength);
                int to = (int) ((b.hi[j] - first) / width);
                for (int w = (int) ((b.lo[j] - first) / width); w <= to; w++) {
                    termBound[t][w] = Math.max(termBound[t][w], bound);
                }
            }
            for (int w = 0; w < windows; w++) {
                windowBound[w] += termBound[t][w];
            }
        }
        Bm25Matches matches = new Bm25Matches(n, Math.min(expected, 4L * depth + 1024));
        TopK top = new TopK(depth);
        boolean skipped = false;
        int span = (int) width;
        long[] candidates = new long[(span + 63) / 64];
        float[] partial = new float[span]; // essential terms' scores per window offset (any order: for pruning only)
        float[][] termScore = new float[n][span];
        int[][] termFreq = new int[n][span]; // 0 = the term is not in the document (or not looked up)
        int[] length = new int[span];
        int[] order = new int[n]; // terms by window bound ascending
        int[] blockAt = new int[n];
        int[] postingAt = new int[n];
        PostingBlock[] current = new PostingBlock[n];
        PostingBlock[][] fetched = new PostingBlock[n][]; // each block read from the store once per query
        for (int t = 0; t < n; t++) {
            fetched[t] = new PostingBlock[metas[t] == null ? 0 : metas[t].bounds().size()];
        }
        double margin = 1 + 1e-6 * n; // covers sums taken in another order than the exact score's
        for (int w : byBoundDescending(windowBound)) {
            if (windowBound[w] <= 0f) {
                break; // no block of any query term here
            }
            if (top.full() && Float.compare(windowBound[w], top.threshold()) < 0) {
                skipped = true;
                break;
            }
            long start = first + w * width;
            long end = start + width - 1;
            // MaxScore within the window: the terms of smallest bounds whose bounds sum below the k-th score are
            // non-essential: a document with none of the other terms cannot enter the top k, so only documents
            // with an essential term are candidates, and a candidate whose essential score plus the
            // non-essential bounds stays below the k-th score is dropped before its non-essential blocks are read.
            for (int i = 0; i < n; i++) {
                int t = i;
                float bt = termBound[t][w];
                int j = i - 1;
                while (j >= 0 && termBound[order[j]][w] > bt) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = t;
            }
            int nonEssential = 0;
            double nonEssentialBound = 0;
            if (top.full()) {
                while (nonEssential < n
                        && (nonEssentialBound + termBound[order[nonEssential]][w]) * margin < top.threshold()) {
                    nonEssentialBound += termBound[order[nonEssential]][w];
                    nonEssential++;
                }
            }
            skipped |= nonEssential > 0;
            for (int i = nonEssential; i < n; i++) {
                int t = order[i];
                if (metas[t] == null) {
                    continue;
                }
                BlockBounds b = metas[t].bounds();
                int[] byStart = byLo[t];
                for (int j = firstEndingFrom(b, byStart, start); j < byStart.length && b.lo[byStart[j]] <= end; j++) {
                    PostingBlock block = fetch(fetched, t, terms[t], byStart[j]);
                    for (int p = block.lowerBound(start); p < block.size() && block.ordinal(p) <= end; p++) {
                        int off = (int) (block.ordinal(p) - start);
                        float score = bm25.termScore(weightedIdf[t], block.freq(p), block.length(p), avgLength);
                        candidates[off >>> 6] |= 1L << off;
                        termScore[t][off] = score;
                        termFreq[t][off] = block.freq(p);
                        length[off] = block.length(p);
                        partial[off] += score;
                    }
                }
            }
            for (int i = 0; i < nonEssential; i++) {
                int t = order[i];
                blockAt[t] = metas[t] == null ? 0 : firstEndingFrom(metas[t].bounds(), byLo[t], start);
                postingAt[t] = 0;
                current[t] = null;
            }
            // candidates in ascending order; each non-essential term's postings are walked forward alongside
            for (int word = 0; word < candidates.length; word++) {
                for (long bits = candidates[word]; bits != 0; bits &= bits - 1) {
                    int off = (word << 6) + Long.numberOfTrailingZeros(bits);
                    long ordinal = start + off;
                    double reachable = partial[off] + nonEssentialBound;
                    // non-essential terms best bound first, dropping the candidate as soon as it cannot make the top k
                    for (int i = nonEssential - 1; i >= 0 && reachable * margin >= top.threshold(); i--) {
                        int t = order[i];
                        reachable -= termBound[t][w];
                        if (metas[t] == null || !lookUp(t, ordinal, metas[t].bounds(), byLo[t], blockAt, postingAt,
                                current, fetched, terms[t])) {
                            continue;
                        }
                        PostingBlock block = current[t];
                        int p = postingAt[t];
                        float score = bm25.termScore(weightedIdf[t], block.freq(p), block.length(p), avgLength);
                        termScore[t][off] = score;
                        termFreq[t][off] = block.freq(p);
                        reachable += score;
                    }
                    if (!top.full() || reachable * margin >= top.threshold()) {
                        float exact = 0f; // summed in query-term order, as the exhaustive search sums
                        for (int t = 0; t < n; t++) {
                            exact += termScore[t][off];
                        }
                        if (!top.full() || Float.compare(exact, top.threshold()) >= 0) {
                            for (int t = 0; t < n; t++) {
                                if (termFreq[t][off] != 0) {
                                    matches.add(ordinal, t, termFreq[t][off], length[off], termScore[t][off]);
                                }
                            }
                            top.offer(ordinal, exact);
                        } else {
                            skipped = true;
                        }
                    } else {
                        skipped = true;
                    }
                    for (int t = 0; t < n; t++) {
                        termScore[t][off] = 0f;
                        termFreq[t][off] = 0;
                    }
                    partial[off] = 0f;
                }
                candidates[word] = 0L;
            }
        }
        return new Result(terms, metas, weightedIdf, avgLength, matches, byLo, fetched, !skipped);
    }

    /** Every posting of every query term scored into the matches, term at a time. */
    public Result searchExhaustive(String[] terms, int[] queryFreqs, ShardCounters c, long[] docFreqs) {
        int n = terms.length;
        float avgLength = Bm25.averageLength(c.totalLength, c.docCount);
        PostingStore.TermMeta[] metas = new PostingStore.TermMeta[n];
        float[] weightedIdf = new float[n];
        long expected = 0;
        for (int t = 0; t < n; t++) {
            metas[t] = postings.meta(terms[t]);
            if (metas[t] != null) {
                docFreqs[t] = metas[t].info().docFreq;
                expected += metas[t].info().docFreq;
                weightedIdf[t] = queryFreqs[t] * Bm25.idf(metas[t].info().docFreq, c.docCount);
            }
        }
        return new Result(terms, metas, weightedIdf, avgLength, exhaustive(terms, metas, weightedIdf, avgLength,
                expected), null, null, true);
    }

    private Bm25Matches exhaustive(String[] terms, PostingStore.TermMeta[] metas, float[] weightedIdf,
            float avgLength, long expected) {
        Bm25Matches matches = new Bm25Matches(terms.length, expected);
        for (int t = 0; t < terms.length; t++) {
            if (metas[t] == null) {
                continue;
            }
            for (int b = 0; b < metas[t].info().blocks; b++) {
                PostingBlock block = postings.block(terms[t], b);
                for (int i = 0; i < block.size(); i++) {
                    matches.add(block.ordinal(i), t, block.freq(i), block.length(i),
                            bm25.termScore(weightedIdf[t], block.freq(i), block.length(i), avgLength));
                }
            }
        }
        return matches;
    }

    /**
     * Moves term t's cursor (block {@code blockAt[t]} by range start, posting {@code postingAt[t]}) forward to
     * {@code ordinal}, which is at or after the cursor; true when the term has a posting there ({@code current[t]}
     * then holds its block and {@code postingAt[t]} its index).
     */
    private boolean lookUp(int t, long ordinal, BlockBounds b, int[] byStart, int[] blockAt, int[] postingAt,
            PostingBlock[] current, PostingBlock[][] fetched, String term) {
        while (blockAt[t] < byStart.length && b.hi[byStart[blockAt[t]]] < ordinal) {
            blockAt[t]++;
            postingAt[t] = 0;
            current[t] = null;
        }
        if (blockAt[t] == byStart.length || b.lo[byStart[blockAt[t]]] > ordinal) {
            return false;
        }
        if (current[t] == null) {
            current[t] = fetch(fetched, t, term, byStart[blockAt[t]]);
            postingAt[t] = current[t].lowerBound(ordinal);
        }
        PostingBlock block = current[t];
        int i = postingAt[t];
        while (i < block.size() && block.ordinal(i) < ordinal) { // candidates ascend: walk forward
            i++;
        }
        postingAt[t] = i;
        return i < block.size() && block.ordinal(i) == ordinal;
    }

    private PostingBlock fetch(PostingBlock[][] fetched, int t, String term, int blockNo) {
        PostingBlock block = fetched[t][blockNo];
        if (block == null) {
            block = postings.block(term, blockNo);
            fetched[t][blockNo] = block;
        }
        return block;
    }

    /** Index into {@code order} of the first block (by range start) whose range ends at or after {@code ordinal}. */
    private static int firstEndingFrom(BlockBounds b, int[] order, long ordinal) {
        int lo = 0;
        int hi = order.length;
        while (lo < hi) { // ranges are disjoint, so their ends ascend with their starts
            int mid = (lo + hi) >>> 1;
            if (b.hi[order[mid]] < ordinal) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Block numbers of a term ordered by the start of their ranges. */
    private static int[] sortedByLo(BlockBounds b) {
        int size = b.size();
        boolean sorted = true;
        for (int j = 0; j < size; j++) {
            sorted &= j == 0 || b.lo[j] >= b.lo[j - 1];
        }
        int[] out = new int[size];
        if (sorted) {
            Arrays.setAll(out, j -> j);
            return out;
        }
        Integer[] order = new Integer[size];
        Arrays.setAll(order, j -> j);
        Arrays.sort(order, (x, y) -> Long.compare(b.lo[x], b.lo[y]));
        for (int j = 0; j < size; j++) {
            out[j] = order[j];
        }
        return out;
    }

    /** Segment indices by bound descending (one primitive sort of bound bits and index). */
    private static int[] byBoundDescending(float[] bounds) {
        long[] keys = new long[bounds.length];
        for (int s = 0; s < bounds.length; s++) {
            // bounds are >= 0, so their bits order as the floats do; negate for descending
            keys[s] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(bounds[s])) << 32) | s;
        }
        Arrays.sort(keys);
        int[] out = new int[bounds.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }
}
