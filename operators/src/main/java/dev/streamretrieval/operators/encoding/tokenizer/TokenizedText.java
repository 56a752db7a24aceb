package dev.streamretrieval.operators.encoding.tokenizer;

/**
 * Result of {@link WordPieceTokenizer} encoding: parallel arrays of equal length, unpadded.
 *
 * <p>{@link #attentionMask} is all ones (padding, if any, is the caller's job). The arrays are
 * exposed directly for speed; callers must treat them as read-only.
 */
public final class TokenizedText {
    /** Vocabulary ids. */
    public final long[] ids;
    /** Token type (segment) ids: 0 for the first sequence, 1 for the second of a pair. */
    public final long[] typeIds;
    /** All ones, same length as {@link #ids}. */
    public final long[] attentionMask;
    /** Token strings (wordpieces carry the continuing-subword prefix, e.g. {@code ##ing}). */
    public final String[] tokens;

    public TokenizedText(long[] ids, long[] typeIds, String[] tokens) {
        if (ids.length != typeIds.length || ids.length != tokens.length) {
            throw new IllegalArgumentException("ids, typeIds and tokens must have the same length");
        }
        this.ids = ids;
        this.typeIds = typeIds;
        this.tokens = tokens;
        this.attentionMask = new long[ids.length];
        java.util.Arrays.fill(attentionMask, 1L);
    }

    /** Number of tokens (including special tokens, if any were added). */
    public int length() {
        return ids.length;
    }

    @Override
    public String toString() {
        return "TokenizedText" + java.util.Arrays.toString(tokens);
    }
}
