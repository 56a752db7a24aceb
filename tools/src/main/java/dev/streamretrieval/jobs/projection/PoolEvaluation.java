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
