package dev.streamretrieval.schemas;

import java.io.Serializable;

/**
 * Size limits applied when decoding documents and queries. Anything over a limit goes to the dead-letter topic
 * with the limit named in the reason, instead of reaching (and slowing or crashing) the index.
 */
public class InputLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Largest document record value accepted, in bytes (default 1 MiB). */
    public int maxDocumentBytes = 1 << 20;

    /** Largest query record value accepted, in bytes (default 16 KiB). */
    public int maxQueryBytes = 16 * 1024;

    /** Longest query text accepted, in characters (default 4096). */
    public int maxQueryChars = 4096;

    /**
     * Most tokens a query text may have (default 1024), counted before analysis as runs of letters and digits, so
     * stop words count too: every query term costs a posting-list scan on every shard.
     */
    public int maxQueryTokens = 1024;

    /** Largest {@code k} a query may ask for (default 1000). */
    public int maxK = 1000;

    /** Longest document or query id accepted, in characters (default 512). */
    public int maxIdChars = 512;

    /** Deepest JSON nesting accepted (default 16); our messages need 1. */
    public int maxJsonDepth = 16;

    /**
     * Largest original value carried in a dead letter, in bytes (default 256 KiB); larger values are cut and
     * marked {@code value_truncated}, because base64 grows them by a third and Kafka refuses messages over
     * its size limit (1 MiB by default).
     */
    public int maxDeadLetterValueBytes = 256 * 1024;

    /**
     * Length a supplied {@code vector} must have: the job's dense dimension (the dense model's, or
     * {@code --vector-dimension}); 0 when the job keeps no dense vectors, which refuses every supplied vector. Set
     * by the job from its neural options, not an option of its own.
     */
    public int vectorDimension;

    public InputLimits() {}

    /** A copy with {@link #vectorDimension} set. */
    public InputLimits withVectorDimension(int dimension) {
        InputLimits copy = new InputLimits();
        copy.maxDocumentBytes = maxDocumentBytes;
        copy.maxQueryBytes = maxQueryBytes;
        copy.maxQueryChars = maxQueryChars;
        copy.maxQueryTokens = maxQueryTokens;
        copy.maxK = maxK;
        copy.maxIdChars = maxIdChars;
        copy.maxJsonDepth = maxJsonDepth;
        copy.maxDeadLetterValueBytes = maxDeadLetterValueBytes;
        copy.vectorDimension = dimension;
        return copy;
    }
}
