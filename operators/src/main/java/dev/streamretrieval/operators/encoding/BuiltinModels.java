package dev.streamretrieval.operators.encoding;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bi-encoders available without any download: ONNX exports with their tokenizer.json at the root of Maven
 * Central jars (dev.langchain4j:langchain4j-embeddings-*). Each takes input_ids, attention_mask, token_type_ids
 * and returns last_hidden_state [batch, tokens, 384]; pooling and normalisation happen in Java.
 */
public final class BuiltinModels {
    private BuiltinModels() {}

    /** Every built-in model returns 384-dimensional hidden states. */
    public static final int DIMENSION = 384;

    /** name → (resource stem, pooling, query prefix, passage prefix). */
    private static final Map<String, String[]> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("all-minilm-l6-v2", new String[] {"all-minilm-l6-v2", "mean", "", ""});
        MODELS.put("all-minilm-l6-v2-q", new String[] {"all-minilm-l6-v2-q", "mean", "", ""});
        MODELS.put("bge-small-en-v1.5", new String[] {"bge-small-en-v1.5", "cls", "Represent this sentence for searching relevant passages: ", ""});
        MODELS.put("bge-small-en-v1.5-q", new String[] {"bge-small-en-v1.5-q", "cls", "Represent this sentence for searching relevant passages: ", ""});
        MODELS.put("e5-small-v2", new String[] {"e5-small-v2", "mean", "query: ", "passage: "});
        MODELS.put("e5-small-v2-q", new String[] {"e5-small-v2-q", "mean", "query: ", "passage: "});
    }

    public static Iterable<String> names() {
        return MODELS.keySet();
    }

    /**
     * Resolves a model reference: a built-in name, or a folder holding model.onnx, tokenizer.json and optionally
     * model.json. Fails with the list of built-in names when it is neither.
     */
    public static ModelSpec resolve(String reference, String role) {
        String[] m = MODELS.get(reference);
        if (m != null) {
            ModelSpec spec = new ModelSpec();
            spec.name = reference;
            spec.role = role;
            spec.model = "classpath:/" + m[0] + ".onnx";
            spec.tokenizer = "classpath:/" + m[0] + "-tokenizer.json";
            spec.pooling = m[1];
            spec.queryPrefix = m[2];
            spec.passagePrefix = m[3];
            spec.maxQueryTokens = 64;
            spec.maxPassageTokens = 256;
            spec.dimension = DIMENSION;
            return spec;
        }
        Path folder = Path.of(reference);
        if (Files.isDirectory(folder)) {
            ModelSpec spec = ModelSpec.fromFolder(folder, role);
            if (!spec.role.equals(role)) {
                throw new IllegalArgumentException("model " + folder + " has role '" + spec.role + "' in model.json but is used as " + role);
            }
            return spec;
        }
        throw new IllegalArgumentException("model '" + reference + "' is neither a built-in model " + MODELS.keySet()
                + " nor a folder with model.onnx and tokenizer.json");
    }
}
