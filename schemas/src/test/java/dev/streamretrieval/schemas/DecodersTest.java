package dev.streamretrieval.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DecodersTest {
    private static final InputLimits LIMITS = new InputLimits();
    private final DocumentDecoder docs = new DocumentDecoder(LIMITS);
    private final QueryDecoder queries = new QueryDecoder(LIMITS);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesValidDocumentsAndTombstones() {
        Decoded<Document> d = docs.decode(b("d1"), b("{\"id\":\"d1\",\"title\":\"T\",\"text\":\"x y\",\"version\":3,\"extra\":1}"));
        assertThat(d.isOk()).isTrue();
        assertThat(d.value()).isEqualTo(Document.upsert("d1", "T", "x y", 3L));
        assertThat(d.value().indexableText()).isEqualTo("T x y");
        Decoded<Document> del = docs.decode(b("d1"), b("{\"id\":\"d1\",\"op\":\"delete\",\"version\":4}"));
        assertThat(del.value()).isEqualTo(Document.delete("d1", 4L));
        Decoded<Document> tomb = docs.decode(b("d9"), null);
        assertThat(tomb.value()).isEqualTo(Document.delete("d9", null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json|{\"id\":|malformed JSON",
        "array|[1,2]|must be a JSON object",
        "missing id|{\"text\":\"x\"}|missing required field 'id'",
        "empty id|{\"id\":\"  \",\"text\":\"x\"}|field 'id' is empty",
        "numeric id|{\"id\":5,\"text\":\"x\"}|field 'id' must be a string, got integer",
        "text wrong type|{\"id\":\"a\",\"text\":[\"x\"]}|field 'text' must be a string, got array",
        "missing text|{\"id\":\"a\"}|missing required field 'text'",
        "empty text|{\"id\":\"a\",\"text\":\" \",\"title\":\"\"}|document has no text",
        "unknown op|{\"id\":\"a\",\"text\":\"x\",\"op\":\"merge\"}|unknown op 'merge'",
        "negative version|{\"id\":\"a\",\"text\":\"x\",\"version\":-1}|field 'version' is -1, outside",
        "string version|{\"id\":\"a\",\"text\":\"x\",\"version\":\"3\"}|field 'version' must be an integer, got string",
        "duplicate key|{\"id\":\"a\",\"id\":\"b\",\"text\":\"x\"}|Duplicate field 'id'",
        "trailing data|{\"id\":\"a\",\"text\":\"x\"} {}|malformed JSON",
        "nul in text|{\"id\":\"a\",\"text\":\"x\\u0000y\"}|contains a NUL character",
        "deep nesting|{\"id\":\"a\",\"text\":\"x\",\"n\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}|nested too deeply",
    })
    void refusesBadDocumentsWithAReason(String name, String json, String reason) {
        Decoded<Document> d = docs.decode(null, b(json));
        assertThat(d.isOk()).as(name).isFalse();
        assertThat(d.error()).as(name).contains(reason);
    }

    @Test
    void refusesInvalidUtf8OversizeKeyMismatchAndKeylessTombstones() {
        byte[] bad = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThat(docs.decode(null, bad).error()).contains("not valid UTF-8");
        byte[] badStart = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'};
        assertThat(docs.decode(null, badStart).error()).contains("not valid UTF-8");
        String big = "{\"id\":\"a\",\"text\":\"" + "x".repeat(LIMITS.maxDocumentBytes) + "\"}";
        assertThat(docs.decode(null, b(big)).error()).contains("over the limit of " + LIMITS.maxDocumentBytes);
        assertThat(docs.decode(b("other"), b("{\"id\":\"a\",\"text\":\"x\"}")).error()).contains("does not match");
        assertThat(docs.decode(null, null).error()).contains("tombstone without a key");
        assertThat(docs.decode(null, new byte[0]).error()).contains("empty document record");
    }

    @Test
    void decodesAndRefusesQueries() {
        Decoded<Query> q = queries.decode(null, b("{\"id\":\"q\",\"text\":\"hello\",\"k\":5,\"mode\":\"bm25\"}"));
        assertThat(q.value().k).isEqualTo(5);
        assertThat(q.value().mode).isEqualTo(QueryMode.BM25);
        assertThat(queries.decode(null, b("{\"id\":\"s\",\"op\":\"stats\"}")).value().op).isEqualTo(QueryOp.STATS);
        assertThat(queries.decode(null, b("{\"id\":\"q\",\"text\":\"x\",\"k\":0}")).error()).contains("outside [1, 1000]");
        assertThat(queries.decode(null, b("{\"id\":\"q\",\"text\":\"x\",\"k\":100000}")).error()).contains("outside");
        assertThat(queries.decode(null, b("{\"id\":\"q\",\"text\":\"x\",\"k\":2.5}")).error()).contains("must be an integer");
        assertThat(queries.decode(null, b("{\"id\":\"q\",\"text\":\"x\",\"mode\":\"magic\"}")).error()).contains("unknown mode");
        assertThat(queries.decode(null, b("{\"id\":\"q\",\"text\":\"\"}")).error()).contains("empty");
        String longText = "w ".repeat(LIMITS.maxQueryChars);
        assertThat(queries.decode(null, b("{\"id\":\"q\",\"text\":\"" + longText + "\"}")).error()).contains("over the limit");
        assertThat(queries.decode(null, null).error()).contains("tombstone");
    }
}
