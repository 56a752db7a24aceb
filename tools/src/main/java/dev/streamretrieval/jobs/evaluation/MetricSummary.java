package dev.streamretrieval.jobs.evaluation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Metrics averaged over the queries of a run, as {@code trec_eval -c} would: every query in the qrels with at
 * least one relevant document counts, and a query missing from the run scores 0 on every metric. Queries in the
 * run but not judged are ignored.
 */
public final class MetricSummary {
    /** The metric names, in the order {@link #metrics()} lists them. */
    public static final List<String> NAMES =
            List.of("nDCG@10", "Recall@100", "MRR@10", "MAP", "P@10", "R@10", "Success@10", "F1@10");

    private final Map<String, Double> metrics;
    private final Map<String, Map<String, Double>> perQuery;
    private final int queries;

    private MetricSummary(Map<String, Double> metrics, Map<String, Map<String, Double>> perQuery, int queries) {
        this.metrics = Collections.unmodifiableMap(metrics);
        this.perQuery = Collections.unmodifiableMap(perQuery);
        this.queries = queries;
    }

    /**
     * Averages each metric of {@link #NAMES} over the judged queries (those with ≥ 1 relevant document). With no
     * such query every mean is 0.
     *
     * @param rankings query id → ranked document ids, best first
     */
    public static MetricSummary of(Map<String, List<String>> rankings, Qrels qrels) {
        return summarize(rankings, qrels, MetricSummary::forQuery, NAMES);
    }

    /**
     * Like {@link #of(Map, Qrels)} with every @k metric at each of {@code cutoffs}: for each k in turn nDCG@k,
     * Recall@k, MRR@k, P@k, Success@k, F1@k, then MAP (which has no cutoff).
     */
    public static MetricSummary of(Map<String, List<String>> rankings, Qrels qrels, List<Integer> cutoffs) {
        return summarize(rankings, qrels, (r, g) -> forQuery(r, g, cutoffs), names(cutoffs));
    }

    /** The metric names {@link #of(Map, Qrels, List)} reports for {@code cutoffs}, in order. */
    public static List<String> names(List<Integer> cutoffs) {
        if (cutoffs.isEmpty()) {
            throw new IllegalArgumentException("at least one cutoff is needed");
        }
        List<String> names = new ArrayList<>();
        for (int k : cutoffs) {
            if (k < 1) {
                throw new IllegalArgumentException("cutoff k must be >= 1, got " + k);
            }
            for (String m : List.of("nDCG", "Recall", "MRR", "P", "Success", "F1")) {
                String name = m + "@" + k;
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
        }
        names.add("MAP");
        return names;
    }

    private interface PerQuery {
        Map<String, Double> of(List<String> ranking, Map<String, Integer> grades);
    }

    private static MetricSummary summarize(Map<String, List<String>> rankings, Qrels qrels, PerQuery metricsOf,
            List<String> names) {
        Map<String, Double> sums = new LinkedHashMap<>();
        for (String n : names) {
            sums.put(n, 0.0);
        }
        Map<String, Map<String, Double>> perQuery = new LinkedHashMap<>();
        int n = 0;
        for (String qid : qrels.queryIds()) {
            if (!qrels.hasRelevant(qid)) {
                continue;
            }
            n++;
            Map<String, Double> one = metricsOf.of(rankings.getOrDefault(qid, List.of()), qrels.judgments(qid));
            perQuery.put(qid, Collections.unmodifiableMap(one));
            one.forEach((name, value) -> sums.merge(name, value, Double::sum));
        }
        Map<String, Double> means = new LinkedHashMap<>();
        for (String name : names) {
            means.put(name, n == 0 ? 0.0 : sums.get(name) / n);
        }
        return new MetricSummary(means, perQuery, n);
    }

    /** The metrics of one query, keyed like {@link #NAMES}. */
    public static Map<String, Double> forQuery(List<String> ranking, Map<String, Integer> grades) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("nDCG@10", RankingMetrics.ndcgAt(ranking, grades, 10));
        m.put("Recall@100", RankingMetrics.recallAt(ranking, grades, 100));
        m.put("MRR@10", RankingMetrics.reciprocalRankAt(ranking, grades, 10));
        m.put("MAP", RankingMetrics.averagePrecision(ranking, grades));
        m.put("P@10", RankingMetrics.precisionAt(ranking, grades, 10));
        m.put("R@10", RankingMetrics.recallAt(ranking, grades, 10));
        m.put("Success@10", RankingMetrics.successAt(ranking, grades, 10));
        m.put("F1@10", RankingMetrics.f1At(ranking, grades, 10));
        return m;
    }

    /** The metrics of one query at {@code cutoffs}, keyed like {@link #names(List)}. */
    public static Map<String, Double> forQuery(List<String> ranking, Map<String, Integer> grades,
            List<Integer> cutoffs) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k : cutoffs) {
            m.put("nDCG@" + k, RankingMetrics.ndcgAt(ranking, grades, k));
            m.put("Recall@" + k, RankingMetrics.recallAt(ranking, grades, k));
            m.put("MRR@" + k, RankingMetrics.reciprocalRankAt(ranking, grades, k));
            m.put("P@" + k, RankingMetrics.precisionAt(ranking, grades, k));
            m.put("Success@" + k, RankingMetrics.successAt(ranking, grades, k));
            m.put("F1@" + k, RankingMetrics.f1At(ranking, grades, k));
        }
        m.put("MAP", RankingMetrics.averagePrecision(ranking, grades));
        return m;
    }

    /** Metric name → mean over {@link #queries()} queries, in the order of {@link #NAMES}. */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** One metric's mean; throws for a name this summary does not hold. */
    public double get(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown metric '" + name + "', expected one of " + metrics.keySet());
        }
        return v;
    }

    /** Number of queries averaged over. */
    public int queries() {
        return queries;
    }

    /** Query id → that query's metrics, for the queries averaged over. */
    public Map<String, Map<String, Double>> perQuery() {
        return perQuery;
    }

    /**
     * Mean agreement of two runs' top k: over every query id in either run,
     * {@code |top-k(a) ∩ top-k(b)| / max(1, min(k, max(|top-k(a)|, |top-k(b)|)))}, where top-k keeps the first k
     * distinct ids; a query where both top-k lists are empty (or missing) scores 1. 1 when neither run has a query.
     */
    public static double meanTopKOverlap(Map<String, List<String>> a, Map<String, List<String>> b, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("cutoff k must be >= 1, got " + k);
        }
        Set<String> ids = new LinkedHashSet<>(a.keySet());
        ids.addAll(b.keySet());
        if (ids.isEmpty()) {
            return 1.0;
        }
        double sum = 0;
        for (String q : ids) {
            Set<String> ta = topK(a.get(q), k);
            Set<String> tb = topK(b.get(q), k);
            if (ta.isEmpty() && tb.isEmpty()) {
                sum += 1.0;
                continue;
            }
            int common = 0;
            for (String d : ta) {
                if (tb.contains(d)) {
                    common++;
                }
            }
            sum += common / (double) Math.max(1, Math.min(k, Math.max(ta.size(), tb.size())));
        }
        return sum / ids.size();
    }

    private static Set<String> topK(List<String> ranking, int k) {
        Set<String> out = new LinkedHashSet<>();
        if (ranking != null) {
            for (String d : ranking) {
                if (out.size() == k) {
                    break;
                }
                out.add(d);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((name, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(name).append('=')
                .append(String.format(java.util.Locale.ROOT, "%.4f", v)));
        return sb.append("  (queries=").append(queries).append(')').toString();
    }
}
