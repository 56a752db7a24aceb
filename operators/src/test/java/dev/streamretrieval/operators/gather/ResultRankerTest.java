package dev.streamretrieval.operators.gather;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.QueryMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hybrid and full ordering in the gather: the fusion options reach the ranking, fused ties break by document id,
 * and full mode orders its MaxSim-scored candidates by the combined evidence.
 */
class ResultRankerTest {
    private static final Bm25 BM25 = new Bm25(0.9, 0.4, false);

    private static Candidate cand(String id, int tf, float dense, boolean inBm25, boolean inDense) {
        Candidate c = new Candidate();
        c.docId = id;
        c.length = 10;
        c.termFreqs = new int[] {tf};
        c.denseScore = dense;
        c.inBm25List = inBm25;
        c.inDenseList = inDense;
        return c;
    }

    private static PendingQuery hybrid(String fusion, Candidate... cands) {
        PendingQuery p = new PendingQuery();
        p.mode = QueryMode.HYBRID;
        p.k = 10;
        p.terms = new String[] {"t"};
        p.queryFreqs = new int[] {1};
        p.docCount = 100;
        p.totalLength = 1000;
        p.docFreqs = new long[] {10};
        p.bm25Depth = 100;
        p.denseDepth = 100;
        p.fusion = fusion;
        p.candidates = cands;
        return p;
    }

    private static List<String> order(ResultRanker ranker, PendingQuery p) {
        return ranker.rank(p).stream().map(r -> p.candidates[r.index()].docId).toList();
    }

    @Test
    void rrfTiesBreakByDocumentId() {
        ResultRanker ranker = new ResultRanker(BM25, new GatherOptions());
        // "z" first by BM25 only, "a" first by dense only: equal RRF scores, so "a" (smaller id) leads
        PendingQuery p = hybrid(null, cand("z", 5, Float.NaN, true, false), cand("a", 0, 0.9f, false, true));
        assertThat(order(ranker, p)).containsExactly("a", "z");
        var ranked = ranker.rank(p);
        assertThat(ranked.get(0).scores().get("rrf")).isEqualTo(ranked.get(1).scores().get("rrf"));
    }

    @Test
    void rrfConstantAndLinearWeightComeFromTheOptions() {
        // "b" is 2nd by BM25 and 1st by dense, "a" 1st by BM25 only, "c" 3rd by BM25 and 2nd by dense
        Candidate[] cands = {cand("a", 9, Float.NaN, true, false), cand("b", 4, 0.9f, true, true),
            cand("c", 1, 0.8f, true, true)};
        GatherOptions k0 = new GatherOptions();
        k0.rrfK = 0;
        var ranked = new ResultRanker(BM25, k0).rank(hybrid(null, cands));
        assertThat(ranked.get(0).scores().get("rrf")).isEqualTo(1.0 / 2 + 1.0 / 1); // b
        GatherOptions bm25Only = new GatherOptions();
        bm25Only.fusion = "linear";
        bm25Only.linearBm25Weight = 1.0;
        assertThat(order(new ResultRanker(BM25, bm25Only), hybrid(null, cands))).containsExactly("a", "b", "c");
        // dense only: a has no dense score, which counts as the minimum, so it ties with c (the lowest) at 0
        // and the tie breaks by document id
        bm25Only.linearBm25Weight = 0.0;
        assertThat(order(new ResultRanker(BM25, bm25Only), hybrid(null, cands))).containsExactly("b", "a", "c");
        // the query's own method wins over the job's
        assertThat(order(new ResultRanker(BM25, k0), hybrid("linear", cands))).containsExactly("b", "a", "c");
    }

    @Test
    void hybridHitsCarryTheirRankInEachFusedList() {
        // BM25 order a (tf 9), b (tf 4), c (tf 1); dense order b (0.9), c (0.8); a is in no dense list
        Candidate[] cands = {cand("a", 9, Float.NaN, true, false), cand("b", 4, 0.9f, true, true),
            cand("c", 1, 0.8f, true, true)};
        var ranked = new ResultRanker(BM25, new GatherOptions()).rank(hybrid(null, cands));
        java.util.Map<String, java.util.Map<String, Integer>> ranks = new java.util.HashMap<>();
        ranked.forEach(r -> ranks.put(cands[r.index()].docId, r.ranks()));
        assertThat(ranks.get("a")).containsExactly(java.util.Map.entry("bm25", 1));
        assertThat(ranks.get("b")).containsOnly(java.util.Map.entry("bm25", 2), java.util.Map.entry("dense", 1));
        assertThat(ranks.get("c")).containsOnly(java.util.Map.entry("bm25", 3), java.util.Map.entry("dense", 2));
        // single-list modes have nothing to explain
        PendingQuery bm25 = hybrid(null, cands);
        bm25.mode = QueryMode.BM25;
        assertThat(new ResultRanker(BM25, new GatherOptions()).rank(bm25)).allMatch(r -> r.ranks().isEmpty());
    }

