package dev.streamretrieval.operators.encoding.testmodels;

import static dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels.ATTENTION_MASK;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels.INPUT_IDS;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels.LAST_HIDDEN_STATE;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels.LOGITS;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels.TOKEN_TYPE_IDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxTestModelsTest {

  private static final double TOL = 1e-5;
  private static final int VOCAB = 30522;
  private static final int HIDDEN = 16;
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  // 3 rows of lengths 6, 3, 1; padding has id 0, mask 0, token type 0
  private static final long[][] IDS = {
    {101, 2054, 2003, 102, 7592, 102},
    {101, 30000, 102, 0, 0, 0},
    {101, 0, 0, 0, 0, 0},
  };
  private static final long[][] MASK = {
    {1, 1, 1, 1, 1, 1},
    {1, 1, 1, 0, 0, 0},
    {1, 0, 0, 0, 0, 0},
  };
  private static final long[][] TYPES = {
    {0, 0, 0, 0, 1, 1},
    {0, 1, 1, 0, 0, 0},
    {1, 0, 0, 0, 0, 0},
  };

  @TempDir Path tmp;

  // ------------------------------------------------------------------ cross-encoder

  @Test
  void crossEncoderHasBertInputsAndLogitsOutput() throws Exception {
    float[][] emb = OnnxTestModels.randomEmbedding(VOCAB, HIDDEN, 1);
    float[] w = OnnxTestModels.randomEmbedding(1, HIDDEN, 2)[0];
    Path model = OnnxTestModels.writeCrossEncoder(tmp.resolve("ce"), emb, w, 0.25f);

    assertThat(model).isEqualTo(tmp.resolve("ce").resolve("model.onnx"));
    try (Stream<Path> files = Files.list(tmp.resolve("ce"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
    }
    // vocab 30522 x hidden 16 floats ~ 1.95 MB; nothing much else in the file
    assertThat(Files.size(model)).isBetween(1_950_000L, 2_000_000L);

    try (OrtSession s = open(model)) {
      assertBertInputs(s);
      assertThat(s.getOutputInfo().keySet()).containsExactly(LOGITS);
      TensorInfo out = tensorInfo(s.getOutputInfo().get(LOGITS));
      assertThat(out.type).isEqualTo(OnnxJavaType.FLOAT);
      assertThat(out.getShape()).containsExactly(-1L, 1L);
      assertThat(out.getDimensionNames()[0]).isEqualTo("batch_size");
    }
  }

  @Test
  void crossEncoderMatchesPlainJavaFormula() throws Exception {
    float[][] emb = OnnxTestModels.randomEmbedding(VOCAB, HIDDEN, 11);
    float[] w = OnnxTestModels.randomEmbedding(1, HIDDEN, 12)[0];
    float bias = -0.375f;
    Path model = OnnxTestModels.writeCrossEncoder(tmp, emb, w, bias);

    try (OrtSession s = open(model)) {
      float[][] logits = runLogits(s, IDS, MASK, TYPES);
      assertThat(logits.length).isEqualTo(3);
      for (int b = 0; b < 3; b++) {
        assertThat(logits[b]).hasSize(1);
        double expected = expectedLogit(emb, w, bias, IDS[b], MASK[b], TYPES[b]);
        assertThat((double) logits[b][0]).as("row %d", b).isCloseTo(expected, within(TOL));
      }
      // the public reference helper agrees with the independent formula above
      float[][] ref = OnnxTestModels.crossEncoderReference(
          emb, column(w), new float[] {bias}, IDS, MASK, TYPES);
      for (int b = 0; b < 3; b++) {
        assertThat((double) ref[b][0])
            .isCloseTo(expectedLogit(emb, w, bias, IDS[b], MASK[b], TYPES[b]), within(1e-6));
      }
      // token types are really consumed: +0.5 per real segment-1 token, averaged
      long[][] noTypes = new long[3][6];
      float[] withoutTypes = transposeFirst(runLogits(s, IDS, MASK, noTypes));
      assertThat((double) (logits[0][0] - withoutTypes[0])).isCloseTo(0.5 * 2 / 6, within(TOL));
      assertThat((double) (logits[1][0] - withoutTypes[1])).isCloseTo(0.5 * 2 / 3, within(TOL));
      assertThat((double) (logits[2][0] - withoutTypes[2])).isCloseTo(0.5, within(TOL));
    }
  }

  @Test
  void crossEncoderIgnoresPaddingButNotRealTokens() throws Exception {
    float[][] emb = OnnxTestModels.randomEmbedding(VOCAB, HIDDEN, 21);
    float[] w = OnnxTestModels.randomEmbedding(1, HIDDEN, 22)[0];
    Path model = OnnxTestModels.writeCrossEncoder(tmp, emb, w, 0.1f);

    try (OrtSession s = open(model)) {
      float[][] base = runLogits(s, IDS, MASK, TYPES);

      // change every padded position's id and segment: logits must not move
      long[][] paddedChanged = copy(IDS);
      long[][] typesChanged = copy(TYPES);
      for (int b = 0; b < 3; b++) {
        for (int t = 0; t < 6; t++) {
          if (MASK[b][t] == 0) {
            paddedChanged[b][t] = 29_999 - t;
            typesChanged[b][t] = 1;
          }
        }
      }
      float[][] afterPad = runLogits(s, paddedChanged, MASK, typesChanged);
      for (int b = 0; b < 3; b++) {
        assertThat(afterPad[b][0]).as("row %d", b).isCloseTo(base[b][0], within(1e-6f));
      }

      // change a real token in row 1: pick a replacement whose score differs clearly
      long original = IDS[1][1];
      long replacement = mostDifferentId(emb, w, original);
      long[][] realChanged = copy(IDS);
      realChanged[1][1] = replacement;
      double expectedShift = (dot(emb[(int) replacement], w) - dot(emb[(int) original], w)) / 3;
      assertThat(Math.abs(expectedShift)).isGreaterThan(0.1);
      float[][] afterReal = runLogits(s, realChanged, MASK, TYPES);
      assertThat((double) (afterReal[1][0] - base[1][0])).isCloseTo(expectedShift, within(TOL));
      assertThat(afterReal[0][0]).isEqualTo(base[0][0]);
      assertThat(afterReal[2][0]).isEqualTo(base[2][0]);

      // an all-padding row yields just the bias (count clamped to 1, no NaN)
      float[][] empty = runLogits(s, new long[][] {{5, 6}}, new long[][] {{0, 0}},
          new long[][] {{1, 1}});
      assertThat(empty[0][0]).isCloseTo(0.1f, within(1e-6f));
    }
  }

  @Test
  void multiLabelCrossEncoderAppliesFormulaPerLabel() throws Exception {
    int labels = 3;
    float[][] emb = OnnxTestModels.randomEmbedding(VOCAB, HIDDEN, 31);
    float[][] w = OnnxTestModels.randomEmbedding(HIDDEN, labels, 32);
    float[] bias = {0.5f, -1f, 2f};
    Path model = OnnxTestModels.writeCrossEncoder(tmp, emb, w, bias);

    try (OrtSession s = open(model)) {
      assertBertInputs(s);
      TensorInfo out = tensorInfo(s.getOutputInfo().get(LOGITS));
      assertThat(out.type).isEqualTo(OnnxJavaType.FLOAT);
      assertThat(out.getShape()).containsExactly(-1L, (long) labels);

      float[][] logits = runLogits(s, IDS, MASK, TYPES);
      for (int b = 0; b < 3; b++) {
        assertThat(logits[b]).hasSize(labels);
        for (int l = 0; l < labels; l++) {
          float[] wl = new float[HIDDEN];
          for (int h = 0; h < HIDDEN; h++) {
            wl[h] = w[h][l];
          }
          double expected = expectedLogit(emb, wl, bias[l], IDS[b], MASK[b], TYPES[b]);
          assertThat((double) logits[b][l]).as("row %d label %d", b, l)
              .isCloseTo(expected, within(TOL));
        }
      }
      float[][] ref = OnnxTestModels.crossEncoderReference(emb, w, bias, IDS, MASK, TYPES);
      for (int b = 0; b < 3; b++) {
        for (int l = 0; l < labels; l++) {
          assertThat(ref[b][l]).isCloseTo(logits[b][l], within((float) TOL));
        }
      }
    }
  }

  @Test
  void crossEncoderRejectsMismatchedShapes() {
    float[][] emb = OnnxTestModels.randomEmbedding(10, 4, 1);
    assertThatThrownBy(() -> OnnxTestModels.writeCrossEncoder(tmp, emb, new float[3], 0f))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> OnnxTestModels.writeCrossEncoder(tmp, emb, new float[4][2], new float[3]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ bi-encoder

  @Test
  void biEncoderProducesShiftedEmbeddingsForEveryPosition() throws Exception {
    float[][] emb = OnnxTestModels.randomEmbedding(VOCAB, HIDDEN, 41);
    Path model = OnnxTestModels.writeBiEncoder(tmp.resolve("bi"), emb);
    try (Stream<Path> files = Files.list(tmp.resolve("bi"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
    }

    try (OrtSession s = open(model)) {
      assertBertInputs(s);
      assertThat(s.getOutputInfo().keySet()).containsExactly(LAST_HIDDEN_STATE);
      TensorInfo out = tensorInfo(s.getOutputInfo().get(LAST_HIDDEN_STATE));
      assertThat(out.type).isEqualTo(OnnxJavaType.FLOAT);
      assertThat(out.getShape()).containsExactly(-1L, -1L, (long) HIDDEN);
      assertThat(out.getDimensionNames()).containsExactly("batch_size", "sequence_length", "");

      float[][][] hidden = runHidden(s, IDS, MASK, TYPES);
      float[][][] ref = OnnxTestModels.biEncoderReference(emb, IDS, TYPES);
      assertThat(hidden.length).isEqualTo(3);
      for (int b = 0; b < 3; b++) {
        assertThat(hidden[b].length).isEqualTo(6);
        for (int t = 0; t < 6; t++) {
          float[] e = emb[(int) IDS[b][t]];
          assertThat(hidden[b][t]).hasSize(HIDDEN);
          for (int h = 0; h < HIDDEN; h++) {
            double expected = e[h] + 0.1 * TYPES[b][t];
            assertThat((double) hidden[b][t][h]).as("b=%d t=%d h=%d", b, t, h)
                .isCloseTo(expected, within(TOL));
            assertThat(ref[b][t][h]).isCloseTo(hidden[b][t][h], within((float) TOL));
          }
        }
      }

      // attention_mask is consumed but does not alter values (pooling is the caller's job)
      float[][][] allOnes = runHidden(s, IDS, new long[][] {
          {1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}}, TYPES);
      for (int b = 0; b < 3; b++) {
        for (int t = 0; t < 6; t++) {
          assertThat(allOnes[b][t]).containsExactly(hidden[b][t]);
        }
      }
    }
  }

  // ------------------------------------------------------------------ arbitrary names

  @Test
  void writeWithOutputsDeclaresExactlyTheGivenNames() throws Exception {
    String[] in = {"ids", "mask"};
    String[] out = {"pooler_output", "sentence_embedding", "extra"};
    Path model = OnnxTestModels.writeWithOutputs(tmp, in, out);

    try (OrtSession s = open(model)) {
      assertThat(s.getInputInfo().keySet()).containsExactlyInAnyOrder(in);
      assertThat(s.getOutputInfo().keySet()).containsExactlyInAnyOrder(out);
      for (String name : in) {
        TensorInfo ti = tensorInfo(s.getInputInfo().get(name));
        assertThat(ti.type).isEqualTo(OnnxJavaType.INT64);
        assertThat(ti.getShape()).containsExactly(-1L, -1L);
      }
      for (String name : out) {
        assertThat(tensorInfo(s.getOutputInfo().get(name)).type).isEqualTo(OnnxJavaType.FLOAT);
      }
      Map<String, OnnxTensor> feeds = new HashMap<>();
      try (OnnxTensor a = OnnxTensor.createTensor(ENV, new long[][] {{1, 2}, {3, 4}});
          OnnxTensor b = OnnxTensor.createTensor(ENV, new long[][] {{5, 6}, {7, 8}})) {
        feeds.put("ids", a);
        feeds.put("mask", b);
        try (OrtSession.Result r = s.run(feeds)) {
          assertThat((float[][]) r.get("pooler_output").orElseThrow().getValue())
              .isEqualTo(new float[][] {{1, 2}, {3, 4}});
          assertThat((float[][]) r.get("sentence_embedding").orElseThrow().getValue())
              .isEqualTo(new float[][] {{5, 6}, {7, 8}});
          assertThat((float[][]) r.get("extra").orElseThrow().getValue())
              .isEqualTo(new float[][] {{1, 2}, {3, 4}});
        }
      }
    }
  }

  @Test
  void writeWithOutputsSupportsBertInputNamesAndNoInputs() throws Exception {
    Path a = OnnxTestModels.writeWithOutputs(tmp.resolve("a"),
        new String[] {INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS}, new String[] {"scores"});
    try (OrtSession s = open(a)) {
      assertBertInputs(s);
      assertThat(s.getOutputInfo().keySet()).containsExactly("scores");
    }
    Path b = OnnxTestModels.writeWithOutputs(tmp.resolve("b"), new String[0],
        new String[] {"logits_renamed"});
    try (OrtSession s = open(b)) {
      assertThat(s.getInputInfo()).isEmpty();
      assertThat(s.getOutputInfo().keySet()).containsExactly("logits_renamed");
    }
    assertThatThrownBy(() -> OnnxTestModels.writeWithOutputs(tmp.resolve("c"),
        new String[] {"x"}, new String[] {"x"})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OnnxTestModels.writeWithOutputs(tmp.resolve("d"),
        new String[] {"x"}, new String[0])).isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ random embedding

  @Test
  void randomEmbeddingIsDeterministicAndBounded() {
    float[][] a = OnnxTestModels.randomEmbedding(100, 8, 7);
    float[][] b = OnnxTestModels.randomEmbedding(100, 8, 7);
    float[][] c = OnnxTestModels.randomEmbedding(100, 8, 8);
    assertThat(a).isDeepEqualTo(b);
    assertThat(a).isNotEqualTo(c);
    assertThat(a.length).isEqualTo(100);
    for (float[] row : a) {
      assertThat(row).hasSize(8);
      for (float v : row) {
        assertThat(v).isBetween(-1f, 1f);
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static OrtSession open(Path model) throws OrtException {
    return ENV.createSession(model.toString(), new OrtSession.SessionOptions());
  }

  private static TensorInfo tensorInfo(NodeInfo n) {
    assertThat(n.getInfo()).isInstanceOf(TensorInfo.class);
    return (TensorInfo) n.getInfo();
  }

  private static void assertBertInputs(OrtSession s) throws OrtException {
    assertThat(List.copyOf(s.getInputNames()))
        .containsExactly(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
    for (String name : List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS)) {
      TensorInfo ti = tensorInfo(s.getInputInfo().get(name));
      assertThat(ti.type).as(name).isEqualTo(OnnxJavaType.INT64);
      assertThat(ti.getShape()).as(name).containsExactly(-1L, -1L);
      assertThat(ti.getDimensionNames()).as(name)
          .containsExactly("batch_size", "sequence_length");
    }
  }

  private static Object run(OrtSession s, String output, long[][] ids, long[][] mask,
      long[][] types) throws OrtException {
    try (OnnxTensor i = OnnxTensor.createTensor(ENV, ids);
        OnnxTensor m = OnnxTensor.createTensor(ENV, mask);
        OnnxTensor t = OnnxTensor.createTensor(ENV, types)) {
      Map<String, OnnxTensor> feeds = Map.of(INPUT_IDS, i, ATTENTION_MASK, m, TOKEN_TYPE_IDS, t);
      try (OrtSession.Result r = s.run(feeds)) {
        return r.get(output).orElseThrow().getValue();
      }
    }
  }

  private static float[][] runLogits(OrtSession s, long[][] ids, long[][] mask, long[][] types)
      throws OrtException {
    return (float[][]) run(s, LOGITS, ids, mask, types);
  }

  private static float[][][] runHidden(OrtSession s, long[][] ids, long[][] mask,
      long[][] types) throws OrtException {
    return (float[][][]) run(s, LAST_HIDDEN_STATE, ids, mask, types);
  }

  /** The documented formula, written out independently of the model and its reference helper. */
  private static double expectedLogit(float[][] emb, float[] w, float bias, long[] ids,
      long[] mask, long[] types) {
    double sum = 0;
    long count = 0;
    for (int t = 0; t < ids.length; t++) {
      sum += mask[t] * dot(emb[(int) ids[t]], w) + 0.5 * types[t] * mask[t];
      count += mask[t];
    }
    return bias + sum / Math.max(1, count);
  }

  private static double dot(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += (double) a[i] * b[i];
    }
    return d;
  }

  private static long mostDifferentId(float[][] emb, float[] w, long original) {
    double base = dot(emb[(int) original], w);
    long best = -1;
    double bestDiff = -1;
    for (int id = 1; id < 1000; id++) {
      double diff = Math.abs(dot(emb[id], w) - base);
      if (diff > bestDiff) {
        bestDiff = diff;
        best = id;
      }
    }
    return best;
  }

  private static float[][] column(float[] w) {
    float[][] c = new float[w.length][1];
    for (int i = 0; i < w.length; i++) {
      c[i][0] = w[i];
    }
    return c;
  }

  private static float[] transposeFirst(float[][] m) {
    float[] r = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      r[i] = m[i][0];
    }
    return r;
  }

  private static long[][] copy(long[][] a) {
    long[][] c = new long[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }
}
