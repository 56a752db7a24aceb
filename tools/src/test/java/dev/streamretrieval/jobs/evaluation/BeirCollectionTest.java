package dev.streamretrieval.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirCollectionTest {
    @Test
    void loadsCranfield() {
        Path folder = SharedCollections.folder("cranfield");
        BeirCollection c = BeirCollection.load(folder);
        assertThat(c.name()).isEqualTo("cranfield");
        assertThat(c.documents()).hasSize(1400);
        assertThat(c.queries()).hasSize(225);
        assertThat(c.qrels().queryIds()).hasSize(225);
        assertThat(c.documents().get(0).id).isEqualTo("1");
        assertThat(c.documents().get(0).title).startsWith("experimental investigation");
        assertThat(c.queries().get(0).id).isEqualTo("1");
        assertThat(c.qrels().grade("1", "184")).isEqualTo(3);
        assertThat(c.qrels().grade("1", "no-such-doc")).isZero();
    }

    @Test
    void loadsTheShippedSample() {
        BeirCollection s = BeirCollection.loadClasspath("sample", "sample");
        assertThat(s.name()).isEqualTo("sample");
        assertThat(s.documents()).hasSizeBetween(50, 70);
        assertThat(s.queries()).hasSizeBetween(12, 15);
        assertThat(s.documents().get(0).id).isEqualTo("s01");
        Set<String> docIds = new HashSet<>();
        for (Document d : s.documents()) {
            docIds.add(d.id);
            assertThat(d.title).isNotBlank();
            assertThat(d.text).isNotBlank();
        }
        for (Query q : s.queries()) {
            assertThat(s.qrels().relevant(q.id)).hasSizeBetween(1, 4);
            assertThat(docIds).containsAll(s.qrels().relevant(q.id));
            assertThat(s.qrels().judgments(q.id).values()).allMatch(g -> g == 1 || g == 2);
        }
        assertThat(s.queries(100)).allMatch(q -> q.k == 100);
        assertThat(BeirCollection.sample().documents()).hasSize(s.documents().size());
    }

    @Test
    void keepsOnlyJudgedQueriesInFileOrder(@TempDir Path dir) throws Exception {
        write(dir, "{\"_id\":\"d1\",\"title\":\"T\",\"text\":\"x\",\"metadata\":{}}\n\n{\"_id\":\"d2\",\"text\":\"y\"}\n",
                "{\"_id\":\"b\",\"text\":\"second\"}\n{\"_id\":\"a\",\"text\":\"first\"}\n{\"_id\":\"c\",\"text\":\"none\"}\n",
                "query-id\tcorpus-id\tscore\na\td1\t1\nb\td2\t2\nc\td1\t0\n");
        BeirCollection c = BeirCollection.load(dir);
        assertThat(c.documents()).extracting(d -> d.id).containsExactly("d1", "d2");
        assertThat(c.documents().get(1).title).isEmpty();
        assertThat(c.queries()).extracting(q -> q.id).containsExactly("b", "a");
        assertThat(c.allQueries()).hasSize(3);
        assertThat(c.qrels().queryIds()).containsExactly("a", "b", "c");
        assertThat(c.qrels().relevant("c")).isEmpty();
        assertThat(c.qrels().relevant("b")).containsExactly("d2");
    }

    @Test
    void badLinesNameFileAndLine(@TempDir Path dir) throws Exception {
        write(dir, "{\"_id\":\"d1\",\"text\":\"x\"}\n{not json\n", "{\"_id\":\"a\",\"text\":\"q\"}\n",
                "query-id\tcorpus-id\tscore\n");
        assertThatThrownBy(() -> BeirCollection.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corpus.jsonl line 2");

        write(dir, "{\"_id\":\"d1\",\"text\":\"x\"}\n", "{\"_id\":\"a\",\"text\":\"q\"}\n",
                "query-id\tcorpus-id\tscore\na\td1\t1\na\td1\n");
        assertThatThrownBy(() -> BeirCollection.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.tsv line 3");

        write(dir, "{\"_id\":\"d1\",\"text\":\"x\"}\n", "{\"text\":\"q\"}\n", "query-id\tcorpus-id\tscore\n");
        assertThatThrownBy(() -> BeirCollection.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queries.jsonl line 1");

        write(dir, "{\"_id\":\"d1\",\"text\":\"x\"}\n{\"_id\":\"d1\",\"text\":\"y\"}\n", "", "");
        assertThatThrownBy(() -> BeirCollection.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("more than once");
    }

    @Test
    void documentsJsonlAcceptsBothIdForms(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("docs.jsonl");
        Files.writeString(file, "{\"_id\":\"b1\",\"title\":\"Beir\",\"text\":\"corpus line\"}\n"
                + "{\"id\":\"o1\",\"title\":\"Ours\",\"text\":\"document message\",\"op\":\"upsert\",\"version\":3}\n",
                StandardCharsets.UTF_8);
        List<Document> docs = BeirCollection.loadDocumentsJsonl(file);
        assertThat(docs).extracting(d -> d.id).containsExactly("b1", "o1");
        assertThat(docs.get(1).version).isEqualTo(3L);
        assertThat(docs.get(1).indexableText()).isEqualTo("Ours document message");

        Files.writeString(file, "{\"id\":\"o1\",\"op\":\"delete\"}\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> BeirCollection.loadDocumentsJsonl(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1");
    }

    private static void write(Path dir, String corpus, String queries, String qrels) throws Exception {
        Files.createDirectories(dir.resolve("qrels"));
        Files.writeString(dir.resolve("corpus.jsonl"), corpus, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("queries.jsonl"), queries, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("qrels/test.tsv"), qrels, StandardCharsets.UTF_8);
    }
}