    private static Candidate scored(String id, int tf, float dense, float maxSim) {
        Candidate c = cand(id, tf, dense, true, true);
        c.maxSimScore = maxSim;
        return c;
    }

    private static GatherOptions fullWeights(double bm25, double dense) {
        GatherOptions o = new GatherOptions();
        o.fullBm25Weight = bm25;
        o.fullDenseWeight = dense;
        return o;
    }

    /**
     * BM25 (one term, k1 0.9, b 0.4, every length the average): tf·1.9/(tf + 0.9)·idf, so tf 9, 1, 0 score
     * 1.7273·idf, idf, 0 and normalise to 1, 9.9/17.1 = 0.5789, 0. MaxSim 7, 10, 8 normalise to 0, 1, 1/3; dense
     * 0.5, 0.1, 0.9 to 0.5, 0, 1 (over the MaxSim-scored a, b, c only: e's dense −0.7 is not in the range).
     */
    private static PendingQuery fullQuery() {
        PendingQuery p = hybrid(null, scored("b", 9, 0.5f, 7f), scored("c", 1, 0.1f, 10f), scored("a", 0, 0.9f, 8f),
                cand("e", 9, -0.7f, true, true));
        p.mode = QueryMode.FULL;
        return p;
    }

    @Test
    void fullOrdersTheMaxSimScoredCandidatesByTheCombinedEvidence() {
        PendingQuery p = fullQuery();
        var ranked = new ResultRanker(BM25, fullWeights(0.5, 0.2)).rank(p);
        // b: 0.5·1 + 0.2·0.5 + 0.3·0 = 0.6; c: 0.5·0.5789 + 0.2·0 + 0.3·1 = 0.5895; a: 0 + 0.2·1 + 0.3·(1/3) = 0.3.
        // By MaxSim alone it would be c, a, b; normalising dense over all four (e included) would put c first.
        // e has no MaxSim score and follows in hybrid order.
        assertThat(order(new ResultRanker(BM25, fullWeights(0.5, 0.2)), p)).containsExactly("b", "c", "a", "e");
        assertThat(ranked.get(0).score()).isCloseTo(0.6, within(1e-6));
        assertThat(ranked.get(1).score()).isCloseTo(0.5 * 9.9 / 17.1 + 0.3, within(1e-6));
        assertThat(ranked.get(2).score()).isCloseTo(0.3, within(1e-6));
        assertThat(ranked.get(0).scores()).containsEntry(ResultRanker.FULL_LABEL, ranked.get(0).score())
                .containsEntry("maxsim", 7.0).containsKeys("bm25", "dense", "rrf");
        assertThat(ranked.get(3).scores()).doesNotContainKeys(ResultRanker.FULL_LABEL, "maxsim");
        // the ranks in the fused lists are still reported: b is first by BM25 (tf 9, ties with e by id)
        assertThat(ranked.get(0).ranks()).containsEntry("bm25", 1);
    }

    @Test
    void fullWithWeightsZeroAndZeroOrdersByMaxSimAlone() {
        PendingQuery p = fullQuery();
        var ranked = new ResultRanker(BM25, fullWeights(0, 0)).rank(p);
        assertThat(ranked.stream().map(r -> p.candidates[r.index()].docId)).containsExactly("c", "a", "b", "e");
        assertThat(ranked.get(0).score()).isEqualTo(1.0);
        assertThat(ranked.get(1).score()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(ranked.get(2).score()).isEqualTo(0.0);
        // all dense: a (0.9), b (0.5), c (0.1)
        assertThat(order(new ResultRanker(BM25, fullWeights(0, 1)), p)).containsExactly("a", "b", "c", "e");
    }

    @Test
    void badFullWeightsAreRefused() {
        assertThatThrownBy(() -> new ResultRanker(BM25, fullWeights(0.6, 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to at most 1");
        assertThatThrownBy(() -> new ResultRanker(BM25, fullWeights(-0.1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("within [0, 1]");
    }
}
