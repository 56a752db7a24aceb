package dev.streamretrieval.jobs.cli.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.SearchResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two columns the workbench page renders: evidence per hit, the overlap, judged grades. */
class SideBySideTest {

    private static Hit hit(String doc, int rank, double score, Map<String, Double> scores, Map<String, Integer> ranks) {
        Hit h = new Hit(doc, rank, score, new LinkedHashMap<>(scores), "title " + doc);
        h.ranks = ranks;
        return h;
    }

    private static SearchResult result(String mode, Hit... hits) {
        SearchResult r = new SearchResult();
        r.mode = mode;
        r.hits = List.of(hits);
        return r;
    }

    @Test
    void overlapEvidenceAndGrades() {
        SearchResult bm25 = result("bm25",
                hit("a", 1, 9.0, Map.of("bm25", 9.0), null),
                hit("b", 2, 7.0, Map.of("bm25", 7.0), null),
                hit("c", 3, 5.0, Map.of("bm25", 5.0), null));
        SearchResult hybrid = result("hybrid",
                hit("d", 1, 0.033, Map.of("dense", 0.9, "rrf", 0.033), Map.of("dense", 1)),
                hit("b", 2, 0.032, Map.of("bm25", 7.0, "dense", 0.7, "rrf", 0.032), Map.of("bm25", 2, "dense", 3)),
                hit("a", 3, 0.031, Map.of("bm25", 9.0, "dense", 0.4, "rrf", 0.031, "maxsim", 12.5),
                        Map.of("bm25", 1, "dense", 9)));
        // d: relevant (2), a: judged not relevant (0), b and c: unjudged
        Map<String, Integer> grades = Map.of("d", 2, "a", 0, "x", 1);

        SideBySide.Comparison c = SideBySide.compare("q", "Q1", grades, Map.of("d", "text of d")::get, QueryMode.BM25, bm25, 12.0, null,
                QueryMode.HYBRID, hybrid, 30.0, null);

        assertThat(c.judged()).isTrue();
        assertThat(c.overlap()).isEqualTo(2); // a and b
        List<SideBySide.Row> left = c.left().hits();
        assertThat(left).extracting(SideBySide.Row::otherRank).containsExactly(3, 2, null);
        assertThat(c.right().hits()).extracting(SideBySide.Row::otherRank).containsExactly(null, 2, 1);

        // bm25 mode: the hit's rank and score are its BM25 evidence; no dense list
        assertThat(left.get(1).bm25Rank()).isEqualTo(2);
        assertThat(left.get(1).bm25Score()).isEqualTo(7.0);
        assertThat(left.get(1).denseRank()).isNull();
        // hybrid: the ranks in each fused list, absent where the list does not hold the hit
        SideBySide.Row d = c.right().hits().get(0);
        assertThat(d.bm25Rank()).isNull();
        assertThat(d.bm25Score()).isNull();
        assertThat(d.denseRank()).isEqualTo(1);
        assertThat(d.denseScore()).isEqualTo(0.9);
        assertThat(d.snippet()).isEqualTo("text of d");
        assertThat(c.right().hits().get(1).snippet()).isNull();
        SideBySide.Row a = c.right().hits().get(2);
        assertThat(a.bm25Rank()).isEqualTo(1);
        assertThat(a.denseRank()).isEqualTo(9);
        assertThat(a.maxSim()).isEqualTo(12.5);

        assertThat(c.right().hits()).extracting(SideBySide.Row::grade).containsExactly(2, null, 0);
        assertThat(c.right().relevant()).isEqualTo(1);
        assertThat(c.left().relevant()).isZero();
        // right: d (gain 2) at rank 1; ideal: 2 then 1 → (2/1) / (2/1 + 1/log2(3))
        assertThat(c.right().ndcg()).isCloseTo(2.0 / (2.0 + 1.0 / (Math.log(3) / Math.log(2))),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.left().ndcg()).isZero();
        assertThat(c.left().millis()).isEqualTo(12.0);
    }

    @Test
    void anUnjudgedQueryHasNoGradesAndADenseHitIsItsOwnDenseEvidence() {
        SearchResult dense = result("dense", hit("a", 1, 0.8, Map.of("dense", 0.8), null));
        SideBySide.Comparison c = SideBySide.compare("q", null, null, id -> null, QueryMode.BM25, null, null, "no answer within 60 s",
                QueryMode.DENSE, dense, 5.0, null);
        assertThat(c.judged()).isFalse();
        assertThat(c.overlap()).isZero();
        assertThat(c.left().error()).isEqualTo("no answer within 60 s");
        assertThat(c.left().hits()).isEmpty();
        SideBySide.Row a = c.right().hits().get(0);
        assertThat(a.grade()).isNull();
        assertThat(a.denseRank()).isEqualTo(1);
        assertThat(a.denseScore()).isEqualTo(0.8);
        assertThat(a.bm25Rank()).isNull();
        assertThat(c.right().ndcg()).isNull();
    }

    @Test
    void aDegradedAnswerIsShownAsTheModeThatMadeIt() {
        // a dense query whose text could not be encoded is answered by bm25
        SearchResult degraded = result("bm25", hit("a", 1, 3.0, Map.of("bm25", 3.0), null));
        degraded.degraded.add(new dev.streamretrieval.schemas.Degradation("query_encode", "model failed", "dense"));
        SideBySide.Comparison c = SideBySide.compare("q", null, null, id -> null, QueryMode.BM25, degraded, 1.0, null,
                QueryMode.DENSE, degraded, 1.0, null);
        assertThat(c.right().mode()).isEqualTo("bm25");
        assertThat(c.right().hits().get(0).bm25Rank()).isEqualTo(1);
        assertThat(c.right().hits().get(0).denseRank()).isNull();
        assertThat(c.right().notes()).singleElement().asString().contains("query_encode");
    }
}
