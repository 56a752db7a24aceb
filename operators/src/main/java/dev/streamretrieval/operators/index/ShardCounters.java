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
    /** Bytes of the encoded posting blocks in the {@code posting-blocks} state (exact: every write adjusts it). */
    public long postingBytes;
    /** UTF-8 bytes of id, title and text of the documents in the {@code document-store} state. */
    public long storeBytes;

    public ShardCounters() {}
}
