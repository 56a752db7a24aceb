package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.HeapKeyValueState;
import dev.streamretrieval.operators.index.state.KeyValueState;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.schemas.QueryMode;
import java.util.Arrays;
import java.util.List;

/**
 * The index of a shard as plain Java: applies index requests to the stores and answers shard queries with the
 * searchers. It holds no Flink types; {@link IndexAndSearchShards} backs its {@link Storage} with keyed state (one
 * instance serves every shard of a subtask, the state being scoped by the current key) and tests back it with heap
 * maps. Per-shard counters are the caller's: it passes the shard's {@link ShardCounters} and persists them.
 *
 * <p>Stores: {@link PostingStore}, {@link DocumentStore}, a {@link DenseIndex}, {@link TokenVectorStore}.
 * Searchers: {@link Bm25Searcher}, {@link DenseIndex#search}, {@link MaxSimScorer}; {@link Fusion} picks a full
 * query's MaxSim candidates.
 */
public final class ShardIndex {
    /** The key-value states the stores live in. */
    public record Storage(
            KeyValueState<String, TermInfo> terms,
            KeyValueState<String, byte[]> postingBlocks,
            KeyValueState<String, byte[]> postingBlockBounds,
            KeyValueState<String, DocEntry> docs,
            KeyValueState<Long, StoredDocument> documentStore,
            KeyValueState<Integer, byte[]> denseBlocks,
            KeyValueState<Long, byte[]> tokenVectors,
            ResidualStorage residual,
            IvfStorage ivf) {

        /** One shard's storage on the heap. */
        public static Storage onHeap() {
            return new Storage(new HeapKeyValueState<>(), new HeapKeyValueState<>(), new HeapKeyValueState<>(),
                    new HeapKeyValueState<>(), new HeapKeyValueState<>(), new HeapKeyValueState<>(),
                    new HeapKeyValueState<>(), ResidualStorage.onHeap(), IvfStorage.onHeap());
        }
    }

    /** What applying an index request did. */
    public enum Outcome {
        UPSERTED, DELETED, NOTHING_TO_DELETE, STALE_IGNORED
    }

    private final PostingStore postings;
    private final DocumentStore documents;
    /** Null when the job has no dense / token representations. */
    private final DenseIndex dense;
    private final TokenVectorStore tokens;
    /** The token store of a residual codec, which compresses against each shard's centroids; else null. */
    private final ResidualTokenStore residualTokens;
    private final Bm25Searcher bm25;
    private final MaxSimScorer maxSim;
    /** The colbert mode's searcher (residual codecs only), else null. */
    private final ColbertSearcher colbert;
    private final Fusion fusion;

    /** With the exact dense index. */
    public ShardIndex(Storage storage, Bm25 bm25, DenseCodec denseCodec, TokenCodec tokenCodec, Fusion fusion) {
        this(storage, bm25, denseCodec, tokenCodec, fusion, DenseIndexOptions.exact());
    }

    public ShardIndex(Storage storage, Bm25 bm25, DenseCodec denseCodec, TokenCodec tokenCodec, Fusion fusion,
            DenseIndexOptions denseIndex) {
        this(storage, bm25, denseCodec, tokenCodec, fusion, denseIndex, ResidualTokenStore.DEFAULT_TRAIN_TOKENS);
    }

    /** {@code tokenTrainTokens}: token vectors a shard collects before it trains its residual codebook. */
    public ShardIndex(Storage storage, Bm25 bm25, DenseCodec denseCodec, TokenCodec tokenCodec, Fusion fusion,
            DenseIndexOptions denseIndex, int tokenTrainTokens) {
        this.postings = new PostingStore(storage.terms(), storage.postingBlocks(), storage.postingBlockBounds());
        this.documents = new DocumentStore(storage.docs(), storage.documentStore());
        if (denseCodec == null) {
            this.dense = null;
        } else if (denseIndex.isIvf()) {
            this.dense = new IvfDenseIndex(storage.ivf(), denseCodec, denseIndex.nprobe, denseIndex.maxListSize);
        } else {
            this.dense = new ExactDenseIndex(storage.denseBlocks(), denseCodec, documents);
        }
        this.tokens = new TokenVectorStore(storage.tokenVectors());
        this.residualTokens = tokenCodec == null || tokenCodec.residualBits() == 0 ? null
                : new ResidualTokenStore(storage.tokenVectors(), storage.residual(), tokenCodec.residualBits(),
                        tokenTrainTokens);
        this.bm25 = new Bm25Searcher(postings, bm25);
        this.maxSim = tokenCodec == null ? null : new MaxSimScorer(tokens, residualTokens, tokenCodec);
        this.colbert = residualTokens == null ? null : new ColbertSearcher(residualTokens);
        this.fusion = fusion;
    }

