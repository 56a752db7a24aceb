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
    /** Dense vector blocks written, and entries in the last one. */
    public int denseBlocks;
    public int lastDenseBlockSize;
    /** Bytes of stored dense vectors and token vectors (the codec payloads). */
    public long denseBytes;
    public long tokenBytes;
    public long tokenCount;
    /**
     * Re-trains of the shard's residual token codebook after drift ({@link ResidualTokenStore#retrain}); the first
     * training is not counted.
     */
    public long tokenCodebookRetrains;
    /** Bytes of the encoded posting blocks in the {@code posting-blocks} state (exact: every write adjusts it). */
    public long postingBytes;
    /** UTF-8 bytes of id, title and text of the documents in the {@code document-store} state. */
    public long storeBytes;

    public ShardCounters() {}

    /** A field-by-field copy. */
    public ShardCounters copy() {
        ShardCounters c = new ShardCounters();
        c.docCount = docCount;
        c.totalLength = totalLength;
        c.postings = postings;
        c.terms = terms;
        c.tombstones = tombstones;
        c.nextOrdinal = nextOrdinal;
        c.upsertsApplied = upsertsApplied;
        c.deletesApplied = deletesApplied;
        c.staleIgnored = staleIgnored;
        c.denseBlocks = denseBlocks;
        c.lastDenseBlockSize = lastDenseBlockSize;
        c.denseBytes = denseBytes;
        c.tokenBytes = tokenBytes;
        c.tokenCount = tokenCount;
        c.tokenCodebookRetrains = tokenCodebookRetrains;
        c.postingBytes = postingBytes;
        c.storeBytes = storeBytes;
        return c;
    }
}
