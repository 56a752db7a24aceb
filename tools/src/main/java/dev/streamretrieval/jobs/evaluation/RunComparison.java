package dev.streamretrieval.jobs.evaluation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where two runs over the same queries differ: one metric per judged query for each run, the queries ordered by
 * how much the two values differ, with what differs in the rankings themselves (so that a difference can be
 * traced to the documents that cause it, e.g. two documents with equal scores in a different order).
 */
public final class RunComparison {
    private RunComparison() {}

    /**
     * One query's difference.
     *
     * @param a            the metric in run a
     * @param b            the metric in run b
     * @param firstDiffering the 1-based rank where the two rankings first hold different documents within the
     *                     first {@code depth}; 0 when they agree there
     * @param onlyInA      documents in a's first {@code depth} but not in b's, in a's order
     * @param onlyInB      documents in b's first {@code depth} but not in a's, in b's order
     */
    public record Row(String queryId, double a, double b, int firstDiffering, List<String> onlyInA,
            List<String> onlyInB) {
        public double diff() {
            return a - b;
        }
    }

    /**
     * Compares {@code metric} of two runs (query id → ranking in trec_eval order, see {@link TrecRun#rankings})
     * over every judged query with a relevant document, and returns the rows ordered by |a - b| descending, then
     * by first differing rank ascending (0 last), then by query id. Rows where both the metric and the first
     * {@code depth} documents agree are left out.
     *
     * @param cutoffs the cutoffs the metric names refer to (see {@link MetricSummary#names})
     */
    public static List<Row> compare(Map<String, List<String>> runA, Map<String, List<String>> runB, Qrels qrels,
            String metric, List<Integer> cutoffs, int depth) {
        if (!MetricSummary.names(cutoffs).contains(metric)) {
            throw new IllegalArgumentException("unknown metric '" + metric + "' for cutoffs " + cutoffs
                    + "; one of " + MetricSummary.names(cutoffs));
        }
        MetricSummary a = MetricSummary.of(runA, qrels, cutoffs);
        MetricSummary b = MetricSummary.of(runB, qrels, cutoffs);
        List<Row> rows = new ArrayList<>();
        for (String q : a.perQuery().keySet()) {
            List<String> ra = top(runA.get(q), depth);
            List<String> rb = top(runB.get(q), depth);
            int first = 0;
            for (int i = 0; i < Math.max(ra.size(), rb.size()); i++) {
                String x = i < ra.size() ? ra.get(i) : null;
                String y = i < rb.size() ? rb.get(i) : null;
                if (x == null || !x.equals(y)) {
                    first = i + 1;
                    break;
                }
            }
            double va = a.perQuery().get(q).get(metric);
            double vb = b.perQuery().get(q).get(metric);
            if (va == vb && first == 0) {
                continue;
            }
            rows.add(new Row(q, va, vb, first, minus(ra, rb), minus(rb, ra)));
        }
        rows.sort(Comparator.<Row>comparingDouble(r -> -Math.abs(r.diff()))
                .thenComparingInt(r -> r.firstDiffering() == 0 ? Integer.MAX_VALUE : r.firstDiffering())
                .thenComparing(Row::queryId));
        return rows;
    }

    private static List<String> top(List<String> ranking, int depth) {
        List<String> d = RankingMetrics.distinct(ranking);
        return d.subList(0, Math.min(depth, d.size()));
    }

    private static List<String> minus(List<String> x, List<String> y) {
        Set<String> out = new LinkedHashSet<>(x);
        y.forEach(out::remove);
        return List.copyOf(out);
    }
}
