package dev.streamretrieval.jobs.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * The exact dense top k of each query over the first {@code n} synthetic documents (dot product, as the job scores
 * unit vectors), by one pass that regenerates the vectors: the reference the job's dense index is measured
 * against (recall@k). One bounded min-heap of primitive arrays per query; no vector is kept.
 */
final class ExactNeighbours {
    private ExactNeighbours() {}

    /** Ids of the exact top {@code k} per query, in the order of {@code queries}. */
    static List<Set<String>> topK(ScaleCorpus corpus, long n, float[][] queries, int k, LongConsumer progress) {
        int q = queries.length;
        float[][] scores = new float[q][k];
        long[][] ids = new long[q][k];
        int[] size = new int[q];
        for (long i = 0; i < n; i++) {
            float[] v = corpus.vector(i);
            for (int j = 0; j < q; j++) {
                float s = dot(queries[j], v);
                if (size[j] < k) {
                    push(scores[j], ids[j], size[j]++, s, i);
                } else if (s > scores[j][0]) {
                    replaceMin(scores[j], ids[j], k, s, i);
                }
            }
            if (progress != null && (i + 1) % 100_000 == 0) {
                progress.accept(i + 1);
            }
        }
        List<Set<String>> out = new ArrayList<>(q);
        for (int j = 0; j < q; j++) {
            Set<String> set = new HashSet<>();
            for (int x = 0; x < size[j]; x++) {
                set.add(ScaleCorpus.id(ids[j][x]));
            }
            out.add(set);
        }
        return out;
    }

    static float dot(float[] a, float[] b) {
        float s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    /** Min-heap insert at position {@code at} (the heap holds {@code at} entries before). */
    private static void push(float[] s, long[] id, int at, float score, long doc) {
        int i = at;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (s[parent] <= score) {
                break;
            }
            s[i] = s[parent];
            id[i] = id[parent];
            i = parent;
        }
        s[i] = score;
        id[i] = doc;
    }

    /** Replaces the minimum (root) of a full heap of {@code k} entries and sifts down. */
    private static void replaceMin(float[] s, long[] id, int k, float score, long doc) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= k) {
                break;
            }
            if (child + 1 < k && s[child + 1] < s[child]) {
                child++;
            }
            if (s[child] >= score) {
                break;
            }
            s[i] = s[child];
            id[i] = id[child];
            i = child;
        }
        s[i] = score;
        id[i] = doc;
    }

    /** |found ∩ exact| / |exact|, averaged over queries (queries without an answer count 0). */
    static double recall(List<Set<String>> exact, List<List<String>> found) {
        double sum = 0;
        for (int j = 0; j < exact.size(); j++) {
            Set<String> e = exact.get(j);
            List<String> f = found.get(j);
            int hit = 0;
            for (String id : f == null ? List.<String>of() : f) {
                if (e.contains(id)) {
                    hit++;
                }
            }
            sum += e.isEmpty() ? 0 : hit / (double) e.size();
        }
        return exact.isEmpty() ? Double.NaN : sum / exact.size();
    }
}
