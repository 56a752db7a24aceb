package dev.streamretrieval.operators.index;

/** Per-shard collection statistics and counters, one value per shard key. */
public class ShardCounters {
    public long docCount;
    public long totalLength;
    public long postings;
    public long terms;
    public long tombstones;
    public long nextOrdinal;
    public long upsertsApplied;
    public long deletesApplied;
    public long staleIgnored;

    public ShardCounters() {}
}
