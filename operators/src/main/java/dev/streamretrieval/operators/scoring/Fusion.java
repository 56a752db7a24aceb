package dev.streamretrieval.operators.scoring;

import java.io.Serializable;
import java.util.Locale;

/**
 * Fusion of a BM25 list and a dense list into one score per candidate, the single implementation used by the
 * shards (to choose their MaxSim candidates in full mode) and by the gather (to order hybrid results), and full
 * mode's combination of that evidence with MaxSim ({@link #full}), used by the gather and by the projection
 * trainer's evaluation, so the rule measured there is the job's.
 *
 * <ul>
 *   <li>RRF (Cormack et al. 2009): {@code fused(d) = Σ_lists 1 / (rrfK + rank_list(d))}, rank from 1; a
 *       candidate missing from a list gets nothing from it.</li>
 *   <li>Normalised linear: {@code fused(d) = w · mm(s_bm25(d)) + (1 − w) · mm(s_dense(d))} with min-max
 *       normalisation {@code mm(x) = (x − min) / (max − min)} over the candidates that have the score; a missing
 *       score (NaN) counts as the minimum (0); when all present scores are equal ({@code max = min}, e.g. one
 *       candidate) each counts as 1.</li>
 * </ul>
 * The caller breaks ties of the fused score (the shard by ordinal, the gather by document id).
 */
public final class Fusion implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Method {
        RRF, LINEAR;

        /** "rrf" or "linear" (any case). */
        public static Method parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "rrf" -> RRF;
                case "linear" -> LINEAR;
                default -> throw new IllegalArgumentException("unknown fusion '" + name + "' (rrf or linear)");
            };
        }

        /** The name results show the fused score under. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Method defaultMethod;
    private final int rrfK;
    private final double linearBm25Weight;

    public Fusion(String defaultMethod, int rrfK, double linearBm25Weight) {
        if (rrfK < 0) {
            throw new IllegalArgumentException("RRF k must be >= 0, got " + rrfK);
        }
        if (!(linearBm25Weight >= 0 && linearBm25Weight <= 1)) {
            throw new IllegalArgumentException("linear BM25 weight must be within [0, 1], got " + linearBm25Weight);
        }
        this.defaultMethod = Method.parse(defaultMethod);
        this.rrfK = rrfK;
        this.linearBm25Weight = linearBm25Weight;
    }

    /** The query's own method when it names one, else the job's. */
    public Method method(String override) {
        return override == null ? defaultMethod : Method.parse(override);
    }

    /**
     * Fused scores of {@code m} candidates. RRF reads the rankings (candidate indices, best first; null for a
     * missing list); linear reads the scores (per candidate, NaN where missing; null for a missing list).
     */
    public double[] fuse(Method method, int m, int[] bm25Ranking, int[] denseRanking, double[] bm25Scores,
            double[] denseScores) {
        return method == Method.LINEAR ? linear(m, bm25Scores, denseScores) : rrf(m, bm25Ranking, denseRanking);
    }

    /** RRF over the given rankings. */
    public double[] rrf(int m, int[]... rankings) {
        double[] fused = new double[m];
        for (int[] ranking : rankings) {
            if (ranking == null) {
                continue;
            }
            for (int r = 0; r < ranking.length; r++) {
                fused[ranking[r]] += 1.0 / (rrfK + r + 1);
            }
        }
        return fused;
    }

    /** Normalised linear fusion of two score arrays. */
    public double[] linear(int m, double[] bm25Scores, double[] denseScores) {
        return weightedMinMax(m, new double[][] {bm25Scores, denseScores},
                new double[] {linearBm25Weight, 1 - linearBm25Weight});
    }

    /**
     * Full mode's final score of the candidates that have a MaxSim score: MaxSim combined with the hybrid evidence
     * instead of replacing it,
     * <pre>full(d) = w_b · mm(bm25(d)) + w_d · mm(dense(d)) + (1 − w_b − w_d) · mm(maxsim(d))</pre>
     * with {@code mm} the min-max normalisation of {@link #linear} over the {@code m} candidates given (the caller
     * passes exactly the MaxSim-scored ones, so the range of each score is that of the candidates being ordered).
     * A missing score (NaN, e.g. a candidate whose document has no dense vector) counts as the minimum of its
     * evidence (0), as in linear fusion; a score equal for all candidates counts 1 for each, i.e.
     * it does not change the order. Min-max rather than ranks keeps the size of the gaps (a clear MaxSim winner
     * stays ahead), and the weights were chosen on the shared collections (README, "Full mode combining
     * evidence"). {@code w_b = w_d = 0} orders by MaxSim alone (min-max is increasing, so the order is MaxSim's).
     */
    public static double[] full(int m, double[] bm25Scores, double[] denseScores, double[] maxSimScores,
            double bm25Weight, double denseWeight) {
        checkFullWeights(bm25Weight, denseWeight);
        return weightedMinMax(m, new double[][] {bm25Scores, denseScores, maxSimScores},
                new double[] {bm25Weight, denseWeight, maxSimWeight(bm25Weight, denseWeight)});
    }

    /**
     * MaxSim's weight in {@link #full}: what BM25 and dense leave; 0 where they sum to 1 up to rounding (1 − 0.7 − 0.3
     * is 5.6e-17 in doubles), so that such weights really leave MaxSim out rather than breaking ties by it.
     */
    public static double maxSimWeight(double bm25Weight, double denseWeight) {
        double w = 1 - bm25Weight - denseWeight;
        return w < 1e-9 ? 0 : w;
    }

    /**
     * Refuses full-mode weights that are not a convex combination: each within [0, 1] and {@code w_b + w_d ≤ 1}
     * (with 1e-9 slack, so that 0.7 + 0.3 passes whatever its rounding).
     */
    public static void checkFullWeights(double bm25Weight, double denseWeight) {
        if (!(bm25Weight >= 0 && bm25Weight <= 1 && denseWeight >= 0 && denseWeight <= 1
                && bm25Weight + denseWeight <= 1 + 1e-9)) {
            throw new IllegalArgumentException("full-mode weights must each be within [0, 1] and sum to at most 1 "
                    + "(MaxSim gets 1 - bm25 - dense), got bm25 " + bm25Weight + ", dense " + denseWeight);
        }
    }

    /** {@code Σ_e weight_e · mm(scores_e(d))} per candidate; a null score array contributes 0. */
    private static double[] weightedMinMax(int m, double[][] scores, double[] weights) {
        double[] fused = new double[m];
        for (int e = 0; e < scores.length; e++) {
            double[] normalised = minMax(m, scores[e]);
            for (int i = 0; i < m; i++) {
                fused[i] += weights[e] * normalised[i];
            }
        }
        return fused;
    }

    /** (x − min) / (max − min) over the present values; NaN (missing) → 0; all present equal → 1. */
    static double[] minMax(int m, double[] x) {
        double[] out = new double[m];
        if (x == null) {
            return out;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        for (int i = 0; i < m; i++) {
            if (!Double.isNaN(x[i])) {
                out[i] = max > min ? (x[i] - min) / (max - min) : 1;
            }
        }
        return out;
    }
}
