package dev.streamretrieval.operators.encoding.tokenizer;

/**
 * Result of {@link ModelTokenizer} encoding: parallel arrays of equal length, unpadded.
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
    /** 1 where the token was added by the tokenizer's post-processor or configuration ([CLS], [SEP], markers). */
    public final long[] specialTokensMask;

    public TokenizedText(long[] ids, long[] typeIds, long[] specialTokensMask) {
        if (ids.length != typeIds.length || ids.length != specialTokensMask.length) {
            throw new IllegalArgumentException("ids, typeIds and specialTokensMask must have the same length");
        }
        this.ids = ids;
        this.typeIds = typeIds;
        this.specialTokensMask = specialTokensMask;
        this.attentionMask = new long[ids.length];
        java.util.Arrays.fill(attentionMask, 1L);
    }

    /** Number of tokens (including special tokens, if any were added). */
    public int length() {
        return ids.length;
    }

    @Override
    public String toString() {
        return "TokenizedText" + java.util.Arrays.toString(ids);
    }
}
