package dev.streamretrieval.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LuceneBaselineTest {
    private static final double K1 = 0.9;
    private static final double B = 0.4;
    private final TextAnalyzer analyzer = new TextAnalyzer(new AnalyzerOptions());

    private static Document doc(String id, String text) {
        return Document.upsert(id, "", text, null);
    }

    @Test
    void rareTermOutweighsCommonTerm() {
        // Every document has 3 tokens. "lucene" occurs in 1 of 5 documents, "kafka" in 4, so idf(lucene) >
        // idf(kafka); with equal lengths and tf = 1 the only lucene document must rank first, and the four kafka
        // documents tie behind it in insertion order.
        List<Document> docs = List.of(
                doc("d1", "kafka broker filler"),
                doc("d2", "lucene broker filler"),
                doc("d3", "kafka filler filler"),
                doc("d4", "kafka filler filler"),
                doc("d5", "kafka filler filler"),
                doc("d6", "nothing relevant here"));
        try (LuceneBaseline lucene = LuceneBaseline.build(docs, analyzer, K1, B)) {
            assertThat(lucene.size()).isEqualTo(6);
            assertThat(lucene.search("kafka lucene", 10)).containsExactly("d2", "d1", "d3", "d4", "d5");
            assertThat(lucene.search("kafka lucene", 2)).containsExactly("d2", "d1");
            assertThat(lucene.search("zebra", 10)).isEmpty();
        }
    }

    @Test
    void scoreMatchesTheBm25Formula() {
        List<Document> docs = repeatedTermCollection();
        try (LuceneBaseline lucene = LuceneBaseline.build(docs, analyzer, K1, B)) {
            // N = 6, df(alpha) = 2, avgdl = (3 + 3 + 6 + 3 + 3 + 3) / 6 = 3.5, document A has dl = 3 and tf = 1:
            //   idf   = ln(1 + (6 - 2 + 0.5) / (2 + 0.5)) = ln(2.8) = 1.029619
            //   score = idf · tf / (tf + k1 · (1 - b + b · dl / avgdl)) = 1.029619 / (1 + 0.9 · 0.942857) = 0.556984
            double idf = Math.log(1 + (6 - 2 + 0.5) / (2 + 0.5));
            double expected = idf * 1 / (1 + K1 * (1 - B + B * 3 / 3.5));
            List<LuceneBaseline.ScoredDoc> hits = lucene.searchScored("alpha", 10);
            assertThat(hits.get(0).id()).isEqualTo("A");
            assertThat((double) hits.get(0).score()).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void repeatedQueryTermCountsTwice() {
        List<Document> docs = repeatedTermCollection();
        try (LuceneBaseline lucene = LuceneBaseline.build(docs, analyzer, K1, B)) {
            // idf(alpha) = ln(2.8) = 1.0296 (df 2), idf(beta) = ln(1 + 5.5/1.5) = 1.5404 (df 1).
            // tf part for dl = 3: 1 / (1 + 0.9 · (0.6 + 0.4 · 3/3.5)) = 0.5410; for dl = 6 (C): 1 / (1 + 0.9 ·
            // (0.6 + 0.4 · 6/3.5)) = 0.4636.
            // "alpha beta":       A = 1.0296 · 0.5410 = 0.557, B = 1.5404 · 0.5410 = 0.833, C = 1.0296 · 0.4636 = 0.477
            //                     → B, A, C
            // "alpha alpha beta": alpha counts twice: A = 1.114, C = 0.955, B = 0.833 → A, C, B
            // If repeated tokens were collapsed, the second ranking would stay B, A, C.
            assertThat(lucene.search("alpha beta", 10)).containsExactly("B", "A", "C");
            assertThat(lucene.search("alpha alpha beta", 10)).containsExactly("A", "C", "B");

            float once = lucene.searchScored("alpha", 1).get(0).score();
            float twice = lucene.searchScored("alpha alpha", 1).get(0).score();
            assertThat((double) twice).isCloseTo(2.0 * once, within(1e-5));
        }
    }

    private static List<Document> repeatedTermCollection() {
        return List.of(
                doc("A", "alpha filler filler"),
                doc("B", "beta filler filler"),
                doc("C", "alpha filler filler filler filler filler"),
                doc("D", "filler filler filler"),
                doc("E", "filler filler filler"),
                doc("F", "filler filler filler"));
    }

    @Test
    void queryWithoutTokensReturnsNothing() {
        try (LuceneBaseline lucene = LuceneBaseline.build(repeatedTermCollection(), analyzer, K1, B)) {
            assertThat(lucene.search("the of and", 10)).isEmpty();
            assertThat(lucene.search("", 10)).isEmpty();
        }
    }

    @Test
    void titleIsIndexedAndLongQueriesWork() {
        List<Document> docs = List.of(
                Document.upsert("t", "Checkpoints", "Snapshots of state.", null),
                Document.upsert("u", "Cooking", "Pasta and sauce.", null));
        try (LuceneBaseline lucene = LuceneBaseline.build(docs, analyzer, K1, B)) {
            assertThat(lucene.search("checkpoint", 10)).containsExactly("t");
            // Longer than Lucene's default limit of 1024 clauses.
            String longQuery = "pasta ".repeat(3000);
            assertThat(lucene.search(longQuery, 10)).containsExactly("u");
        }
    }

    @Test
    void searchAllKeepsQueryOrder() {
        try (LuceneBaseline lucene = LuceneBaseline.build(repeatedTermCollection(), analyzer, K1, B)) {
            Map<String, List<String>> run = lucene.searchAll(
                    List.of(Query.search("q2", "beta", null), Query.search("q1", "alpha", null)), 1);
            assertThat(run.keySet()).containsExactly("q2", "q1");
            assertThat(run.get("q2")).containsExactly("B");
            assertThat(run.get("q1")).containsExactly("A");
        }
    }

    @Test
    void sampleCollectionIsRetrievable() {
        BeirCollection sample = BeirCollection.sample();
        try (LuceneBaseline lucene = LuceneBaseline.build(sample.documents(), analyzer, K1, B)) {
            MetricSummary s = MetricSummary.of(lucene.searchAll(sample.queries(), 100), sample.qrels());
            System.out.println("sample BM25: " + s);
            assertThat(s.queries()).isEqualTo(sample.queries().size());
            // Every sample query was written to be answerable by keywords.
            assertThat(s.get("Success@10")).isEqualTo(1.0);
            assertThat(s.get("nDCG@10")).isGreaterThan(0.7);
        }
    }

    @Test
    void cranfieldBaselineIsPlausible() {
        Path folder = SharedCollections.folder("cranfield");
        BeirCollection cran = BeirCollection.load(folder);
        try (LuceneBaseline lucene = LuceneBaseline.build(cran.documents(), analyzer, K1, B)) {
            MetricSummary s = MetricSummary.of(lucene.searchAll(cran.queries(), 100), cran.qrels());
            System.out.println("cranfield BM25: " + s);
            assertThat(s.queries()).isEqualTo(225);
            assertThat(s.get("nDCG@10")).isBetween(0.2, 0.6);
            List<String> ids = new ArrayList<>();
            cran.documents().forEach(d -> ids.add(d.id));
            assertThat(lucene.size()).isEqualTo(ids.size());
        }
    }
}
