package dev.streamretrieval.operators.gather;

import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.index.ShardCounters;
import dev.streamretrieval.schemas.Degradation;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;

/** The gather's state for one query request: what the shards have answered so far. */
public class PendingQuery {
    public String queryId;
    public QueryOp op;
    public QueryMode mode;
    public int k;
    public String[] terms = new String[0];
    public int[] queryFreqs = new int[0];
    public long receivedAt;
    public String text;
    public int bm25Depth;
    public int denseDepth;
    public String fusion;
    public int expected;
    /** Shard ids that answered, so a duplicate answer is not counted twice. */
    public int[] answeredShards = new int[0];
    public long docCount;
    public long totalLength;
    public long[] docFreqs = new long[0];
    public long matched;
    public double maxShardMillis;
    /** Stage timings (ms): summed shard search CPU, slowest shard's MaxSim, query encode. */
    public double shardCpuMillis;
    public double maxMaxSimMillis;
    public double encodeMillis;
    public Degradation[] degraded = new Degradation[0];
    public Candidate[] candidates = new Candidate[0];
    public ShardCounters totals;
    /** documents per shard, parallel to answeredShards (stats queries). */
    public long[] shardDocs = new long[0];
    /** The subtask that answered for each shard, parallel to answeredShards (stats queries). */
    public int[] shardSubtasks = new int[0];
    public boolean answered;
    public long timerAt;

    public PendingQuery() {}
}
