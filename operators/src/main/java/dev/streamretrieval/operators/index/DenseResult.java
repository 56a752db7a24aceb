package dev.streamretrieval.operators.index;

/**
 * What a {@link DenseIndex} search returns, in primitive arrays: the best ordinals with their similarities (best
 * first), the similarities of the ordinals the caller also asked about (parallel to its array; NaN where a
 * document has no vector), and how many vectors were scored.
 */
public record DenseResult(long[] ordinals, float[] scores, float[] alsoScores, long scored) {
    public static DenseResult empty(int alsoScore) {
        float[] nan = new float[alsoScore];
        java.util.Arrays.fill(nan, Float.NaN);
        return new DenseResult(new long[0], new float[0], nan, 0);
    }
}
