package dev.streamretrieval.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Refusals added for the hostile-input suite: wrong encodings, unpaired surrogates, query token limit, supplied
 * vectors of the wrong dimension or with non-numbers, infinities or only zeros.
 */
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

    @Test
    void suppliedVectorsAreCheckedAndNormalised() {
        InputLimits three = limits.withVectorDimension(3);
        DocumentDecoder d = new DocumentDecoder(three);
        QueryDecoder q = new QueryDecoder(three);
        Decoded<Document> ok = d.decode(null, b("{\"id\":\"v\",\"text\":\"t\",\"vector\":[3, 0, -4.0]}"));
        assertThat(ok.isOk()).as(ok.error()).isTrue();
        assertThat(ok.value().vector).containsExactly(0.6f, 0f, -0.8f);
        assertThat(d.decode(null, b("{\"id\":\"v\",\"text\":\"t\",\"vector\":null}")).value().vector).isNull();
        assertThat(d.decode(null, b("{\"id\":\"v\",\"text\":\"t\"}")).value().vector).isNull();
        // tiny components: the norm is taken in double, so they do not underflow to a zero vector
        assertThat(d.decode(null, b("{\"id\":\"v\",\"text\":\"t\",\"vector\":[1e-30, 0, 0]}")).value().vector)
                .containsExactly(1f, 0f, 0f);

        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("[1, 2]", "field 'vector' has 2 numbers, but this job's dense vectors have 3 dimensions");
        refused.put("[]", "field 'vector' has 0 numbers, but this job's dense vectors have 3 dimensions");
        refused.put("[1, 2, 3, 4]", "field 'vector' has 4 numbers");
        refused.put("[1, \"NaN\", 3]", "field 'vector' element 1 must be a number, got string");
        refused.put("[1, null, 3]", "field 'vector' element 1 must be a number, got null");
        refused.put("[1, [2], 3]", "field 'vector' element 1 must be a number, got array");
        refused.put("[1, 2, 1e999]", "field 'vector' element 2 is Infinity, not a finite 32-bit float");
        refused.put("[1, -1e39, 3]", "field 'vector' element 1 is -1.0E39, not a finite 32-bit float");
        refused.put("[1, 2, 100000000000000000000000000000000000000000000]", "element 2 is 1" + "0".repeat(39)
                + "..., not a finite 32-bit float");
        refused.put("[0, 0.0, -0]", "field 'vector' is all zeros");
        refused.put("\"1,2,3\"", "field 'vector' must be an array of numbers, got string");
        refused.put("{\"0\": 1}", "field 'vector' must be an array of numbers, got object");
        refused.put("[1, 2, NaN]", "malformed JSON: Non-standard token 'NaN'");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            assertThat(d.decode(null, b("{\"id\":\"v\",\"text\":\"t\",\"vector\":" + e.getKey() + "}")).error())
                    .as("document vector %s", e.getKey()).contains(e.getValue());
            assertThat(q.decode(null, b("{\"id\":\"q\",\"text\":\"t\",\"mode\":\"dense\",\"vector\":" + e.getKey() + "}"))
                    .error()).as("query vector %s", e.getKey()).contains(e.getValue());
        }
        // a job without dense vectors refuses a supplied one instead of dropping it
        assertThat(docs.decode(null, b("{\"id\":\"v\",\"text\":\"t\",\"vector\":[1, 2, 3]}")).error())
                .isEqualTo("field 'vector' is set, but this job keeps no dense vectors (--dense-model none and no"
                        + " --vector-dimension)");
        // a delete carries no vector to check
        assertThat(d.decode(null, b("{\"id\":\"v\",\"op\":\"delete\",\"vector\":[1]}")).isOk()).isTrue();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