    /**
     * Refuses the restored state of a shard whose dense vectors are held by the other kind of dense index (a
     * savepoint taken with a different {@code --dense-index}): searching it would silently miss every vector. The
     * exact index counts its blocks in {@link ShardCounters#denseBlocks}; the IVF index leaves that at 0.
     */
    public void checkDenseIndexKind(int shard, ShardCounters c) {
        if (dense == null || c.denseBytes == 0) {
            return;
        }
        boolean exactState = c.denseBlocks > 0;
        if (exactState != (dense instanceof ExactDenseIndex)) {
            throw new IllegalStateException("shard " + shard + " was indexed with --dense-index "
                    + (exactState ? "exact" : "ivf") + " but the job runs --dense-index "
                    + (exactState ? "ivf" : "exact") + ": restart with the savepoint's --dense-index, or re-index"
                    + " from the documents topic (see the README, Dense index)");
        }
    }

    // ---------------------------------------------------------------- indexing

    /** A record is stale when both it and the indexed entry carry versions and it is not newer. */
    static boolean isStale(DocEntry existing, Long incoming) {
        return existing != null && existing.version != null && incoming != null && incoming <= existing.version;
    }

    /** Applies an upsert or delete to shard {@code shard}, whose counters {@code c} it updates in place. */
    public Outcome apply(int shard, IndexRequest request, ShardCounters c) {
        postings.scope(shard);
        DocEntry existing = documents.entry(request.docId);
        if (isStale(existing, request.version)) {
            c.staleIgnored++;
            return Outcome.STALE_IGNORED;
        }
        if (existing != null && !existing.deleted) {
            remove(shard, existing, c);
        } else if (existing != null) {
            c.tombstones--;
        }
        if (request.op != DocumentOp.DELETE) {
            add(shard, request, c);
            c.upsertsApplied++;
            return Outcome.UPSERTED;
        }
        boolean deleted = existing != null && !existing.deleted;
        if (deleted) {
            c.deletesApplied++;
        }
        Long version = request.version != null ? request.version : existing == null ? null : existing.version;
        if (version != null) {
            // Remember the delete so that an older upsert delivered later cannot bring the document back.
            DocEntry tombstone = new DocEntry();
            tombstone.deleted = true;
            tombstone.version = version;
            documents.putEntry(request.docId, tombstone);
            c.tombstones++;
        } else if (existing != null) {
            // without a version a tombstone could never refuse anything: keeping it would only grow the state
            documents.removeEntry(request.docId);
        }
        return deleted ? Outcome.DELETED : Outcome.NOTHING_TO_DELETE;
    }

    private void add(int shard, IndexRequest r, ShardCounters c) {
        long ordinal = c.nextOrdinal++;
        DocEntry entry = new DocEntry();
        entry.version = r.version;
        entry.ordinal = ordinal;
        entry.length = r.length;
        entry.title = r.title;
        entry.terms = r.terms;
        entry.blocks = new int[r.terms.length];
        for (int i = 0; i < r.terms.length; i++) {
            entry.blocks[i] = postings.add(r.terms[i], ordinal, r.freqs[i], r.length, c);
        }
        if (r.dense != null && dense != null) {
            dense.add(shard, ordinal, r.dense, entry, c);
        }
        if (r.tokens != null && residualTokens != null) {
            residualTokens.add(shard, ordinal, r.tokens, c);
        } else if (r.tokens != null) {
            tokens.add(ordinal, r.tokens, c);
        }
        documents.putEntry(r.docId, entry);
        documents.add(shard, ordinal, new StoredDocument(r.docId, r.title, r.text, r.version), c);
        c.docCount++;
        c.totalLength += r.length;
        c.postings += r.terms.length;
    }

    private void remove(int shard, DocEntry entry, ShardCounters c) {
        for (int i = 0; i < entry.terms.length; i++) {
            postings.remove(entry.terms[i], entry.blocks[i], entry.ordinal, c, this::repointPostings);
        }
        if (dense != null) {
            dense.remove(shard, entry, c);
        }
        if (residualTokens != null) {
            residualTokens.remove(shard, entry.ordinal, c);
        } else {
            tokens.remove(entry.ordinal, c);
        }
        documents.remove(shard, entry.ordinal, c);
        c.docCount--;
        c.totalLength -= entry.length;
        c.postings -= entry.terms.length;
    }

    /** A posting block of {@code term} moved to slot {@code to}: the entries of its documents point there now. */
    private void repointPostings(String term, int to, PostingBlock block) {
        for (int i = 0; i < block.size(); i++) {
            DocEntry entry = documents.liveEntry(block.ordinal(i), "term '" + term + "'");
            for (int t = 0; t < entry.terms.length; t++) {
                if (entry.terms[t].equals(term)) {
                    entry.blocks[t] = to;
                }
            }
            documents.updateLiveEntry(block.ordinal(i), entry);
        }
    }

