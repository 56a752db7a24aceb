package dev.streamretrieval.operators.scoring;

import java.io.Serializable;
import org.apache.lucene.util.SmallFloat;

/**
 * Okapi BM25 as Lucene's {@code BM25Similarity} computes it (and therefore as Anserini reports it).
 *
 * <p>For a query term t and document d:
 *
 * <pre>
 *   idf(t)       = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
 *   score(t, d)  = idf(t) * tf(t,d) / (tf(t,d) + k1 * (1 - b + b * dl(d) / avgdl))
 *   score(q, d)  = sum over query tokens t of score(t, d)      (a term repeated in the query counts again)
 * </pre>
 *
 * where N is the number of documents, df(t) the number containing t, dl(d) the document's length in tokens and
 * avgdl the mean length. Lucene omits the constant factor (k1 + 1) of the textbook formula; it does not change
 * the ranking. With {@code luceneLengths} (the default), dl is rounded the way Lucene stores norms
 * ({@link SmallFloat#intToByte4}, about 4 significant bits), which keeps scores equal to Lucene's; with it off the
 * exact length is used.
 */
public class Bm25 implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float k1;
    private final float b;
    private final boolean luceneLengths;

    public Bm25(double k1, double b, boolean luceneLengths) {
        if (!(k1 >= 0) || Double.isInfinite(k1)) {
            throw new IllegalArgumentException("BM25 k1 must be a finite number >= 0, got " + k1);
        }
        if (!(b >= 0 && b <= 1)) {
            throw new IllegalArgumentException("BM25 b must be within [0, 1], got " + b);
        }
        this.k1 = (float) k1;
        this.b = (float) b;
        this.luceneLengths = luceneLengths;
    }

    public double k1() {
        return k1;
    }

    public double b() {
        return b;
    }

    /** idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)); never negative. */
    public static float idf(long docFreq, long docCount) {
        return (float) Math.log(1 + (docCount - docFreq + 0.5D) / (docFreq + 0.5D));
    }

    /** avgdl = total tokens / documents; 1 for an empty index (as Lucene does). */
    public static float averageLength(long totalLength, long docCount) {
        return docCount <= 0 ? 1f : (float) (totalLength / (double) docCount);
    }

    /** The length the formula uses: Lucene's stored-norm rounding, or the exact length. */
    public float effectiveLength(int length) {
        return luceneLengths ? SmallFloat.byte4ToInt(SmallFloat.intToByte4(length)) : length;
    }

    /**
     * The smallest length any setting scores a document of {@code length} tokens with: Lucene's norm rounding only
     * rounds down, so the rounded length (never above the exact one).
     */
    public static int smallestScoredLength(int length) {
        return Math.min(length, SmallFloat.byte4ToInt(SmallFloat.intToByte4(length)));
    }

    /**
     * An upper bound of {@link #termScore} over postings with {@code tf ≤ maxFreq} and
     * {@code smallestScoredLength(dl) / tf ≥ minLengthPerFreq}. Rewriting the formula as
     * <pre>
     *   score = w · tf / (tf + k1 · (1 − b + b · dl / avgdl)) = w / (1 + k1 · ((1 − b) / tf + b · (dl / tf) / avgdl))
     * </pre>
     * shows it grows with tf and shrinks with dl / tf, so
     * {@code w / (1 + k1 · ((1 − b) / maxFreq + b · minLengthPerFreq / avgdl))} bounds it. Computed in double, plus
     * a margin (10⁻⁶ relative and 10⁻⁶·w absolute) above the few float roundings of {@link #termScore}, whose
     * final subtraction can be off by a few ulps of w.
     */
    public float termScoreBound(float weightedIdf, int maxFreq, float minLengthPerFreq, float avgLength) {
        double w = weightedIdf;
        double bound = w / (1 + (double) k1 * ((1 - (double) b) / maxFreq + (double) b * minLengthPerFreq / avgLength));
        return Math.nextUp((float) (bound * (1 + 1e-6) + w * 1e-6));
    }

    /** score(t, d) for one term, given its idf (already multiplied by the query-side weight). */
    public float termScore(float weightedIdf, float tf, int docLength, float avgLength) {
        if (tf <= 0) {
            return 0f;
        }
        // Same float evaluation order as Lucene's BM25Scorer: weight - weight / (1 + freq * normInverse).
        float normInverse = 1f / (k1 * ((1 - b) + b * effectiveLength(docLength) / avgLength));
        return weightedIdf - weightedIdf / (1f + tf * normInverse);
    }
}
