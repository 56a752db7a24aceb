package dev.streamretrieval.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run files and metrics as trec_eval computes them on a run file: documents ordered by score descending, ties
 * broken by document id descending, the rank column ignored. Every expected value is worked out by hand below.
 */
class TrecRunTest {
    private static final double EPS = 1e-6;

    /**
     * q1 (binary): d1 and d5 relevant, d5 never retrieved (R = 2). The system ranked d3 2.0, d1 1.5, d2 1.5, d9 1.0;
     * trec_eval reorders the tie at 1.5 by id descending: d3, d2, d1, d9, so the relevant d1 is at rank 3, not 2.
     * q2 (graded): a = 2, b = 1, c = 3 (never retrieved), z = 0. The system ranked a 0.9, b 0.8, z 0.8; trec_eval
     * reorders the tie: a, z, b.
     */
    private static Map<String, List<TrecRun.Entry>> run() {
        Map<String, List<TrecRun.Entry>> run = new LinkedHashMap<>();
        run.put("q1", List.of(new TrecRun.Entry("d3", 2.0), new TrecRun.Entry("d1", 1.5),
                new TrecRun.Entry("d2", 1.5), new TrecRun.Entry("d9", 1.0)));
        run.put("q2", List.of(new TrecRun.Entry("a", 0.9), new TrecRun.Entry("b", 0.8), new TrecRun.Entry("z", 0.8)));
        return run;
    }

    private static Qrels qrels() {
        Map<String, Map<String, Integer>> j = new LinkedHashMap<>();
        j.put("q1", Map.of("d1", 1, "d5", 1, "d3", 0));
        j.put("q2", Map.of("a", 2, "b", 1, "c", 3, "z", 0));
        return new Qrels(j);
    }

    @Test
    void tiesAreBrokenByDocumentIdDescending() {
        Map<String, List<String>> r = TrecRun.rankings(run());
        assertThat(r.get("q1")).containsExactly("d3", "d2", "d1", "d9");
        assertThat(r.get("q2")).containsExactly("a", "z", "b");
        // Ids compare as strings, not numbers: "10" < "9", so at equal scores 9 comes first.
        assertThat(TrecRun.trecEvalOrder(List.of(new TrecRun.Entry("10", 1), new TrecRun.Entry("9", 1))))
                .containsExactly("9", "10");
    }

    @Test
    void binaryMetricsInTrecEvalOrder() {
        List<String> q1 = TrecRun.rankings(run()).get("q1");
        Map<String, Integer> g = qrels().judgments("q1");
        // AP = (sum of P@i at relevant ranks) / R = (1/3) / 2 = 0.166667 (d5, unretrieved, adds 0 but counts in R)
        assertThat(RankingMetrics.averagePrecision(q1, g)).isCloseTo(1.0 / 6, within(EPS));
        // P@2 = 0/2; P@5 = 1/5 (the denominator stays 5 although only 4 documents were retrieved)
        assertThat(RankingMetrics.precisionAt(q1, g, 2)).isEqualTo(0.0);
        assertThat(RankingMetrics.precisionAt(q1, g, 5)).isCloseTo(0.2, within(EPS));
        // RR@10 = 1/3 (first relevant at rank 3); RR@2 = 0 (not within the first 2)
        assertThat(RankingMetrics.reciprocalRankAt(q1, g, 10)).isCloseTo(1.0 / 3, within(EPS));
        assertThat(RankingMetrics.reciprocalRankAt(q1, g, 2)).isEqualTo(0.0);
        // Success@2 = 0, Success@3 = 1
        assertThat(RankingMetrics.successAt(q1, g, 2)).isEqualTo(0.0);
        assertThat(RankingMetrics.successAt(q1, g, 3)).isEqualTo(1.0);
        // R@3 = 1/2; F1@3 = 2 · (1/3) · (1/2) / (1/3 + 1/2) = (1/3) / (5/6) = 0.4
        assertThat(RankingMetrics.recallAt(q1, g, 3)).isCloseTo(0.5, within(EPS));
        assertThat(RankingMetrics.f1At(q1, g, 3)).isCloseTo(0.4, within(EPS));
    }

    @Test
    void gradedNdcgInTrecEvalOrder() {
        List<String> q2 = TrecRun.rankings(run()).get("q2");
        Map<String, Integer> g = qrels().judgments("q2");
        // gain = grade, discount log2(rank + 1). Order a(2), z(0), b(1):
        //   DCG@3  = 2/log2(2) + 0/log2(3) + 1/log2(4) = 2 + 0 + 0.5 = 2.5
        //   IDCG@3 = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5 = 4.761860 (c = 3 counts, unretrieved)
        //   nDCG@3 = 2.5 / 4.761860 = 0.525005
        assertThat(RankingMetrics.ndcgAt(q2, g, 3)).isCloseTo(0.525005, within(EPS));
        // nDCG@1 = 2 / 3
        assertThat(RankingMetrics.ndcgAt(q2, g, 1)).isCloseTo(2.0 / 3, within(EPS));
    }

