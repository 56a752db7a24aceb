package dev.streamretrieval.operators.index;

/**
 * Per-shard metadata of one term: its document frequency and where its posting blocks end.
 * Blocks are numbered 0..blocks-1; only the last may be empty: a block emptied by removals in the middle of the
 * list is replaced by the last block, and all are dropped when the term's df reaches zero.
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
