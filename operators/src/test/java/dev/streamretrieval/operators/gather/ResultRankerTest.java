package dev.streamretrieval.operators.gather;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.QueryMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hybrid ordering in the gather: the fusion options reach the ranking, and fused ties break by document id. */
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
}
