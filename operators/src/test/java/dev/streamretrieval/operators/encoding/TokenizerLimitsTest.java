package dev.streamretrieval.operators.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels;
import dev.streamretrieval.operators.encoding.tokenizer.GeneratedTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lengths and truncation side from a model folder's own files (tokenizer_config.json, tokenizer.json), model.json
 * winning where it says something, and what a folder without its tokenizer.json is told.
 */
class TokenizerLimitsTest {

    /** A folder with a generated tokenizer and a bi-encoder whose hidden state is (token id, 1). */
    private static Path folder(Path dir, ObjectNode tokenizer) throws Exception {
        GeneratedTokenizers.write(tokenizer, dir.resolve("tokenizer.json"));
        float[][] embedding = new float[13][2];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i][0] = i;
            embedding[i][1] = 1;
        }
        OnnxTestModels.writeBiEncoder(dir, embedding);
        return dir;
    }

    @Test
    void withoutAnySettingTheLengthsAreTheDefaultsAndTruncationIsRight(@TempDir Path tmp) throws Exception {
        ModelSpec spec = ModelSpec.fromFolder(folder(tmp, GeneratedTokenizers.wordPiece()), "dense");
        assertThat(List.of(spec.maxQueryTokens, spec.maxPassageTokens, spec.maxPairTokens)).containsExactly(64, 256, 512);
        assertThat(spec.truncationSide).isEqualTo("right");
    }

    @Test
    void tokenizerConfigCapsTheDefaultsAndSetsTheSide(@TempDir Path tmp) throws Exception {
        Path f = folder(tmp, GeneratedTokenizers.wordPiece());
        Files.writeString(f.resolve("tokenizer_config.json"), "{\"model_max_length\": 128, \"truncation_side\": \"left\"}");
        ModelSpec spec = ModelSpec.fromFolder(f, "dense");
        assertThat(List.of(spec.maxQueryTokens, spec.maxPassageTokens, spec.maxPairTokens)).containsExactly(64, 128, 128);
        assertThat(spec.truncationSide).isEqualTo("left");
    }

    @Test
    void tokenizerJsonTruncationCountsWhenTheConfigSetsNoLimit(@TempDir Path tmp) throws Exception {
        ObjectNode tokenizer = GeneratedTokenizers.wordPiece();
        tokenizer.putObject("truncation").put("direction", "Left").put("max_length", 100).put("strategy", "LongestFirst")
                .put("stride", 0);
        Path f = folder(tmp, tokenizer);
        // transformers writes int(1e30) when a model has no limit
        Files.writeString(f.resolve("tokenizer_config.json"), "{\"model_max_length\": 1000000000000000019884624838656}");
        ModelSpec spec = ModelSpec.fromFolder(f, "dense");
        assertThat(List.of(spec.maxQueryTokens, spec.maxPassageTokens, spec.maxPairTokens)).containsExactly(64, 100, 100);
        assertThat(spec.truncationSide).isEqualTo("left");
    }

    @Test
    void modelJsonWinsButCannotGoPastTheModelsLimit(@TempDir Path tmp) throws Exception {
        Path f = folder(tmp, GeneratedTokenizers.wordPiece());
        Files.writeString(f.resolve("tokenizer_config.json"), "{\"model_max_length\": 512, \"truncation_side\": \"left\"}");
        Files.writeString(f.resolve("model.json"), "{\"max_passage_tokens\": 300, \"truncation_side\": \"right\"}");
        ModelSpec spec = ModelSpec.fromFolder(f, "dense");
        assertThat(spec.maxPassageTokens).isEqualTo(300);
        assertThat(spec.truncationSide).isEqualTo("right");
        Files.writeString(f.resolve("model.json"), "{\"max_passage_tokens\": 1024}");
        assertThatThrownBy(() -> ModelSpec.fromFolder(f, "dense")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_passage_tokens 1024 in model.json is more than the model's limit"
                        + " (model_max_length 512 in " + f.resolve("tokenizer_config.json") + ")");
        Files.writeString(f.resolve("model.json"), "{\"truncation_side\": \"middle\"}");
        assertThatThrownBy(() -> ModelSpec.fromFolder(f, "dense")).hasMessageContaining("truncation_side 'middle'");
    }

    @Test
    void theEncodersTokeniseWithTheFoldersSideAndLength(@TempDir Path tmp) throws Exception {
        Path f = folder(tmp, GeneratedTokenizers.wordPiece());
        Files.writeString(f.resolve("tokenizer_config.json"), "{\"model_max_length\": 6, \"truncation_side\": \"left\"}");
        // pieces 5 6 7 9 10 11 8 1 (see ModelTokenizerTest); 6 tokens with [CLS] [SEP], the end kept
        try (DenseEncoder dense = DenseEncoder.open(ModelSpec.fromFolder(f, "dense"), 1, 4)) {
            assertThat(dense.tokenizePassages(List.of("Streaming Flink, plays state!")).get(0).ids)
                    .containsExactly(2, 10, 11, 8, 1, 3);
            // the model ran on those ids: hidden state (id, 1), mean-pooled ((2+10+11+8+1+3)/6, 1), then normalised
            float[] v = dense.encodePassages(List.of("Streaming Flink, plays state!"))[0];
            assertThat(v[0] / v[1]).isCloseTo(35f / 6, org.assertj.core.data.Offset.offset(1e-4f));
        }
        Files.writeString(f.resolve("tokenizer_config.json"), "{\"model_max_length\": 6}");
        try (DenseEncoder dense = DenseEncoder.open(ModelSpec.fromFolder(f, "dense"), 1, 4)) {
            assertThat(dense.tokenizePassages(List.of("Streaming Flink, plays state!")).get(0).ids)
                    .containsExactly(2, 5, 6, 7, 9, 3);
        }
    }

    @Test
    void aMissingTokenizerJsonIsReportedWithWhatTheFolderHas(@TempDir Path tmp) throws Exception {
        Path f = folder(tmp, GeneratedTokenizers.wordPiece());
        Files.delete(f.resolve("tokenizer.json"));
        Files.writeString(f.resolve("vocab.txt"), "[PAD]\n");
        Files.createDirectories(f.resolve("onnx"));
        List<String> problems = OnnxModel.check(ModelSpec.fromFolder(f, "dense"), 3).problems();
        assertThat(problems).singleElement().asString()
                .startsWith("tokenizer file " + f.resolve("tokenizer.json").toAbsolutePath() + " is missing ("
                        + f.toAbsolutePath() + " has model.onnx, onnx/, vocab.txt)")
                .contains("save_pretrained");
    }
}
