package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.vectors.ResidualCodebook;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.util.Arrays;

/**
 * The colbert query mode on one shard: end-to-end late-interaction retrieval over the residual-compressed token
 * vectors, with no BM25 or dense candidates (PLAID, Santhanam et al. 2022):
 * <ol>
 *   <li><b>Centroid scores</b>: {@code S[i][c] = q_i · centroid_c} for every query token i and centroid c.</li>
 *   <li><b>Probe</b>: each query token's {@code nprobe} best centroids; the union of their
 *   {@link CentroidLists} is the candidate set.</li>
 *   <li><b>Centroid interaction</b> (PLAID's pruning): a candidate's approximate score is MaxSim with every token
 *   replaced by its centroid, {@code Σ_i max_{c ∈ C(d)} S[i][c]} over the document's distinct centroids C(d) (read
 *   from the lists' document records, 8 bytes per centroid, not from the token vectors); the best
 *   {@code candidates} survive.</li>
 *   <li><b>Exact</b>: the survivors get MaxSim on their decompressed residuals, the best {@code depth} are
 *   returned.</li>
 * </ol>
 * Documents still pending the shard's codebook (stored as float16) are few (at most the training tokens' worth)
 * and are all scored exactly, so a young shard answers completely. {@link #searchExhaustively} scores every
 * document exactly: the reference that recall is measured against.
 */
public final class ColbertSearcher {
    /** Per-shard parameters: lists probed per query token, candidates kept after the centroid interaction. */
    public record Params(int nprobe, int candidates) {
        public Params {
            if (nprobe < 1 || candidates < 1) {
                throw new IllegalArgumentException("colbert nprobe and candidates must be >= 1");
            }
        }
    }

    /** The best documents of a shard, by descending MaxSim (ties by ordinal), and how many were scored how. */
    public record Result(long[] ordinals, float[] scores, int probed, int exact) {}

    private final ResidualTokenStore store;

    public ColbertSearcher(ResidualTokenStore store) {
        this.store = store;
    }

    /** The documents a query scores exactly (centroid-interaction survivors, then pending), and how many were probed. */
    public record Selection(long[] ordinals, int probed) {}

    public Result search(int shard, float[][] queryTokens, int depth, Params params) {
        Selection sel = select(shard, queryTokens, params);
        return exact(shard, TokenCodec.prepare(queryTokens), sel.ordinals(), depth, sel.probed());
    }

    /**
     * Steps 1–3: the documents that get exact MaxSim. {@link #search} scores them; a benchmark that already knows
     * every document's exact score can rank them without scoring again.
     */
    public Selection select(int shard, float[][] queryTokens, Params params) {
        ResidualCodebook cb = store.codebook(shard);
        long[] pending = store.pendingOrdinals();
        if (cb == null || queryTokens.length == 0) {
            return new Selection(pending, 0);
        }
        CentroidLists lists = store.lists();
        float[][] s = cb.centroidScores(queryTokens);
        long[] cands = candidates(shard, lists, s, cb.centroids(), params.nprobe());
        float[] approx = centroidInteraction(lists, s, cb.centroids(), cands);
        long[] survivors = top(cands, approx, params.candidates());
        long[] scored = Arrays.copyOf(survivors, survivors.length + pending.length);
        System.arraycopy(pending, 0, scored, survivors.length, pending.length);
        return new Selection(scored, cands.length);
    }

