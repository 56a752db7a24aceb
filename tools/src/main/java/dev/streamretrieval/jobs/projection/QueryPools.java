package dev.streamretrieval.jobs.projection;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.evaluation.InMemoryShards;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each judged query's candidate pool and the evidence the modes order it by, computed once per collection (no
 * projection involved). The pool is the top {@code poolDepth} of the job's own BM25 over the whole collection
 * ({@link InMemoryShards}, the job's analyzer and BM25); every mode then orders that same pool, so the modes are
 * compared on equal candidates and only the pool's documents (plus the training queries' judged documents, the
 * positives) go through the encoder, which on two busy cores is what the time budget allows:
 * <ul>
 *   <li>bm25: the pool in BM25 order; dense: by cosine of the dense vectors;</li>
 *   <li>hybrid (RRF) and hybrid-linear: the job's {@link Fusion} of the BM25 and dense rankings/scores of the pool;</li>
 *   <li>full: MaxSim over the best {@code --maxsim-depth} of the pool by the job's fusion (all of it when the pool
 *       is not deeper), as the shards choose their MaxSim candidates.</li>
 * </ul>
 * This is a re-ranking protocol: the job's hybrid also adds the dense list's own top documents to the candidates,
 * which needs every document encoded; its numbers are therefore not the {@code eval} command's.
 */
final class QueryPools {
    /** One query's candidates; arrays over the union are parallel to {@code union} (document indices). */
    record Pool(int[] bm25List, int[] denseList, int[] union, double[] bm25, double[] dense, double[] rrf,
            double[] linear, int[] maxSimPool, int[] hardNegatives) {}

    /** The BM25 pools of a collection: per judged query its top documents (indices) and their scores. */
    record Bm25Pools(int[][] lists, double[][] scores) {
        /** The pooled documents and the judged-relevant documents of the training queries: what to encode. */
        java.util.BitSet toEncode(BeirCollection c, double validationFraction) {
            java.util.BitSet set = new java.util.BitSet(c.documents().size());
            Map<String, Integer> index = index(c.documents());
            List<Query> queries = c.queries();
            for (int qi = 0; qi < queries.size(); qi++) {
                for (int d : lists[qi]) {
                    set.set(d);
                }
                if (!ProjectionTrainer.validation(c.name(), queries.get(qi).id, validationFraction)) {
                    for (String id : c.qrels().relevant(queries.get(qi).id)) {
                        Integer d = index.get(id);
                        if (d != null) {
                            set.set(d);
                        }
                    }
                }
            }
            return set;
        }
    }

    static Map<String, Integer> index(List<Document> docs) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < docs.size(); i++) {
            index.put(docs.get(i).id, i);
        }
        return index;
    }

    /** The top {@code depth} of the job's BM25 for every judged query (score descending, ties by document id). */
    static Bm25Pools bm25(BeirCollection c, JobOptions o, int depth) {
        List<Document> docs = c.documents();
        Map<String, Integer> index = index(docs);
        InMemoryShards shards = new InMemoryShards(docs, new TextAnalyzer(o.analyzer), o.bm25(), 1);
        List<Query> queries = c.queries();
        int[][] lists = new int[queries.size()][];
        double[][] scores = new double[queries.size()][];
        for (int qi = 0; qi < queries.size(); qi++) {
            Query q = queries.get(qi);
            ShardHits hits = shards.search(0, shards.bm25Query(q.id, q.text, depth), InMemoryShards.Bm25Path.JOB);
            double[] all = new double[docs.size()];
            int[] matched = new int[hits.candidates.length];
            for (int i = 0; i < matched.length; i++) {
                Candidate cand = hits.candidates[i];
                matched[i] = index.get(cand.docId);
                all[matched[i]] = cand.localScore;
            }
            lists[qi] = top(matched, all, docs, depth);
            scores[qi] = Arrays.stream(lists[qi]).mapToDouble(d -> all[d]).toArray();
        }
        return new Bm25Pools(lists, scores);
    }

    final Pool[] pools;
    private final EncodedCollection collection;

    QueryPools(EncodedCollection c, Bm25Pools bm25Pools, JobOptions o, int hardNegativeDepth) {
        this.collection = c;
        List<Document> docs = c.collection().documents();
        Fusion fusion = new Fusion(o.gather.fusion, o.gather.rrfK, o.gather.linearBm25Weight);
        List<Query> queries = c.collection().queries();
        pools = new Pool[queries.size()];
        for (int qi = 0; qi < queries.size(); qi++) {
            int[] union = bm25Pools.lists()[qi];
            int m = union.length;
            double[] bm25 = bm25Pools.scores()[qi];
            double[] dense = new double[m];
            for (int i = 0; i < m; i++) {
                dense[i] = dot(c.queryDense[qi], c.docDense[union[i]]);
            }
            int[] bm25Ranking = new int[m];
            Arrays.setAll(bm25Ranking, i -> i);
            int[] denseRanking = orderBy(union, dense, docs);
            int[] denseList = Arrays.stream(denseRanking).map(i -> union[i]).toArray();
            double[] rrf = fusion.fuse(Fusion.Method.RRF, m, bm25Ranking, denseRanking, bm25, dense);
            double[] linear = fusion.fuse(Fusion.Method.LINEAR, m, bm25Ranking, denseRanking, bm25, dense);
            double[] jobFusion = fusion.method(null) == Fusion.Method.RRF ? rrf : linear;
            int[] order = orderBy(union, jobFusion, docs);
            int[] maxSimPool = Arrays.copyOf(order, Math.min(o.query.maxSimDepth, m));
            java.util.Set<String> relevant = c.collection().qrels().relevant(queries.get(qi).id);
            int[] hard = Arrays.stream(union).limit(hardNegativeDepth)
                    .filter(d -> !relevant.contains(docs.get(d).id)).toArray();
            pools[qi] = new Pool(union, denseList, union, bm25, dense, rrf, linear, maxSimPool, hard);
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