    @Test
    void summaryAtEveryCutoff() {
        MetricSummary s = MetricSummary.of(TrecRun.rankings(run()), qrels(), List.of(1, 3));
        assertThat(s.metrics().keySet()).containsExactly(
                "nDCG@1", "Recall@1", "MRR@1", "P@1", "Success@1", "F1@1",
                "nDCG@3", "Recall@3", "MRR@3", "P@3", "Success@3", "F1@3", "MAP");
        // P@3: q1 1/3, q2 2/3 (a and b) → mean 0.5
        assertThat(s.get("P@3")).isCloseTo(0.5, within(EPS));
        // nDCG@3: q1 DCG = 1/log2(4) = 0.5, IDCG = 1 + 1/log2(3) = 1.630930 → 0.306574; q2 0.525005 → mean 0.415789
        assertThat(s.get("nDCG@3")).isCloseTo((0.5 / (1 + 1 / (Math.log(3) / Math.log(2))) + 0.525005) / 2,
                within(EPS));
        assertThat(s.get("nDCG@3")).isCloseTo(0.415789, within(EPS));
        // MAP: q1 1/6; q2 relevant a (rank 1), b (rank 3), c unretrieved: (1/1 + 2/3) / 3 = 0.555556 → 0.361111
        assertThat(s.get("MAP")).isCloseTo(0.361111, within(EPS));
        // MRR@1: q1 0, q2 1 → 0.5
        assertThat(s.get("MRR@1")).isCloseTo(0.5, within(EPS));
        assertThatThrownBy(() -> MetricSummary.of(Map.of(), qrels(), List.of(0)))
                .hasMessageContaining("cutoff k must be >= 1");
    }

    @Test
    void writesTrecLinesAndReadsThemBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("runs/bm25.run");
        TrecRun.write(file, run(), "pipeline-bm25");
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).isEqualTo("q1 Q0 d3 1 2.0 pipeline-bm25");
        assertThat(lines.get(2)).isEqualTo("q1 Q0 d2 3 1.5 pipeline-bm25");
        assertThat(lines.get(4)).isEqualTo("q2 Q0 a 1 0.9 pipeline-bm25");
        assertThat(TrecRun.read(file)).isEqualTo(run());
        // A float score survives the text exactly, so distinct scores never become ties in the file.
        float f = 7.1234567f;
        TrecRun.write(file, Map.of("q", List.of(new TrecRun.Entry("x", f))), "t");
        assertThat(TrecRun.read(file).get("q").get(0).score()).isEqualTo((double) f);
    }

    @Test
    void refusesWhatTrecEvalCannotRead(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> TrecRun.write(dir.resolve("r"),
                Map.of("q", List.of(new TrecRun.Entry("a b", 1))), "t")).hasMessageContaining("'a b'");
        Path bad = dir.resolve("bad.run");
        Files.writeString(bad, "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2 x t\n");
        assertThatThrownBy(() -> TrecRun.read(bad)).hasMessageContaining("line 2").hasMessageContaining("'x'");
    }

    @Test
    void scoresFollowRankOnlyWhenTheSystemOrderIsNotByScore() {
        List<TrecRun.Entry> monotone = run().get("q1");
        assertThat(TrecRun.scoresFollowingRank(monotone)).isSameAs(monotone);
        // full mode: a MaxSim-scored hit (12.5) above fusion-scored ones (0.03, 0.04): scores become 3, 2, 1
        List<TrecRun.Entry> mixed = List.of(new TrecRun.Entry("m", 12.5), new TrecRun.Entry("x", 0.03),
                new TrecRun.Entry("y", 0.04));
        assertThat(TrecRun.trecEvalOrder(TrecRun.scoresFollowingRank(mixed))).containsExactly("m", "x", "y");
    }

    @Test
    void comparisonListsTheQueriesThatDifferMost() {
        Map<String, List<String>> a = TrecRun.rankings(run());
        Map<String, List<String>> b = new LinkedHashMap<>(a);
        b.put("q1", List.of("d1", "d3", "d2")); // d1 first: AP (1/1)/2 = 0.5 instead of 1/6
        b.put("q2", List.of("a", "b", "z"));    // nDCG@3 = (2 + 1/log2(3)) / 4.761860 = 0.552500 instead of 0.525005
        List<RunComparison.Row> rows = RunComparison.compare(a, b, qrels(), "MAP", List.of(10), 10);
        assertThat(rows).extracting(RunComparison.Row::queryId).containsExactly("q1", "q2");
        RunComparison.Row q1 = rows.get(0);
        assertThat(q1.diff()).isCloseTo(1.0 / 6 - 0.5, within(EPS));
        assertThat(q1.firstDiffering()).isEqualTo(1);
        assertThat(q1.onlyInA()).containsExactly("d9");
        assertThat(q1.onlyInB()).isEmpty();
        // q2: AP a = (1/1 + 2/3) / 3 = 0.555556 (b at rank 3), AP b = (1/1 + 2/2) / 3 = 0.666667 (b at rank 2)
        RunComparison.Row q2 = rows.get(1);
        assertThat(q2.a()).isCloseTo((1 + 2.0 / 3) / 3, within(EPS));
        assertThat(q2.b()).isCloseTo((1 + 2.0 / 2) / 3, within(EPS));
        assertThat(q2.firstDiffering()).isEqualTo(2);
        List<RunComparison.Row> ndcg = RunComparison.compare(a, b, qrels(), "nDCG@3", List.of(3), 3);
        assertThat(ndcg.get(1).b()).isCloseTo(0.552500, within(EPS));
        assertThatThrownBy(() -> RunComparison.compare(a, b, qrels(), "nDCG@5", List.of(3), 3))
                .hasMessageContaining("unknown metric 'nDCG@5'");
    }
}
