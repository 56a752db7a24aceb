package dev.streamretrieval.jobs.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.gather.GatherOptions;
import dev.streamretrieval.operators.gather.PendingQuery;
import dev.streamretrieval.operators.gather.ResultRanker;
import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.QueryMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The combining rule the leave-one-out protocol measures ({@link PoolEvaluation#combinedOrder}) orders a pool
 * exactly as the job's gather ({@link ResultRanker}, full mode) orders the same evidence, for every weight pair of
 * the 0.1 grid the protocol searches.
 */
class PoolEvaluationTest {
    private static final Bm25 BM25 = new Bm25(0.9, 0.4, false);

    @Test
    void theMeasuredRuleIsTheGathersRule() {
        Random random = new Random(11);
        int compared = 0;
        for (int trial = 0; trial < 40; trial++) {
            int m = 8;
            Candidate[] cands = new Candidate[m];
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                Candidate c = new Candidate();
                c.docId = "d" + random.nextInt(1000) + "-" + i;
                c.length = 5 + random.nextInt(20);
                c.termFreqs = new int[] {random.nextInt(6), random.nextInt(3)};
                c.denseScore = i == 3 && trial % 2 == 0 ? Float.NaN : random.nextFloat() * 2 - 1;
                // one candidate without token vectors (NaN), one the shards did not score at all
                c.maxSimScore = i == 5 || i == 6 ? Float.NaN : 5 + random.nextFloat() * 10;
                c.inBm25List = true;
                c.inDenseList = !Float.isNaN(c.denseScore);
                cands[i] = c;
                docs.add(Document.upsert(c.docId, "", "text", 1L));
            }
            for (int b = 0; b <= 10; b++) {
                for (int d = 0; b + d <= 10; d++) {
                    GatherOptions o = new GatherOptions();
                    o.fullBm25Weight = b / 10.0;
                    o.fullDenseWeight = d / 10.0;
                    PendingQuery p = query(cands);
                    List<ResultRanker.Ranked> ranked = new ResultRanker(BM25, o).rank(p);
                    assertThat(ranked).hasSize(m);

                    // the same evidence as a pool: BM25, dense and the fused score as the gather computed them
                    double[] bm25 = new double[m];
                    double[] dense = new double[m];
                    double[] rrf = new double[m];
                    for (ResultRanker.Ranked r : ranked) {
                        Map<String, Double> s = r.scores();
                        bm25[r.index()] = s.get("bm25");
                        dense[r.index()] = s.getOrDefault("dense", Double.NaN);
                        rrf[r.index()] = s.get("rrf");
                    }
                    int[] union = IntStream.range(0, m).toArray();
                    int[] maxSimPool = {0, 1, 2, 3, 4, 5, 7}; // 6 was not scored; 5 was, without a score
                    float[] maxSim = new float[maxSimPool.length];
                    for (int r = 0; r < maxSimPool.length; r++) {
                        maxSim[r] = cands[maxSimPool[r]].maxSimScore;
                    }
                    QueryPools.Pool pool = new QueryPools.Pool(union, union, union, bm25, dense, rrf, rrf, maxSimPool,
                            new int[0]);
                    List<String> measured = PoolEvaluation.unionIds(pool,
                            PoolEvaluation.combinedOrder(pool, maxSim, rrf, docs, b / 10.0, d / 10.0, false), docs);
                    List<String> job = ranked.stream().map(r -> cands[r.index()].docId).toList();
                    assertThat(measured).as("weights %d/%d, trial %d", b, d, trial).isEqualTo(job);
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(40 * 66);
    }

    @Test
    void fullIsMaxSimAloneThenTheFusionOrder() {
        // pool positions 0..3; MaxSim 2, NaN, 9 for positions 0, 1, 2; position 3 not scored; fusion prefers 3, 1
        List<Document> docs = List.of(Document.upsert("a", "", "x", 1L), Document.upsert("b", "", "x", 1L),
                Document.upsert("c", "", "x", 1L), Document.upsert("d", "", "x", 1L));
        int[] union = {0, 1, 2, 3};
        double[] fused = {0.1, 0.3, 0.2, 0.4};
        QueryPools.Pool pool = new QueryPools.Pool(union, union, union, new double[] {9, 1, 1, 9},
                new double[] {0.9, 0.1, 0.1, 0.9}, fused, fused, new int[] {0, 1, 2}, new int[0]);
        float[] maxSim = {2f, Float.NaN, 9f};
        assertThat(PoolEvaluation.unionIds(pool, PoolEvaluation.fullOrder(pool, maxSim, fused, docs), docs))
                .containsExactly("c", "a", "d", "b");
        // with BM25 and dense weighed in, a (strong on both) overtakes c
        assertThat(PoolEvaluation.unionIds(pool, PoolEvaluation.combinedOrder(pool, maxSim, fused, docs, 0.3, 0.4,
                false), docs)).containsExactly("a", "c", "d", "b");
    }

    private static PendingQuery query(Candidate[] cands) {
        PendingQuery p = new PendingQuery();
        p.mode = QueryMode.FULL;
        p.k = 100;
        p.terms = new String[] {"s", "t"};
        p.queryFreqs = new int[] {1, 1};
        p.docCount = 100;
        p.totalLength = 1200;
        p.docFreqs = new long[] {10, 40};
        p.bm25Depth = 100;
        p.denseDepth = 100;
        p.candidates = cands;
        return p;
    }
}
