package dev.streamretrieval.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {
    private static final double EPS = 0.001;

    /** Binary judgments: r1, r2, r3 are the only relevant documents; n* are unjudged. */
    private static final Map<String, Integer> BINARY = Map.of("r1", 1, "r2", 1, "r3", 1);

    /** A ranking of length 10 with r1, r2, r3 at the given 1-based ranks and unjudged documents elsewhere. */
    private static List<String> rankingWithRelevantAt(int a, int b, int c) {
        String[] out = new String[10];
        for (int i = 0; i < 10; i++) {
            out[i] = "n" + (i + 1);
        }
        out[a - 1] = "r1";
        out[b - 1] = "r2";
        out[c - 1] = "r3";
        return List.of(out);
    }

    @Test
    void d1RelevantAtRanks126() {
        List<String> d1 = rankingWithRelevantAt(1, 2, 6);
        assertThat(RankingMetrics.precisionAt(d1, BINARY, 2)).isCloseTo(1.0, within(EPS));
        assertThat(RankingMetrics.recallAt(d1, BINARY, 2)).isCloseTo(0.667, within(EPS));
        // AP = (1/1 + 2/2 + 3/6) / 3 = 2.5 / 3 = 0.833
        assertThat(RankingMetrics.averagePrecision(d1, BINARY)).isCloseTo(0.833, within(EPS));
        assertThat(RankingMetrics.reciprocalRankAt(d1, BINARY, 10)).isEqualTo(1.0);
    }

    @Test
    void d2RelevantAtRanks256() {
        List<String> d2 = rankingWithRelevantAt(2, 5, 6);
        assertThat(RankingMetrics.precisionAt(d2, BINARY, 2)).isCloseTo(0.5, within(EPS));
        assertThat(RankingMetrics.reciprocalRankAt(d2, BINARY, 2)).isCloseTo(0.5, within(EPS));
        // AP = (1/2 + 2/5 + 3/6) / 3 = 1.4 / 3 = 0.467
        assertThat(RankingMetrics.averagePrecision(d2, BINARY)).isCloseTo(0.467, within(EPS));
        assertThat(RankingMetrics.reciprocalRankAt(d2, BINARY, 1)).isEqualTo(0.0);
    }

    @Test
    void d3RelevantAtRanks345() {
        List<String> d3 = rankingWithRelevantAt(3, 4, 5);
        assertThat(RankingMetrics.precisionAt(d3, BINARY, 2)).isEqualTo(0.0);
        assertThat(RankingMetrics.recallAt(d3, BINARY, 5)).isCloseTo(1.0, within(EPS));
        // AP = (1/3 + 2/4 + 3/5) / 3 = 1.4333 / 3 = 0.478
        assertThat(RankingMetrics.averagePrecision(d3, BINARY)).isCloseTo(0.478, within(EPS));
        assertThat(RankingMetrics.successAt(d3, BINARY, 2)).isEqualTo(0.0);
        assertThat(RankingMetrics.successAt(d3, BINARY, 3)).isEqualTo(1.0);
    }

    @Test
    void precisionDividesByKEvenForShortRankings() {
        // One relevant document returned, nothing else: P@10 = 1/10 (trec_eval), not 1/1.
        assertThat(RankingMetrics.precisionAt(List.of("r1"), BINARY, 10)).isCloseTo(0.1, within(1e-12));
        assertThat(RankingMetrics.recallAt(List.of("r1"), BINARY, 10)).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void averagePrecisionCountsUnretrievedRelevantDocuments() {
        // Only r1 retrieved, at rank 1: AP = (1/1) / 3, the two never-retrieved relevant docs contribute 0.
        assertThat(RankingMetrics.averagePrecision(List.of("r1", "n1"), BINARY)).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void gradedNdcgAt10() {
        // Judgments a=3, b=2, c=0, d=1, e=2 (e is never retrieved). Ranking: a, b, c, d, x (x unjudged).
        //   DCG@10  = 3/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5) + 0/log2(6)
        //           = 3 + 1.261860 + 0 + 0.430677 = 4.692536
        //   ideal grades sorted descending: 3, 2, 2, 1
        //   IDCG@10 = 3/log2(2) + 2/log2(3) + 2/log2(4) + 1/log2(5)
        //           = 3 + 1.261860 + 1 + 0.430677 = 5.692536
        //   nDCG@10 = 4.692536 / 5.692536 = 0.824331
        Map<String, Integer> grades = Map.of("a", 3, "b", 2, "c", 0, "d", 1, "e", 2);
        List<String> ranking = List.of("a", "b", "c", "d", "x");
        assertThat(RankingMetrics.ndcgAt(ranking, grades, 10)).isCloseTo(0.824331, within(1e-6));
        // Cut at 2: DCG@2 = 3 + 2/log2(3) and IDCG@2 = 3 + 2/log2(3): a perfect top 2.
        assertThat(RankingMetrics.ndcgAt(ranking, grades, 2)).isCloseTo(1.0, within(1e-12));
        // Cut at 1 with the best document second: DCG@1 = 2 (b), IDCG@1 = 3.
        assertThat(RankingMetrics.ndcgAt(List.of("b", "a"), grades, 1)).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void ndcgIsZeroWithoutPositiveGrades() {
        assertThat(RankingMetrics.ndcgAt(List.of("a"), Map.of("a", 0), 10)).isEqualTo(0.0);
        assertThat(RankingMetrics.ndcgAt(List.of(), Map.of("a", 2), 10)).isEqualTo(0.0);
    }

    @Test
    void successAndReciprocalRank() {
        List<String> ranking = List.of("n1", "n2", "n3", "r2");
        assertThat(RankingMetrics.successAt(ranking, BINARY, 3)).isEqualTo(0.0);
        assertThat(RankingMetrics.successAt(ranking, BINARY, 4)).isEqualTo(1.0);
        assertThat(RankingMetrics.reciprocalRankAt(ranking, BINARY, 3)).isEqualTo(0.0);
        assertThat(RankingMetrics.reciprocalRankAt(ranking, BINARY, 10)).isEqualTo(0.25);
        assertThat(RankingMetrics.successAt(List.of(), BINARY, 10)).isEqualTo(0.0);
        assertThat(RankingMetrics.successAt(null, BINARY, 10)).isEqualTo(0.0);
    }

    @Test
    void f1IsTheHarmonicMeanOfPrecisionAndRecall() {
        // D1 at k=2: P = 1, R = 2/3 → F1 = 2 · 1 · 2/3 / (1 + 2/3) = 0.8
        assertThat(RankingMetrics.f1At(rankingWithRelevantAt(1, 2, 6), BINARY, 2)).isCloseTo(0.8, within(1e-12));
        // D2 at k=5: P = 2/5, R = 2/3 → F1 = 2 · 0.4 · 0.6667 / 1.0667 = 0.5
        assertThat(RankingMetrics.f1At(rankingWithRelevantAt(2, 5, 6), BINARY, 5)).isCloseTo(0.5, within(1e-12));
        // Nothing relevant in the top 2: both 0, F1 0 (not NaN).
        assertThat(RankingMetrics.f1At(rankingWithRelevantAt(3, 4, 5), BINARY, 2)).isEqualTo(0.0);
    }

    @Test
    void duplicatedIdsCountOnlyOnce() {
        List<String> ranking = List.of("r1", "r1", "r1", "n1", "r2");
        // After dropping repeats the ranking is r1, n1, r2.
        assertThat(RankingMetrics.precisionAt(ranking, BINARY, 3)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(RankingMetrics.recallAt(ranking, BINARY, 3)).isCloseTo(2.0 / 3, within(1e-12));
        // AP = (1/1 + 2/3) / 3
        assertThat(RankingMetrics.averagePrecision(ranking, BINARY)).isCloseTo((1 + 2.0 / 3) / 3, within(1e-12));
        // A repeated top document must not earn its gain twice: nDCG@2 = 1 / (1 + 1/log2(3)).
        Map<String, Integer> one = Map.of("r1", 1, "r2", 1);
        double expected = 1.0 / (1.0 + 1.0 / (Math.log(3) / Math.log(2)));
        assertThat(RankingMetrics.ndcgAt(List.of("r1", "r1"), one, 2)).isCloseTo(expected, within(1e-12));
        assertThat(RankingMetrics.ndcgAt(List.of("r1", "r1"), one, 2)).isLessThan(1.0);
    }

    @Test
    void gradeZeroIsNotRelevant() {
        Map<String, Integer> grades = Map.of("a", 0, "b", 1);
        assertThat(RankingMetrics.relevantCount(grades)).isEqualTo(1);
        assertThat(RankingMetrics.precisionAt(List.of("a"), grades, 1)).isEqualTo(0.0);
        assertThat(RankingMetrics.reciprocalRankAt(List.of("a", "b"), grades, 10)).isEqualTo(0.5);
    }

    @Test
    void cutoffMustBePositive() {
        assertThatThrownBy(() -> RankingMetrics.precisionAt(List.of("a"), BINARY, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void summaryAveragesOverJudgedQueriesAndScoresMissingOnesZero() {
        Map<String, Map<String, Integer>> judgments = new LinkedHashMap<>();
        judgments.put("q1", Map.of("a", 1));
        judgments.put("q2", Map.of("b", 2, "c", 1));
        judgments.put("q3", Map.of("d", 0)); // no relevant document: not averaged over
        judgments.put("q4", Map.of("e", 1)); // missing from the run: scores 0
        Qrels qrels = new Qrels(judgments);
        Map<String, List<String>> run = Map.of(
                "q1", List.of("a"),
                "q2", List.of("c", "b"),
                "q3", List.of("d"),
                "q9", List.of("zzz")); // unjudged query: ignored
        MetricSummary s = MetricSummary.of(run, qrels);

        assertThat(s.queries()).isEqualTo(3);
        assertThat(s.metrics().keySet()).containsExactly(
                "nDCG@10", "Recall@100", "MRR@10", "MAP", "P@10", "R@10", "Success@10", "F1@10");
        // MRR: q1 1, q2 1 (c is relevant), q4 0
        assertThat(s.get("MRR@10")).isCloseTo(2.0 / 3, within(1e-12));
        // AP: q1 1, q2 (1/1 + 2/2)/2 = 1, q4 0
        assertThat(s.get("MAP")).isCloseTo(2.0 / 3, within(1e-12));
        // nDCG@10: q1 1; q2 DCG = 1 + 2/log2(3) = 2.261860, IDCG = 2 + 1/log2(3) = 2.630930 → 0.859719; q4 0
        assertThat(s.get("nDCG@10")).isCloseTo((1 + 0.859719) / 3, within(1e-6));
        // P@10: 0.1, 0.2, 0 → 0.1
        assertThat(s.get("P@10")).isCloseTo(0.1, within(1e-12));
        assertThat(s.get("R@10")).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.get("Recall@100")).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.get("Success@10")).isCloseTo(2.0 / 3, within(1e-12));
        // F1@10: q1 2·0.1·1/1.1 = 0.181818, q2 2·0.2·1/1.2 = 0.333333, q4 0 → 0.171717
        assertThat(s.get("F1@10")).isCloseTo(0.171717, within(1e-6));
        assertThat(s.perQuery().keySet()).containsExactly("q1", "q2", "q4");
        assertThat(s.perQuery().get("q4").values()).allMatch(v -> v == 0.0);
    }

    @Test
    void summaryOfNoQueriesIsZero() {
        MetricSummary s = MetricSummary.of(Map.of(), new Qrels(Map.of("q", Map.of("a", 0))));
        assertThat(s.queries()).isZero();
        assertThat(s.metrics().values()).containsOnly(0.0);
    }

    @Test
    void meanTopKOverlap() {
        Map<String, List<String>> a = Map.of(
                "q1", List.of("x", "y", "z"),
                "q2", List.of(),
                "q3", List.of("p"));
        Map<String, List<String>> b = Map.of(
                "q1", List.of("y", "x", "w"),
                "q2", List.of());
        // q1: top-2 {x,y} vs {y,x} → 2/2 = 1; q2: both empty → 1; q3: {p} vs {} → 0 / max(1, min(2, 1)) = 0
        assertThat(MetricSummary.meanTopKOverlap(a, b, 2)).isCloseTo(2.0 / 3, within(1e-12));
        // k = 3 on q1: {x,y,z} vs {y,x,w} → 2/3
        assertThat(MetricSummary.meanTopKOverlap(Map.of("q1", a.get("q1")), Map.of("q1", b.get("q1")), 3))
                .isCloseTo(2.0 / 3, within(1e-12));
        // Repeats do not inflate the overlap: top-2 of [x, x, y] is {x, y}.
        assertThat(MetricSummary.meanTopKOverlap(Map.of("q", List.of("x", "x", "y")), Map.of("q", List.of("y", "x")), 2))
                .isEqualTo(1.0);
    }
}
