package dev.streamretrieval.operators.index;

/**
 * Per-shard metadata of one term: its document frequency and where its posting blocks end.
 * Blocks are numbered 0..blocks-1; a block emptied by deletions stays (and is skipped) until the term's df
 * reaches zero, when all of them are dropped.
 */
public class TermInfo {
    /** Live documents containing the term in this shard. */
    public long docFreq;
    /** Number of blocks written so far. */
    public int blocks;
    /** Postings currently in the last block. */
    public int lastBlockSize;

    public TermInfo() {}
}
