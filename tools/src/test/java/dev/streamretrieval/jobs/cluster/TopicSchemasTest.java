package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.streamretrieval.schemas.DocumentDecoder;
import dev.streamretrieval.schemas.InputLimits;
import dev.streamretrieval.schemas.QueryDecoder;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The topic JSON Schemas ({@code schemas/src/main/resources/schemas}) against the decoders the job runs: every
 * record of the hostile-input corpus ({@link HostileRecords}, the one {@code LocalClusterIT} puts on the topics)
 * and every valid sample goes through both, and the test fails where one accepts what the other refuses, except for
 * the refusals listed in {@link #BEYOND_THE_SCHEMA}, which depend on something a schema of the value cannot see.
 *
 * <p>A schema validates a JSON text, so a value is first read the way the topic contract defines JSON: UTF-8
 * (strictly; RFC 8259 §8.1), one value with nothing after it, no comments, no duplicate names (RFC 8259 §4 says
 * SHOULD; the decoders refuse them), numbers read exactly. A value that is not such a text
 * is refused by the "schema" side before validation.
 */
class TopicSchemasTest {
    /** Hostile records the decoders refuse for reasons outside the value's JSON, with the reason. */
    static final Map<String, String> BEYOND_THE_SCHEMA = Map.of(
            "record key differs from id", "the record key is not part of the value",
            "10 MB text", "a byte limit of the record (--max-document-bytes), a job option",
            "query: too many tokens (1,100)", "tokens (runs of letters and digits) are counted by the decoder, "
                    + "up to --max-query-tokens, a job option",
            "vector of the wrong dimension", "the dimension is the job's (--vector-dimension or the model's)",
            "query: vector of the wrong dimension", "the dimension is the job's",
            "deeply nested JSON (depth 40)", "a nesting limit of the reader (16 levels) in an extra field; JSON "
                    + "Schema cannot limit depth");

    /** Refused by the job after decoding (query planning), so the decoders accept them like the schema. */
    static final Set<String> REFUSED_AFTER_DECODING = Set.of(
            "query: mode this job does not run", "query: dense mode without a vector, no model");

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // a JSON number is a decimal of any size: 1e400 must stay 1e400 (a double would make it Infinity)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private final InputLimits limits = new InputLimits().withVectorDimension(3); // as LocalClusterIT's job
    private final DocumentDecoder documents = new DocumentDecoder(limits);
    private final QueryDecoder queries = new QueryDecoder(limits);
    private final JsonSchema documentSchema = schema("documents");
    private final JsonSchema querySchema = schema("queries");

    private static JsonSchema schema(String topic) {
        try (InputStream in = TopicSchemasTest.class.getResourceAsStream("/schemas/" + topic + ".schema.json")) {
            assertThat(in).as("schema of " + topic).isNotNull();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What the schema side says about a value: empty when valid, else why not. */
    private List<String> schemaProblems(boolean document, byte[] value) {
        if (value == null) {
            // a tombstone: deletes a document by key; never a query
            return document ? List.of() : List.of("null value");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return List.of("not UTF-8");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        JsonNode node;
        try {
            node = STRICT.readTree(text);
        } catch (Exception e) {
            return List.of("not one JSON text: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (node == null || node.isMissingNode()) {
            return List.of("empty");
        }
        Set<ValidationMessage> errors = (document ? documentSchema : querySchema).validate(node);
        List<String> out = new ArrayList<>();
        errors.forEach(m -> out.add(m.getMessage()));
        return out;
    }

    private String decoderError(boolean document, byte[] key, byte[] value) {
        return document ? documents.decode(key, value).error() : queries.decode(key, value).error();
    }

    @Test
    void hostileRecordsAreRefusedByTheSchemasWhereTheDecodersRefuseThem() {
        List<String> disagreements = new ArrayList<>();
        for (HostileRecords.Case c : HostileRecords.cases()) {
            byte[] key = c.key() == null ? null : c.key().getBytes(StandardCharsets.UTF_8);
            String decoder = decoderError(c.document(), key, c.value());
            List<String> schema = schemaProblems(c.document(), c.value());
            boolean decoderRefuses = decoder != null;
            if (REFUSED_AFTER_DECODING.contains(c.name())) {
                assertThat(decoderRefuses).as(c.name() + " is refused after decoding").isFalse();
            } else {
                assertThat(decoderRefuses).as(c.name() + " is refused by the decoder").isTrue();
            }
            boolean expectSchemaRefuses = decoderRefuses && !BEYOND_THE_SCHEMA.containsKey(c.name());
            if (expectSchemaRefuses != !schema.isEmpty()) {
                disagreements.add(c.name() + ": decoder " + (decoderRefuses ? "refuses (" + decoder + ")" : "accepts")
                        + ", schema " + (schema.isEmpty() ? "accepts" : "refuses " + schema));
            }
        }
        assertThat(disagreements).as("records where the schemas and the decoders disagree").isEmpty();
    }

    @Test
    void validSamplesPassBoth() {
        List<String> docs = List.of(
                "{\"id\": \"d1\", \"text\": \"Kafka topics and partitions\"}",
                "{\"id\": \"d2\", \"title\": \"Flink\", \"text\": \"\"}",
                "{\"id\": \"d3\", \"title\": null, \"text\": \"caf\u00e9 \uD83D\uDE00 na\u00efve\", \"version\": 7}",
                "{\"id\": \"d4\", \"op\": \"delete\"}",
                "{\"id\": \"d5\", \"text\": \"with a vector\", \"vector\": [0.5, -1, 2e-3]}",
                "{\"id\": \"d6\", \"text\": \"an extra field is kept\", \"source\": {\"url\": \"x\"}}");
        List<String> qs = List.of(
                "{\"id\": \"q1\", \"text\": \"kafka\"}",
                "{\"id\": \"q2\", \"text\": \"kafka flink\", \"k\": 1000, \"mode\": \"bm25\", \"fusion\": \"linear\"}",
                "{\"id\": \"q3\", \"text\": \"x\", \"mode\": \"hybrid\", \"vector\": [1, 0, 0]}",
                "{\"id\": \"q4\", \"op\": \"stats\"}");
        for (String d : docs) {
            byte[] v = d.getBytes(StandardCharsets.UTF_8);
            String id = STRICT.valueToTree(parse(d)).get("id").asText();
            assertThat(decoderError(true, id.getBytes(StandardCharsets.UTF_8), v)).as(d).isNull();
            assertThat(schemaProblems(true, v)).as(d).isEmpty();
        }
        for (String q : qs) {
            byte[] v = q.getBytes(StandardCharsets.UTF_8);
            assertThat(decoderError(false, null, v)).as(q).isNull();
            assertThat(schemaProblems(false, v)).as(q).isEmpty();
        }
        // a tombstone deletes a document
        assertThat(decoderError(true, "d1".getBytes(StandardCharsets.UTF_8), null)).isNull();
        assertThat(schemaProblems(true, null)).isEmpty();
    }

    private static JsonNode parse(String s) {
        try {
            return STRICT.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
