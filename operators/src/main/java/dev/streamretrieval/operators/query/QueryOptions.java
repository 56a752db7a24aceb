package dev.streamretrieval.operators.query;

import java.io.Serializable;

/** Query-side options: defaults for k and how deep each shard looks. */
public class QueryOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** k when a query does not say (default 10). */
    public int defaultK = 10;

    /**
     * Each shard returns its best {@code max(k * shardDepthFactor, k + shardDepthMargin)} documents by its own
     * statistics; the gather re-scores them with collection-wide statistics and keeps k. Over-fetching keeps a
     * document whose global rank is within k but whose shard-local rank is slightly below k.
     */
    public int shardDepthFactor = 2;

    public int shardDepthMargin = 20;

    /** hybrid/full: per-shard BM25 and dense list depths. */
    public int bm25Depth = 100;
    public int denseDepth = 100;

    /** full: documents per query scored with MaxSim, over all shards. */
    public int maxSimDepth = 50;

    /**
     * colbert: centroid lists probed per query token, and candidates per shard kept by the centroid interaction for
     * exact MaxSim (PLAID's nprobe and ndocs; {@link dev.streamretrieval.operators.index.ColbertSearcher}). Chosen
     * with colbert-bench (README, colbert mode): the exact MaxSims dominate the cost, so candidates is the lever; a
     * shard keeps at least its depth (PlanQueries), so k = 100 scores 200 per shard whatever this says.
     */
    public int colbertNprobe = 2;
    public int colbertCandidates = 64;

    public QueryOptions() {}

    /**
     * MaxSim documents each shard scores: twice its even share of maxSimDepth (a shard may hold more than its
     * share of the best documents), at most maxSimDepth.
     */
    public int shardMaxSimDepth(int shards) {
        return Math.min(maxSimDepth, Math.max(1, (int) Math.ceil(2.0 * maxSimDepth / shards)));
    }

    public int shardDepth(int k) {
        return Math.max(k * shardDepthFactor, k + shardDepthMargin);
    }
}
