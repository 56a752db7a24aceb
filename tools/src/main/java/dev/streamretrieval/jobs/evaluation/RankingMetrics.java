package dev.streamretrieval.jobs.evaluation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Per-query ranking metrics, computed the way {@code trec_eval} computes them.
 *
 * <p>Every function takes one query's ranking (document ids, best first) and its judgments (document id →
 * grade). A document is relevant when its grade is ≥ 1; unjudged documents count as grade 0. A document id that
 * occurs more than once in a ranking counts only at its first occurrence (later copies are dropped before
 * ranks are assigned, so they neither earn credit nor take up a rank). A null ranking is treated as empty.
 * Ranks are 1-based; {@code rel(i)} below is 1 when the document at rank i is relevant, else 0, and
 * {@code R} is the number of relevant documents among the judgments.
 */
public final class RankingMetrics {
    private RankingMetrics() {}

    /** The ranking with repeated ids removed (first occurrence kept); null becomes empty. */
    public static List<String> distinct(List<String> ranking) {
        if (ranking == null) {
            return List.of();
        }
        return new ArrayList<>(new LinkedHashSet<>(ranking));
    }

    /** R: the number of judged documents with grade ≥ 1. */
    public static int relevantCount(Map<String, Integer> grades) {
        int r = 0;
        for (int g : grades.values()) {
            if (g >= 1) {
                r++;
            }
        }
        return r;
    }

    private static boolean relevant(Map<String, Integer> grades, String doc) {
        Integer g = grades.get(doc);
        return g != null && g >= 1;
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("cutoff k must be >= 1, got " + k);
        }
    }

    /** Number of relevant documents among the first k (after removing repeats). */
    private static int relevantInTop(List<String> distinct, Map<String, Integer> grades, int k) {
        int n = 0;
        for (int i = 0; i < Math.min(k, distinct.size()); i++) {
            if (relevant(grades, distinct.get(i))) {
                n++;
            }
        }
        return n;
    }

    /**
     * Success@k = 1 if any of the first k documents is relevant, else 0.
     */
    public static double successAt(List<String> ranking, Map<String, Integer> grades, int k) {
        checkK(k);
        return relevantInTop(distinct(ranking), grades, k) > 0 ? 1.0 : 0.0;
    }

    /**
     * RR@k = 1 / rank of the first relevant document if that rank is ≤ k, else 0 (its mean is MRR@k).
     */
    public static double reciprocalRankAt(List<String> ranking, Map<String, Integer> grades, int k) {
        checkK(k);
        List<String> d = distinct(ranking);
        for (int i = 0; i < Math.min(k, d.size()); i++) {
            if (relevant(grades, d.get(i))) {
                return 1.0 / (i + 1);
            }
        }
        return 0.0;
    }

    /**
     * P@k = (sum over i = 1..k of rel(i)) / k. The denominator is always k, even when fewer than k documents were
     * returned (trec_eval {@code P_k}).
     */
    public static double precisionAt(List<String> ranking, Map<String, Integer> grades, int k) {
        checkK(k);
        return relevantInTop(distinct(ranking), grades, k) / (double) k;
    }

    /**
     * R@k = (sum over i = 1..k of rel(i)) / R; 0 when R = 0 (trec_eval {@code recall_k}).
     */
    public static double recallAt(List<String> ranking, Map<String, Integer> grades, int k) {
        checkK(k);
        int r = relevantCount(grades);
        return r == 0 ? 0.0 : relevantInTop(distinct(ranking), grades, k) / (double) r;
    }

    /**
     * F1@k = 2 · P@k · R@k / (P@k + R@k); 0 when P@k + R@k = 0.
     */
    public static double f1At(List<String> ranking, Map<String, Integer> grades, int k) {
        double p = precisionAt(ranking, grades, k);
        double r = recallAt(ranking, grades, k);
        return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
    }

    /**
     * AP = (sum over every rank i of the whole ranking with rel(i) = 1 of P@i) / R; 0 when R = 0 (trec_eval
     * {@code map}). Relevant documents that are never retrieved contribute 0 but still count in R.
     */
    public static double averagePrecision(List<String> ranking, Map<String, Integer> grades) {
        int r = relevantCount(grades);
        if (r == 0) {
            return 0.0;
        }
        List<String> d = distinct(ranking);
        int hits = 0;
        double sum = 0;
        for (int i = 0; i < d.size(); i++) {
            if (relevant(grades, d.get(i))) {
                hits++;
                sum += hits / (double) (i + 1);
            }
        }
        return sum / r;
    }

    /**
     * nDCG@k = DCG@k / IDCG@k (trec_eval {@code ndcg_cut}), where
     *
     * <pre>
     *   DCG@k  = sum over i = 1..k of gain(doc at rank i) / log2(i + 1)
     *   IDCG@k = the same sum over the judged grades sorted in descending order, cut at k
     *   gain   = the document's grade (unjudged and negative grades count as 0)
     * </pre>
     *
     * 0 when IDCG@k = 0 (no document with a positive grade).
     */
    public static double ndcgAt(List<String> ranking, Map<String, Integer> grades, int k) {
        checkK(k);
        List<String> d = distinct(ranking);
        double dcg = 0;
        for (int i = 0; i < Math.min(k, d.size()); i++) {
            dcg += gain(grades.get(d.get(i))) / log2(i + 2);
        }
        double idcg = idealDcg(grades.values(), k);
        return idcg == 0 ? 0.0 : dcg / idcg;
    }

    private static double idealDcg(Collection<Integer> grades, int k) {
        int[] sorted = grades.stream().mapToInt(RankingMetrics::gain).filter(g -> g > 0).sorted().toArray();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, sorted.length); i++) {
            idcg += sorted[sorted.length - 1 - i] / log2(i + 2);
        }
        return idcg;
    }

    private static int gain(Integer grade) {
        return grade == null || grade < 0 ? 0 : grade;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