    // ---------------------------------------------------------------- searching

    /**
     * Runs a search query's mode over shard {@code shard} and fills the answer's candidates, document
     * frequencies and match count.
     */
    public void search(int shard, ShardQuery q, ShardCounters c, ShardHits hits) {
        postings.scope(shard);
        hits.docFreqs = new long[q.terms.length];
        switch (q.mode) {
            case BM25 -> {
                Bm25Searcher.Result r = bm25.search(q.terms, q.queryFreqs, q.shardDepth, c, hits.docFreqs);
                hits.matched = r.matches().size();
                long[] top = toArray(r.matches().top(q.shardDepth));
                hits.candidates = candidates(shard, top, r.matches(), null, q.terms.length);
            }
            case DENSE -> {
                DenseResult d = denseSearch(shard, q.denseVector, q.shardDepth, new long[0], c);
                hits.matched = d.scored();
                hits.candidates = candidates(shard, d.ordinals(), new Bm25Matches(q.terms.length, 0), d.scores(),
                        q.terms.length);
            }
            case COLBERT -> colbert(shard, q, c, hits);
            case HYBRID, FULL -> {
                Bm25Searcher.Result r = bm25.search(q.terms, q.queryFreqs, q.bm25Depth, c, hits.docFreqs);
                hits.matched = r.matches().size();
                hits.candidates = hybrid(shard, q, c, r, hits);
            }
        }
    }

    /**
     * A bm25-mode query answered by scoring every posting: the reference block-max search must equal (tests and
     * benchmarks compare the two).
     */
    public void searchBm25Exhaustively(int shard, ShardQuery q, ShardCounters c, ShardHits hits) {
        postings.scope(shard);
        hits.docFreqs = new long[q.terms.length];
        Bm25Searcher.Result r = bm25.searchExhaustive(q.terms, q.queryFreqs, c, hits.docFreqs);
        hits.matched = r.matches().size();
        hits.candidates = candidates(shard, toArray(r.matches().top(q.shardDepth)), r.matches(), null, q.terms.length);
    }

    /**
     * A bm25-mode query answered by block-max wherever it can skip, whatever the lists' length (the search above
     * keeps it for long lists): for the tests and measurements that compare it with exhaustive scoring.
     */
    public void searchBm25BlockMax(int shard, ShardQuery q, ShardCounters c, ShardHits hits) {
        postings.scope(shard);
        hits.docFreqs = new long[q.terms.length];
        Bm25Searcher.Result r = bm25.search(q.terms, q.queryFreqs, q.shardDepth, c, hits.docFreqs, 2);
        hits.matched = r.matches().size();
        hits.candidates = candidates(shard, toArray(r.matches().top(q.shardDepth)), r.matches(), null, q.terms.length);
    }

    /**
     * colbert mode: candidates from the shard's token centroid lists, ranked by MaxSim on the decompressed residuals
     * ({@link ColbertSearcher}); a job without a residual codec has no lists and answers nothing here (the planner
     * refuses the mode there).
     */
    private void colbert(int shard, ShardQuery q, ShardCounters c, ShardHits hits) {
        if (colbert == null || q.tokenVectors == null) {
            hits.candidates = new Candidate[0];
            return;
        }
        long start = System.nanoTime();
        ColbertSearcher.Result r = colbert.search(shard, q.tokenVectors, q.shardDepth,
                new ColbertSearcher.Params(Math.max(1, q.colbertNprobe), Math.max(1, q.colbertCandidates)));
        hits.maxSimMillis = (System.nanoTime() - start) / 1e6;
        hits.matched = r.probed();
        hits.candidates = candidates(shard, r.ordinals(), new Bm25Matches(q.terms.length, 0), null, q.terms.length);
        for (int i = 0; i < r.ordinals().length; i++) {
            hits.candidates[i].maxSimScore = r.scores()[i];
        }
    }

    /** {hits, misses} of the decoded posting-block cache. */
    public long[] postingCacheCounts() {
        return postings.cacheCounts();
    }

    private DenseResult denseSearch(int shard, float[] query, int k, long[] alsoScore, ShardCounters c) {
        return dense == null ? DenseResult.empty(alsoScore.length) : dense.search(shard, query, k, alsoScore, c);
    }

