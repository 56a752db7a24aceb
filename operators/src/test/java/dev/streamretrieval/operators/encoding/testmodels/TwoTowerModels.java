package dev.streamretrieval.operators.encoding.testmodels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamretrieval.operators.encoding.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Dense model folders for two-tower tests: generated bi-encoders ({@link OnnxTestModels#writeBiEncoder}) with the
 * built-in BERT uncased {@code tokenizer.json}, whose embedding table sends chosen words to chosen axes. Every
 * other row is zero except {@code [CLS]} and {@code [SEP]}, which share a small common axis (the last one) so
 * that no pooled or token vector is all zero. A one-word text then encodes (mean pooling, L2 normalised) to
 * {@code (e_axis + 0.2·e_last) / ‖·‖}: two models that send the same word to different axes give vectors whose
 * rankings tell which model encoded a text.
 */
public final class TwoTowerModels {
    private TwoTowerModels() {}

    private static final String TOKENIZER = "classpath:/all-minilm-l6-v2-q-tokenizer.json";
    private static final float CLS_SEP = 0.1f;

    /**
     * Writes {@code model.onnx}, {@code tokenizer.json} and a dense {@code model.json} to {@code dir}; word
     * {@code w} (a whole word of the BERT uncased vocabulary) gets the unit vector on axis {@code axes.get(w)}
     * ({@code < hidden - 1}).
     */
    public static Path write(Path dir, int hidden, Map<String, Integer> axes) {
        try {
            Files.createDirectories(dir);
            try (InputStream in = ModelSpec.open(TOKENIZER)) {
                Files.copy(in, dir.resolve("tokenizer.json"));
            }
            JsonNode vocab = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile()).path("model").path("vocab");
            float[][] embedding = new float[vocab.size()][hidden];
            for (Map.Entry<String, Integer> e : axes.entrySet()) {
                if (e.getValue() >= hidden - 1) {
                    throw new IllegalArgumentException("axis " + e.getValue() + " is the [CLS]/[SEP] axis or beyond");
                }
                embedding[id(vocab, e.getKey())][e.getValue()] = 1f;
            }
            embedding[id(vocab, "[CLS]")][hidden - 1] = CLS_SEP;
            embedding[id(vocab, "[SEP]")][hidden - 1] = CLS_SEP;
            OnnxTestModels.writeBiEncoder(dir, embedding);
            Files.writeString(dir.resolve("model.json"), "{\"role\": \"dense\", \"pooling\": \"mean\"}");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int id(JsonNode vocab, String token) {
        JsonNode id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("'" + token + "' is not a whole token of the vocabulary");
        }
        return id.asInt();
    }
}
