package dev.streamretrieval.operators.index;

import dev.streamretrieval.schemas.Degradation;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;

/**
 * One shard's answer to one query: its candidates and its share of the collection statistics (document count,
 * total length, document frequency of each query term). Summing these over shards gives exact collection-wide
 * BM25 statistics without a second round trip.
 */
public class ShardHits {
    public String requestId;
    public String queryId;
    public int shard;
    /** The shard operator's subtask that answered (0-based), for the placement shown in stats. */
    public int subtask;
    public int shardCount;
    public QueryOp op;
    public QueryMode mode;
    public int k;
    public String[] terms = new String[0];
    public int[] queryFreqs = new int[0];
    public long docCount;
    public long totalLength;
    public long[] docFreqs = new long[0];
    /**
     * Documents in this shard matching at least one term that the search scored: all of them unless block-max
     * skipped some (then a lower bound); for dense mode, the vectors scored.
     */
    public long matched;
    public Candidate[] candidates = new Candidate[0];
    public long receivedAt;
    public String text;
    public int bm25Depth;
    public int denseDepth;
    public String fusion;
    public double searchMillis;
    /** Thread CPU time of this shard's search (ms), MaxSim wall time within it (ms), and the query's encode time. */
    public double searchCpuMillis;
    public double maxSimMillis;
    public double encodeMillis;
    /** The query's failed stages, passed through to the gather (see {@code ShardQuery.degraded}). */
    public Degradation[] degraded = new Degradation[0];
    /** Filled for stats queries only. */
    public ShardCounters counters;

    public ShardHits() {}
}
