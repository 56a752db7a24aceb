package dev.streamretrieval.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Refusals added for the hostile-input suite: wrong encodings, unpaired surrogates, query token limit. */
class HostileInputDecodersTest {
    private final InputLimits limits = new InputLimits();
    private final DocumentDecoder docs = new DocumentDecoder(limits);
    private final QueryDecoder queries = new QueryDecoder(limits);

    @Test
    void refusesUtf16AndUtf32Json() {
        String json = "{\"id\":\"u\",\"text\":\"hello\"}";
        for (String charset : new String[] {"UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32"}) {
            Decoded<Document> d = docs.decode(null, json.getBytes(java.nio.charset.Charset.forName(charset)));
            assertThat(d.isOk()).as(charset).isFalse();
            assertThat(d.error()).as(charset).contains("looks like UTF-16 or UTF-32");
            assertThat(queries.decode(null, json.getBytes(java.nio.charset.Charset.forName(charset))).error())
                    .as(charset).contains("looks like UTF-16 or UTF-32");
        }
        // a UTF-8 byte-order mark is still UTF-8
        assertThat(docs.decode(null, ("\uFEFF" + json).getBytes(StandardCharsets.UTF_8)).isOk()).isTrue();
    }

    @Test
    void refusesUnpairedSurrogates() {
        Decoded<Document> lone = docs.decode(null, b("{\"id\":\"s\",\"text\":\"a\\ud800b\"}"));
        assertThat(lone.error()).contains("field 'text' contains an unpaired surrogate \\uD800 at character 1");
        Decoded<Document> low = docs.decode(null, b("{\"id\":\"s\",\"title\":\"\\udc00\",\"text\":\"x\"}"));
        assertThat(low.error()).contains("field 'title' contains an unpaired surrogate \\uDC00");
        Decoded<Document> pair = docs.decode(null, b("{\"id\":\"s\",\"text\":\"emoji \\ud83d\\ude00 ok\"}"));
        assertThat(pair.isOk()).isTrue();
        assertThat(queries.decode(null, b("{\"id\":\"q\",\"text\":\"x\\ud800\"}")).error())
                .contains("unpaired surrogate");
    }

    @Test
    void limitsQueryTokens() {
        limits.maxQueryTokens = 5;
        QueryDecoder q = new QueryDecoder(limits);
        assertThat(q.decode(null, b("{\"id\":\"q\",\"text\":\"one two, three-four five\"}")).isOk()).isTrue();
        assertThat(q.decode(null, b("{\"id\":\"q\",\"text\":\"a b c d e f\"}")).error())
                .isEqualTo("query text has more than 5 tokens (the --max-query-tokens limit)");
        assertThat(QueryDecoder.countTokens("  héllo wörld 42 — ünïcode\u00A0x ", 100)).isEqualTo(5);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