    /**
     * The union of the lists of every query token's {@code nprobe} best centroids, ascending. A centroid several
     * query tokens probe is read once; the ordinals are gathered into one array, sorted and deduplicated (no boxed
     * set: at 10,000 documents per shard the union holds thousands).
     */
    private static long[] candidates(int shard, CentroidLists lists, float[][] s, int k, int nprobe) {
        boolean[] probe = new boolean[k];
        for (float[] si : s) {
            for (int c : best(si, nprobe)) {
                probe[c] = true;
            }
        }
        long[] all = new long[0];
        int n = 0;
        for (int c = 0; c < k; c++) {
            if (probe[c]) {
                long[] list = lists.list(shard, c);
                if (n + list.length > all.length) {
                    all = Arrays.copyOf(all, Math.max(2 * all.length, n + list.length));
                }
                System.arraycopy(list, 0, all, n, list.length);
                n += list.length;
            }
        }
        Arrays.sort(all, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || all[i] != all[distinct - 1]) {
                all[distinct++] = all[i];
            }
        }
        return Arrays.copyOf(all, distinct);
    }

    /**
     * PLAID's centroid interaction: {@code Σ_i max_{c ∈ C(d)} S[i][c]} per candidate d. S is transposed first
     * ({@code [centroid][query token]}), so that a document's centroid adds one contiguous row to the running
     * per-token maxima (the inner loop runs over query tokens and vectorises); the sum over tokens is then taken in
     * token order, so the scores are the same floats as summing token by token.
     */
    private static float[] centroidInteraction(CentroidLists lists, float[][] s, int k, long[] cands) {
        int nq = s.length;
        float[] byCentroid = new float[k * nq];
        for (int i = 0; i < nq; i++) {
            for (int c = 0; c < k; c++) {
                byCentroid[c * nq + i] = s[i][c];
            }
        }
        float[] approx = new float[cands.length];
        float[] max = new float[nq];
        int[] centroids = new int[0];
        for (int d = 0; d < cands.length; d++) {
            centroids = lists.centroidsOf(cands[d], centroids);
            int m = lists.lastCount();
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < m; j++) {
                int row = centroids[j] * nq;
                for (int i = 0; i < nq; i++) {
                    max[i] = Math.max(max[i], byCentroid[row + i]);
                }
            }
            float total = 0;
            for (int i = 0; i < nq; i++) {
                total += max[i];
            }
            approx[d] = total;
        }
        return approx;
    }

    /** Every document of the shard scored exactly (the reference for recall). */
    public Result searchExhaustively(int shard, float[][] queryTokens, int depth) {
        long[] listed = store.lists().allOrdinals(shard);
        long[] pending = store.pendingOrdinals();
        long[] all = Arrays.copyOf(listed, listed.length + pending.length);
        System.arraycopy(pending, 0, all, listed.length, pending.length);
        return exact(shard, TokenCodec.prepare(queryTokens), all, depth, all.length);
    }

    private Result exact(int shard, TokenCodec.PreparedQuery pq, long[] ordinals, int depth, int probed) {
        float[] scores = new float[ordinals.length];
        for (int i = 0; i < ordinals.length; i++) {
            float v = store.maxSim(shard, pq, ordinals[i]);
            scores[i] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
        }
        Integer[] order = order(ordinals, scores);
        int n = Math.min(depth, ordinals.length);
        long[] outO = new long[n];
        float[] outS = new float[n];
        for (int r = 0; r < n; r++) {
            outO[r] = ordinals[order[r]];
            outS[r] = scores[order[r]];
        }
        return new Result(outO, outS, probed, ordinals.length);
    }

    /** Indices by descending score, ties by ascending ordinal. */
    private static Integer[] order(long[] ordinals, float[] scores) {
        Integer[] order = new Integer[ordinals.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a])
                : Long.compare(ordinals[a], ordinals[b]));
        return order;
    }

    /**
     * The n best of ascending ordinals by descending score, ties by ascending ordinal (so by index), in that order:
     * one primitive sort of (score, index) keys instead of a sort of boxed indices.
     */
    static long[] top(long[] ordinals, float[] scores, int n) {
        if (ordinals.length <= n) {
            return ordinals;
        }
        long[] keys = new long[ordinals.length];
        for (int i = 0; i < keys.length; i++) {
            int bits = Float.floatToIntBits(scores[i] + 0f); // + 0f: −0 equals 0, as in the comparison
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // orders as Float.compare does
            keys[i] = ((long) ~sortable << 32) | i; // ~: descending score; then ascending index
        }
        Arrays.sort(keys);
        long[] out = new long[n];
        for (int r = 0; r < n; r++) {
            out[r] = ordinals[(int) keys[r]];
        }
        return out;
    }

    /** The indices of the n largest values (ties: lower index). */
    static int[] best(float[] values, int n) {
        n = Math.min(n, values.length);
        int[] idx = new int[n];
        float[] val = new float[n];
        int size = 0;
        for (int c = 0; c < values.length; c++) {
            float v = values[c];
            if (size == n && v <= val[size - 1]) {
                continue;
            }
            int at = size == n ? n - 1 : size++;
            while (at > 0 && val[at - 1] < v) {
                val[at] = val[at - 1];
                idx[at] = idx[at - 1];
                at--;
            }
            val[at] = v;
            idx[at] = c;
        }
        return idx;
    }
}
