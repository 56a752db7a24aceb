package dev.streamretrieval.jobs.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** A set of measurements (ms, or any unit) with the summary statistics the bench reports. */
final class Samples {
    private double[] values = new double[16];
    private int size;

    synchronized void add(double v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    synchronized int size() {
        return size;
    }

    synchronized double[] sorted() {
        double[] s = Arrays.copyOf(values, size);
        Arrays.sort(s);
        return s;
    }

    /** Nearest-rank percentile (as EvalCommand), NaN when empty. */
    double percentile(double p) {
        return percentile(sorted(), p);
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    double mean() {
        double[] s = sorted();
        if (s.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return sum / s.length;
    }

    /** {n, p50, p95, p99, mean, max} rounded to 3 decimals. */
    Map<String, Object> summary() {
        double[] s = sorted();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", s.length);
        m.put("p50", round(percentile(s, 50)));
        m.put("p95", round(percentile(s, 95)));
        m.put("p99", round(percentile(s, 99)));
        m.put("mean", round(mean()));
        m.put("max", round(s.length == 0 ? Double.NaN : s[s.length - 1]));
        return m;
    }

    static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        return Math.round(v * 1000) / 1000.0;
    }
}
