package dev.streamretrieval.jobs.projection;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.evaluation.InMemoryShards;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each judged query's candidates as the job forms them on one shard, computed once per collection from the
 * encoded collection (no projection involved): the BM25 list (the job's own BM25 over the collection, top
 * {@code --bm25-depth}), the dense list (cosine over every document, top {@code --dense-depth}), their union with
 * both scores, the RRF and linear fusions of the union ({@link Fusion}, the job's code), and the full-mode pool: the
 * best {@code --maxsim-depth} of the union by the job's fusion, the documents MaxSim scores. With one shard these
 * are the job's lists exactly; with S shards the job scores MaxSim on about 2·depth/S per shard instead.
 */
final class QueryPools {
    /** One query's candidates; arrays over the union are parallel to {@code union} (document indices). */
    record Pool(int[] bm25List, int[] denseList, int[] union, double[] bm25, double[] dense, double[] rrf,
            double[] linear, int[] maxSimPool, int[] hardNegatives) {}

    final Pool[] pools;
    private final EncodedCollection collection;

    QueryPools(EncodedCollection c, JobOptions o, int hardNegativeDepth) {
        this.collection = c;
        List<Document> docs = c.collection().documents();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < docs.size(); i++) {
            index.put(docs.get(i).id, i);
        }
        InMemoryShards shards = new InMemoryShards(docs, new TextAnalyzer(o.analyzer), o.bm25(), 1);
        Fusion fusion = new Fusion(o.gather.fusion, o.gather.rrfK, o.gather.linearBm25Weight);
        List<Query> queries = c.collection().queries();
        pools = new Pool[queries.size()];
        for (int qi = 0; qi < queries.size(); qi++) {
            Query q = queries.get(qi);
            ShardQuery sq = shards.bm25Query(q.id, q.text, docs.size());
            ShardHits hits = shards.search(0, sq, InMemoryShards.Bm25Path.JOB);
            double[] bm25All = new double[docs.size()];
            List<Integer> matched = new ArrayList<>();
            for (Candidate cand : hits.candidates) {
                int d = index.get(cand.docId);
                bm25All[d] = cand.localScore;
                matched.add(d);
            }
            int[] bm25List = top(matched.stream().mapToInt(Integer::intValue).toArray(), bm25All, docs, o.query.bm25Depth);
            double[] denseAll = new double[docs.size()];
            float[] qv = c.queryDense[qi];
            int[] all = new int[docs.size()];
            for (int d = 0; d < docs.size(); d++) {
                denseAll[d] = dot(qv, c.docDense[d]);
                all[d] = d;
            }
            int[] denseList = top(all, denseAll, docs, o.query.denseDepth);
            // the union, BM25 list first, as the shard builds it
            int[] union = Arrays.copyOf(bm25List, bm25List.length + denseList.length);
            int m = bm25List.length;
            Map<Integer, Integer> position = new HashMap<>();
            for (int i = 0; i < bm25List.length; i++) {
                position.put(bm25List[i], i);
            }
            int[] denseRanking = new int[denseList.length];
            for (int r = 0; r < denseList.length; r++) {
                Integer at = position.get(denseList[r]);
                if (at == null) {
                    at = m;
                    union[m++] = denseList[r];
                    position.put(denseList[r], at);
                }
                denseRanking[r] = at;
            }
            union = Arrays.copyOf(union, m);
            int[] bm25Ranking = new int[bm25List.length];
            Arrays.setAll(bm25Ranking, i -> i);
            double[] bm25 = new double[m];
            double[] dense = new double[m];
            for (int i = 0; i < m; i++) {
                bm25[i] = bm25All[union[i]];
                dense[i] = denseAll[union[i]];
            }
            double[] rrf = fusion.fuse(Fusion.Method.RRF, m, bm25Ranking, denseRanking, bm25, dense);
            double[] linear = fusion.fuse(Fusion.Method.LINEAR, m, bm25Ranking, denseRanking, bm25, dense);
            double[] jobFusion = fusion.method(null) == Fusion.Method.RRF ? rrf : linear;
            int[] order = orderBy(union, jobFusion, docs);
            int[] maxSimPool = new int[Math.min(o.query.maxSimDepth, m)];
            for (int r = 0; r < maxSimPool.length; r++) {
                maxSimPool[r] = order[r];
            }
            java.util.Set<String> relevant = c.collection().qrels().relevant(q.id);
            int[] hard = Arrays.stream(bm25List).limit(hardNegativeDepth)
                    .filter(d -> !relevant.contains(docs.get(d).id)).toArray();
            pools[qi] = new Pool(bm25List, denseList, union, bm25, dense, rrf, linear, maxSimPool, hard);
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return (float) s;
    }

    /** The first {@code depth} of {@code members} by score descending, ties by document id (as the gather). */
    private static int[] top(int[] members, double[] score, List<Document> docs, int depth) {
        Integer[] boxed = Arrays.stream(members).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a])
                : docs.get(a).id.compareTo(docs.get(b).id));
        return Arrays.stream(boxed).limit(depth).mapToInt(Integer::intValue).toArray();
    }

    /** Positions in the union ordered by {@code score} descending, ties by document id. */
    static int[] orderBy(int[] union, double[] score, List<Document> docs) {
        Integer[] order = new Integer[union.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a])
                : docs.get(union[a]).id.compareTo(docs.get(union[b]).id));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    EncodedCollection collection() {
        return collection;
    }
}
