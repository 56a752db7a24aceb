package dev.streamretrieval.jobs.projection;

import dev.streamretrieval.jobs.evaluation.MetricSummary;
import dev.streamretrieval.operators.encoding.TokenProjection;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nDCG@10 of the job's modes over {@link QueryPools}, in process: bm25, dense, hybrid (RRF), hybrid-linear, and
 * full, whose MaxSim runs through the job's own path (the token projection when given, then the float16 token
 * codec and its MaxSim kernel). Full mode orders its MaxSim-scored pool by MaxSim and the rest in the job's
 * fusion order, as the gather does; {@link #maxSim} exposes the MaxSim scores for other combination rules.
 */
final class PoolEvaluation {
    static final String NDCG = "nDCG@10";

    private PoolEvaluation() {}

    /**
     * MaxSim of each query's full-mode pool (parallel to {@code Pool.maxSimPool}), for the queries in
     * {@code queries} (indices; others null). Each needed document is projected and encoded once.
     */
    static float[][] maxSim(QueryPools pools, TokenProjection projection, List<Integer> queries) {
        EncodedCollection c = pools.collection();
        TokenCodec codec = TokenCodec.FLOAT16;
        Map<Integer, byte[]> encoded = new HashMap<>();
        float[][] out = new float[pools.pools.length][];
        for (int qi : queries) {
            QueryPools.Pool p = pools.pools[qi];
            float[][] qRows = c.queryRows(qi);
            TokenCodec.PreparedQuery prepared = TokenCodec.prepare(projection == null ? qRows : projection.apply(qRows));
            out[qi] = new float[p.maxSimPool().length];
            for (int r = 0; r < p.maxSimPool().length; r++) {
                int doc = p.union()[p.maxSimPool()[r]];
                byte[] bytes = encoded.computeIfAbsent(doc, d -> {
                    float[][] rows = c.documentRows(d);
                    return codec.encode(projection == null ? rows : projection.apply(rows));
                });
                out[qi][r] = c.tokens(doc) == 0 ? Float.NaN : codec.maxSim(prepared, bytes);
            }
        }
        return out;
    }

    /** Every mode's rankings (query id → document ids) for {@code queries}; full mode from {@code maxSim}. */
    static Map<String, Map<String, List<String>>> rankings(QueryPools pools, float[][] maxSim, List<Integer> queries,
            boolean jobFusionIsRrf) {
        EncodedCollection c = pools.collection();
        List<Document> docs = c.collection().documents();
        List<Query> qs = c.collection().queries();
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        for (String mode : List.of("bm25", "dense", "hybrid", "hybrid-linear", "full")) {
            out.put(mode, new LinkedHashMap<>());
        }
        for (int qi : queries) {
            QueryPools.Pool p = pools.pools[qi];
            String id = qs.get(qi).id;
            out.get("bm25").put(id, ids(p.bm25List(), docs));
            out.get("dense").put(id, ids(p.denseList(), docs));
            out.get("hybrid").put(id, unionIds(p, QueryPools.orderBy(p.union(), p.rrf(), docs), docs));
            out.get("hybrid-linear").put(id, unionIds(p, QueryPools.orderBy(p.union(), p.linear(), docs), docs));
            if (maxSim != null && maxSim[qi] != null) {
                out.get("full").put(id, unionIds(p, fullOrder(p, maxSim[qi], jobFusionIsRrf ? p.rrf() : p.linear(),
                        docs), docs));
            }
        }
        if (maxSim == null) {
            out.remove("full");
        }
        return out;
    }

    /** The gather's full order: MaxSim-scored candidates by MaxSim, then the others in fusion order. */
    static int[] fullOrder(QueryPools.Pool p, float[] maxSim, double[] fused, List<Document> docs) {
        double[] key = new double[p.union().length];
        java.util.Arrays.fill(key, Double.NEGATIVE_INFINITY);
        for (int r = 0; r < p.maxSimPool().length; r++) {
            if (!Float.isNaN(maxSim[r])) {
                key[p.maxSimPool()[r]] = maxSim[r];
            }
        }
        int[] byMaxSim = QueryPools.orderBy(p.union(), key, docs);
        int[] byFusion = QueryPools.orderBy(p.union(), fused, docs);
        int[] out = new int[byMaxSim.length];
        int n = 0;
        for (int i : byMaxSim) {
            if (key[i] != Double.NEGATIVE_INFINITY) {
                out[n++] = i;
            }
        }
        for (int i : byFusion) {
            if (key[i] == Double.NEGATIVE_INFINITY) {
                out[n++] = i;
            }
        }
        return out;
    }

    /**
     * Candidate full-mode rules that combine MaxSim with the hybrid evidence instead of replacing it, over the
     * MaxSim-scored pool (the rest follows in fusion order, as now):
     * <ul>
     *   <li>linear: {@code w_b·mm(bm25) + w_d·mm(dense) + w_m·mm(maxsim)}, min-max over the pool (weights sum to 1);</li>
     *   <li>rrf3: {@code Σ 1/(60 + rank)} over the BM25, dense and MaxSim rankings of the pool.</li>
     * </ul>
     */
    static int[] combinedOrder(QueryPools.Pool p, float[] maxSim, double[] fused, List<Document> docs, double wb,
            double wd, boolean rrf3) {
        int n = p.maxSimPool().length;
        double[] b = new double[n];
        double[] d = new double[n];
        double[] m = new double[n];
        for (int r = 0; r < n; r++) {
            b[r] = p.bm25()[p.maxSimPool()[r]];
            d[r] = p.dense()[p.maxSimPool()[r]];
            m[r] = Float.isNaN(maxSim[r]) ? Double.NaN : maxSim[r];
        }
        double[] score = new double[n];
        if (rrf3) {
            for (double[] list : new double[][] {b, d, m}) {
                Integer[] order = new Integer[n];
                java.util.Arrays.setAll(order, i -> i);
                java.util.Arrays.sort(order, (x, y) -> Double.compare(value(list[y]), value(list[x])));
                for (int rank = 0; rank < n; rank++) {
                    score[order[rank]] += 1.0 / (60 + rank + 1);
                }
            }
        } else {
            double[] nb = minMax(b);
            double[] nd = minMax(d);
            double[] nm = minMax(m);
            for (int r = 0; r < n; r++) {
                score[r] = wb * nb[r] + wd * nd[r] + (1 - wb - wd) * nm[r];
            }
        }
        double[] key = new double[p.union().length];
        java.util.Arrays.fill(key, Double.NEGATIVE_INFINITY);
        for (int r = 0; r < n; r++) {
            key[p.maxSimPool()[r]] = score[r];
        }
        int[] byScore = QueryPools.orderBy(p.union(), key, docs);
        int[] byFusion = QueryPools.orderBy(p.union(), fused, docs);
        int[] out = new int[byScore.length];
        int k = 0;
        for (int i : byScore) {
            if (key[i] != Double.NEGATIVE_INFINITY) {
                out[k++] = i;
            }
        }
        for (int i : byFusion) {
            if (key[i] == Double.NEGATIVE_INFINITY) {
                out[k++] = i;
            }
        }
        return out;
    }

    private static double value(double x) {
        return Double.isNaN(x) ? Double.NEGATIVE_INFINITY : x;
    }

    private static double[] minMax(double[] x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Double.isNaN(x[i]) ? 0 : max > min ? (x[i] - min) / (max - min) : 1;
        }
        return out;
    }

    /** nDCG@10 of a combined rule over the given queries. */
    static double combinedNdcg(QueryPools pools, float[][] maxSim, List<Integer> queries, double wb, double wd,
            boolean rrf3, boolean jobFusionIsRrf) {
        EncodedCollection c = pools.collection();
        List<Document> docs = c.collection().documents();
        Map<String, List<String>> rankings = new LinkedHashMap<>();
        for (int qi : queries) {
            QueryPools.Pool p = pools.pools[qi];
            rankings.put(c.collection().queries().get(qi).id, unionIds(p, combinedOrder(p, maxSim[qi],
                    jobFusionIsRrf ? p.rrf() : p.linear(), docs, wb, wd, rrf3), docs));
        }
        return ndcg(rankings, c);
    }

    static List<String> ids(int[] docIndices, List<Document> docs) {
        List<String> out = new ArrayList<>(docIndices.length);
        for (int d : docIndices) {
            out.add(docs.get(d).id);
        }
        return out;
    }

    static List<String> unionIds(QueryPools.Pool p, int[] positions, List<Document> docs) {
        List<String> out = new ArrayList<>(positions.length);
        for (int i : positions) {
            out.add(docs.get(p.union()[i]).id);
        }
        return out;
    }

    /** Mean nDCG@10 over the judged queries among {@code rankings}. */
    static double ndcg(Map<String, List<String>> rankings, EncodedCollection c) {
        Map<String, Map<String, Integer>> judged = new HashMap<>();
        for (String q : rankings.keySet()) {
            judged.put(q, c.collection().qrels().judgments(q));
        }
        return MetricSummary.of(rankings, new dev.streamretrieval.jobs.evaluation.Qrels(judged)).get(NDCG);
    }
}