    /**
     * The union of the BM25 list (bm25Depth) and the dense list (denseDepth), BM25 list first, each candidate
     * marked with the lists it is in and scored by both; in full mode the best maxSimDepth of the union by
     * {@link Fusion} also get their MaxSim score and passage.
     */
    private Candidate[] hybrid(int shard, ShardQuery q, ShardCounters c, Bm25Searcher.Result bm25Result,
            ShardHits hits) {
        Bm25Matches matches = bm25Result.matches();
        long[] bm25List = toArray(matches.top(q.bm25Depth));
        DenseResult d = denseSearch(shard, q.denseVector, q.denseDepth, bm25List, c);
        for (long ordinal : d.ordinals()) {
            bm25Result.complete(ordinal); // the dense list's BM25 statistics, which block-max may have skipped
        }
        int m = bm25List.length;
        long[] union = Arrays.copyOf(bm25List, bm25List.length + d.ordinals().length);
        float[] denseScores = Arrays.copyOf(d.alsoScores(), union.length);
        int[] denseRanking = new int[d.ordinals().length];
        long[] sortedBm25 = bm25List.clone();
        Arrays.sort(sortedBm25);
        for (int r = 0; r < d.ordinals().length; r++) {
            long ordinal = d.ordinals()[r];
            int inBm25 = indexOf(bm25List, sortedBm25, ordinal);
            if (inBm25 >= 0) {
                denseRanking[r] = inBm25;
            } else {
                union[m] = ordinal;
                denseScores[m] = d.scores()[r];
                denseRanking[r] = m++;
            }
        }
        union = Arrays.copyOf(union, m);
        Candidate[] cands = candidates(shard, union, matches, Arrays.copyOf(denseScores, m), q.terms.length);
        for (int i = 0; i < bm25List.length; i++) {
            cands[i].inBm25List = true;
        }
        for (int i : denseRanking) {
            cands[i].inDenseList = true;
        }
        if (q.mode == QueryMode.FULL) {
            long maxSimStart = System.nanoTime();
            int[] bm25Ranking = new int[bm25List.length];
            Arrays.setAll(bm25Ranking, i -> i);
            scoreMaxSim(shard, q, union, cands, bm25Ranking, denseRanking);
            hits.maxSimMillis = (System.nanoTime() - maxSimStart) / 1e6;
        }
        return cands;
    }

    /** Position of {@code ordinal} in {@code list} (unsorted; {@code sorted} is its sorted copy), or -1. */
    private static int indexOf(long[] list, long[] sorted, long ordinal) {
        if (Arrays.binarySearch(sorted, ordinal) < 0) {
            return -1;
        }
        for (int i = 0; i < list.length; i++) {
            if (list[i] == ordinal) {
                return i;
            }
        }
        return -1;
    }

    /**
     * full mode: fuses this shard's BM25 and dense lists with the query's fusion method, and scores the best
     * {@code maxSimDepth} (ties by ordinal) with MaxSim over their stored token vectors, attaching their text for
     * the cross-encoder.
     */
    private void scoreMaxSim(int shard, ShardQuery q, long[] union, Candidate[] cands, int[] bm25Ranking, int[] denseRanking) {
        if (maxSim == null || q.tokenVectors == null) {
            return;
        }
        int m = union.length;
        double[] bm25Scores = new double[m];
        double[] denseScores = new double[m];
        for (int i = 0; i < m; i++) {
            bm25Scores[i] = cands[i].localScore;
            denseScores[i] = Float.isNaN(cands[i].denseScore) ? Double.NaN : cands[i].denseScore;
        }
        double[] fused = fusion.fuse(fusion.method(q.fusion), m, bm25Ranking, denseRanking, bm25Scores, denseScores);
        Integer[] order = new Integer[m];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> fused[a] != fused[b] ? Double.compare(fused[b], fused[a])
                : Long.compare(union[a], union[b]));
        TokenCodec.PreparedQuery prepared = TokenCodec.prepare(q.tokenVectors);
        for (int r = 0; r < Math.min(q.maxSimDepth, m); r++) {
            int i = order[r];
            cands[i].maxSimScore = maxSim.score(shard, prepared, union[i]);
            StoredDocument doc = documents.document(union[i]);
            cands[i].passage = Document.indexableText(doc.title, doc.text);
        }
    }

    /** Candidates for the given ordinals (in order), with BM25 statistics and dense scores where known. */
    private Candidate[] candidates(int shard, long[] ordinals, Bm25Matches matches, float[] denseScores,
            int termCount) {
        Candidate[] out = new Candidate[ordinals.length];
        for (int i = 0; i < out.length; i++) {
            long ordinal = ordinals[i];
            String[] ref = documents.idAndTitle(shard, ordinal);
            Candidate cand = new Candidate();
            cand.docId = ref[0];
            cand.title = ref[1];
            int slot = matches.find(ordinal);
            if (slot >= 0) {
                cand.length = matches.length(slot);
                cand.termFreqs = matches.termFreqs(slot);
                cand.localScore = matches.score(slot);
            } else {
                cand.termFreqs = new int[termCount];
            }
            if (denseScores != null) {
                cand.denseScore = denseScores[i];
            }
            out[i] = cand;
        }
        return out;
    }

    private static long[] toArray(List<Long> ordinals) {
        long[] out = new long[ordinals.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ordinals.get(i);
        }
        return out;
    }
}
