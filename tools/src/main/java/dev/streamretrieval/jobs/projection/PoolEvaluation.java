package dev.streamretrieval.jobs.projection;

import dev.streamretrieval.jobs.evaluation.MetricSummary;
import dev.streamretrieval.operators.encoding.TokenProjection;
import dev.streamretrieval.operators.scoring.Fusion;
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
 * codec and its MaxSim kernel). "full" here is MaxSim alone: the MaxSim-scored pool by MaxSim and the rest in
 * the job's fusion order, i.e. the gather with full-mode weights 0 and 0; {@link #combinedOrder} orders by the
 * job's combining rule ({@link Fusion#full}) with any weights, and by a rank fusion of the three.
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

    /** Full mode by MaxSim alone: the gather's order with full-mode weights 0 and 0. */
    static int[] fullOrder(QueryPools.Pool p, float[] maxSim, double[] fused, List<Document> docs) {
        return combinedOrder(p, maxSim, fused, docs, 0, 0, false);
    }

    /** The RRF of {@code rrf3}, with the usual k = 60. */
    private static final Fusion RRF60 = new Fusion("rrf", 60, 0.5);

    /**
     * Full-mode rules that combine MaxSim with the hybrid evidence instead of replacing it. The pool's
     * candidates with a MaxSim score come first, the rest follow in fusion order, as in the gather:
     * <ul>
     *   <li>linear: the job's rule, {@link Fusion#full} with weights {@code wb}, {@code wd} (MaxSim gets the rest)
     *       over the MaxSim-scored candidates, ties by document id ({@code ResultRanker.full});</li>
     *   <li>rrf3 (measured, not in the job): {@link Fusion#rrf} (k = 60) of their BM25, dense and MaxSim rankings.</li>
     * </ul>
     */
    static int[] combinedOrder(QueryPools.Pool p, float[] maxSim, double[] fused, List<Document> docs, double wb,
            double wd, boolean rrf3) {
        int[] scored = java.util.stream.IntStream.range(0, p.maxSimPool().length)
                .filter(r -> !Float.isNaN(maxSim[r])).toArray();
        int n = scored.length;
        double[] b = new double[n];
        double[] d = new double[n];
        double[] m = new double[n];
        for (int j = 0; j < n; j++) {
            b[j] = p.bm25()[p.maxSimPool()[scored[j]]];
            d[j] = p.dense()[p.maxSimPool()[scored[j]]];
            m[j] = maxSim[scored[j]];
        }
        double[] score = rrf3 ? RRF60.rrf(n, ranking(b), ranking(d), ranking(m)) : Fusion.full(n, b, d, m, wb, wd);
        double[] key = new double[p.union().length];
        java.util.Arrays.fill(key, Double.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j++) {
            key[p.maxSimPool()[scored[j]]] = score[j];
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

    /** Positions 0..n-1 by score descending (ties in position order). */
    private static int[] ranking(double[] score) {
        Integer[] order = new Integer[score.length];
        java.util.Arrays.setAll(order, i -> i);
        java.util.Arrays.sort(order, (x, y) -> Double.compare(score[y], score[x]));
        return java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray();
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
