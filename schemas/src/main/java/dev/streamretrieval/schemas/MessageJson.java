package dev.streamretrieval.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON mapper every codec uses: strict on input (duplicate keys, trailing data, depth), compact on output. */
public final class MessageJson {
    private MessageJson() {}

    /** A mapper that rejects duplicate keys and trailing tokens and bounds nesting depth. */
    public static ObjectMapper strictMapper(int maxDepth) {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(JsonParser.Feature.ALLOW_COMMENTS)
                .build();
    }

    private static final ObjectMapper WRITER = JsonMapper.builder().build();

    public static byte[] write(Object message) {
        try {
            return WRITER.writeValueAsBytes(message);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise " + message.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return WRITER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName(), e);
        }
    }

    public static JsonNode readTree(byte[] json) {
        try {
            return WRITER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JSON", e);
        }
    }
}
