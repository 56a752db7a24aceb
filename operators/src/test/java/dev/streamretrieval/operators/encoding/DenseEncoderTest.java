package dev.streamretrieval.operators.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dense encoder against ONNX Runtime called directly, with the reference Hugging Face tokenizer (DJL) and
 * pooling written out here: cosine similarities must agree to 1e-4.
 */
class DenseEncoderTest {
    private static final List<String[]> PAIRS = List.of(
            new String[] {"How do checkpoints work in Flink?", "Flink periodically snapshots operator state to durable storage."},
            new String[] {"statin use and breast cancer survival", "Cholesterol-lowering drugs were associated with lower mortality."},
            new String[] {"best pasta recipe", "The aerodynamic heating of a hypersonic vehicle's leading edge."},
            new String[] {"Kafka log compaction", "Compaction keeps the latest record for every key in a topic."});

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-en-v1.5-q"})
    void cosineMatchesOnnxRuntimeCalledDirectly(String name, @TempDir Path tmp) throws Exception {
        ModelSpec spec = BuiltinModels.resolve(name, "dense");
        Path tokenizerFile = tmp.resolve("tokenizer.json");
        try (InputStream in = ModelSpec.open(spec.tokenizer)) {
            Files.copy(in, tokenizerFile);
        }
        byte[] model;
        try (InputStream in = ModelSpec.open(spec.model)) {
            model = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (DenseEncoder encoder = DenseEncoder.open(spec, 1, 4);
                HuggingFaceTokenizer reference = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerFile)
                        .optMaxLength(spec.maxPassageTokens).optTruncation(true).optPadding(false).build();
                OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            for (String[] pair : PAIRS) {
                float[] q = encoder.encodeQueries(List.of(pair[0]))[0];
                float[] p = encoder.encodePassages(List.of(pair[1]))[0];
                double ours = VectorMath.dot(q, p);
                float[] rq = direct(session, env, reference.encode(spec.queryPrefix + pair[0]), spec.pooling);
                float[] rp = direct(session, env, reference.encode(spec.passagePrefix + pair[1]), spec.pooling);
                double theirs = cosine(rq, rp);
                assertThat(ours).as("%s: %s / %s", name, pair[0], pair[1]).isCloseTo(theirs, org.assertj.core.data.Offset.offset(1e-4));
            }
            // Batching and padding do not change a vector of a float model. Dynamically quantised (-q) models
            // compute activation scales over the whole batch, so their vectors move a little with the batch.
            float[][] batch = encoder.encodePassages(List.of(PAIRS.get(0)[1], "short", PAIRS.get(2)[1]));
            float[] alone = encoder.encodePassages(List.of("short"))[0];
            float tolerance = name.endsWith("-q") ? 0.05f : 1e-4f;
            assertThat(VectorMath.dot(batch[1], alone)).isCloseTo(1.0f, org.assertj.core.data.Offset.offset(tolerance));
        }
    }

    /** Unnormalised pooled vector computed straight from ONNX Runtime. */
    private static float[] direct(OrtSession session, OrtEnvironment env, Encoding e, String pooling) throws Exception {
        long[] ids = e.getIds();
        long[] mask = e.getAttentionMask();
        long[] types = e.getTypeIds();
        long[] shape = {1, ids.length};
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
                OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            float[][] h = ((float[][][]) r.get("last_hidden_state").get().getValue())[0];
            float[] v = new float[h[0].length];
            if (pooling.equals("cls")) {
                return h[0].clone();
            }
            for (float[] row : h) {
                for (int d = 0; d < v.length; d++) {
                    v[d] += row[d] / h.length;
                }
            }
            return v;
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void refusesAModelWithOtherNamesAndListsWhatItHas(@TempDir Path dir) throws Exception {
        OnnxTestModels.writeWithOutputs(dir, new String[] {"ids", "mask"}, new String[] {"embeddings"});
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        ModelSpec spec = ModelSpec.fromFolder(dir, "dense");
        assertThatThrownBy(() -> DenseEncoder.open(spec, 1, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input 'input_ids' not found")
                .hasMessageContaining("ids")
                .hasMessageContaining("mask")
                .hasMessageContaining("embeddings");
        ModelSpec wrongOutput = ModelSpec.fromFolder(dir, "dense");
        wrongOutput.inputIds = "ids";
        wrongOutput.attentionMask = "mask";
        wrongOutput.tokenTypeIds = "";
        assertThatThrownBy(() -> DenseEncoder.open(wrongOutput, 1, 4))
                .hasMessageContaining("output 'last_hidden_state' not found")
                .hasMessageContaining("embeddings");
    }

    @Test
    void unknownModelReferenceNamesTheBuiltins() {
        assertThatThrownBy(() -> BuiltinModels.resolve("no-such-model", "dense"))
                .hasMessageContaining("all-minilm-l6-v2").hasMessageContaining("bge-small-en-v1.5");
    }
}
