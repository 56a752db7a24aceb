package dev.streamretrieval.operators.index;

/**
 * Per-shard metadata of one term: its document frequency, where its posting blocks end, and the score-bound parts
 * of its last block (those of the other blocks are in {@link BlockBounds}).
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
    /**
     * True when the term keeps {@link BlockBounds} (every term created by this version). A term restored from an
     * older state has none and is scored exhaustively.
     */
    public boolean bounded;
    /**
     * Whether the last block holds the term's highest ordinals, so an append keeps the blocks' ordinal ranges
     * disjoint; after a block move it may not, and the next append opens a new block.
     */
    public boolean lastIsTop;
    /** Bound parts of the last block: ordinal range, largest tf, smallest length per occurrence ({@link BlockBounds}). */
    public long lastLo;
    public long lastHi;
    public int lastMaxFreq;
    public float lastMinLengthPerFreq;

    public TermInfo() {}
}
