package dev.streamretrieval.operators.encoding;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a model folder says about sequence length and truncation, read where a Hugging Face export writes it:
 * <ul>
 *   <li>{@code tokenizer_config.json}: {@code model_max_length} (the model's limit, e.g. 512 for BERT; the
 *       library writes 10^30 for "no limit", which is ignored) and {@code truncation_side};</li>
 *   <li>{@code tokenizer.json}: its {@code truncation} section ({@code max_length}, {@code direction}), which an
 *       export sets when it was saved with truncation on.</li>
 * </ul>
 * tokenizer_config.json wins where both say something. Applied to a {@link ModelSpec}: every length model.json
 * leaves out is today's default ({@code max_query_tokens} 64, {@code max_passage_tokens} 256,
 * {@code max_pair_tokens} 512) capped at the folder's limit; a length model.json sets is kept, but one above
 * {@code model_max_length} is refused (the model has no position embeddings past it). The truncation side is
 * model.json's, else the folder's, else right.
 */
record TokenizerLimits(int modelMaxLength, int truncationMaxLength, String truncationSide, String source) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Larger values of model_max_length mean "not set" (transformers writes int(1e30)). */
    private static final double UNSET = 1e9;

    static TokenizerLimits read(Path folder, String tokenizerLocation) {
        int modelMax = 0;
        String side = null;
        String source = "";
        Path config = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(config)) {
            JsonNode c;
            try {
                c = JSON.readTree(config.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + config + ": " + e.getMessage(), e);
            }
            JsonNode max = c.path("model_max_length");
            if (max.isNumber() && max.asDouble() > 0 && max.asDouble() < UNSET) {
                modelMax = max.asInt();
                source = "model_max_length " + modelMax + " in " + config;
            }
            if (c.path("truncation_side").isTextual()) {
                side = c.get("truncation_side").asText().toLowerCase(Locale.ROOT);
            }
        }
        JsonNode truncation = truncationSection(tokenizerLocation);
        int truncationMax = truncation.path("max_length").asInt(0);
        if (side == null && truncation.path("direction").isTextual()) {
            side = truncation.get("direction").asText().toLowerCase(Locale.ROOT);
        }
        if (source.isEmpty() && truncationMax > 0) {
            source = "truncation.max_length " + truncationMax + " in " + tokenizerLocation;
        }
        return new TokenizerLimits(modelMax, truncationMax, side, source);
    }

    /** tokenizer.json's top-level "truncation" (missing node when absent, null or unreadable), read as a stream. */
    private static JsonNode truncationSection(String location) {
        if (!location.startsWith("classpath:") && !Files.isRegularFile(Path.of(location))) {
            return JSON.missingNode(); // reported by the model check, with the folder's listing
        }
        try (InputStream in = ModelSpec.open(location); JsonParser p = JSON.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return JSON.missingNode();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("truncation")) {
                    JsonNode t = p.readValueAsTree();
                    return t == null || t.isNull() ? JSON.missingNode() : t;
                }
                p.skipChildren();
            }
            return JSON.missingNode();
        } catch (IOException | RuntimeException e) {
            return JSON.missingNode(); // an unreadable tokenizer.json is reported by the model check
        }
    }

    /** The folder's limit for lengths model.json leaves out: model_max_length, else tokenizer.json's; 0 for none. */
    int limit() {
        return modelMaxLength > 0 ? modelMaxLength : truncationMaxLength;
    }

    /** Fills what model.json ({@code explicit}) leaves out and refuses lengths past the model's limit. */
    void apply(ModelSpec spec, JsonNode explicit) {
        spec.maxQueryTokens = length(spec, explicit, "max_query_tokens", spec.maxQueryTokens);
        spec.maxPassageTokens = length(spec, explicit, "max_passage_tokens", spec.maxPassageTokens);
        spec.maxPairTokens = length(spec, explicit, "max_pair_tokens", spec.maxPairTokens);
        if (!explicit.has("truncation_side") && truncationSide != null) {
            spec.truncationSide = truncationSide;
        }
        if (!spec.truncationSide.equals("right") && !spec.truncationSide.equals("left")) {
            throw new IllegalArgumentException(spec + ": truncation_side '" + spec.truncationSide
                    + "' is not right or left");
        }
    }

    private int length(ModelSpec spec, JsonNode explicit, String key, int value) {
        if (explicit.has(key)) {
            if (modelMaxLength > 0 && value > modelMaxLength) {
                throw new IllegalArgumentException(spec + ": " + key + " " + value + " in model.json is more than the"
                        + " model's limit (" + source + ")");
            }
            return value;
        }
        return limit() > 0 ? Math.min(value, limit()) : value;
    }
}
