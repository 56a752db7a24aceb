package dev.streamretrieval.operators.encoding.testmodels;

import static dev.streamretrieval.operators.encoding.testmodels.OnnxProtoWriter.FLOAT;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxProtoWriter.INT64;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxProtoWriter.attrInt;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxProtoWriter.floatTensor;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxProtoWriter.int64Tensor;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxProtoWriter.node;
import static dev.streamretrieval.operators.encoding.testmodels.OnnxProtoWriter.tensorValueInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Builds small but structurally real ONNX models for tests (no trained weights are available
 * offline). Inputs mirror a Hugging Face BERT export: {@code input_ids}, {@code attention_mask},
 * {@code token_type_ids}, all int64 {@code [batch_size, sequence_length]} with symbolic dims.
 *
 * <p>Every factory writes exactly one file, {@code dir/model.onnx} (creating {@code dir} if
 * needed), and returns its path. Models use ir_version 8 and opset 17 of the default domain.
 */
public final class OnnxTestModels {

  public static final String MODEL_FILE = "model.onnx";
  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String TOKEN_TYPE_IDS = "token_type_ids";
  public static final String LOGITS = "logits";
  public static final String LAST_HIDDEN_STATE = "last_hidden_state";
  /** Symbolic dimension names, as in Hugging Face / optimum exports. */
  public static final String BATCH_DIM = "batch_size";
  public static final String SEQUENCE_DIM = "sequence_length";

  /** Weight of {@code token_type_ids} in the cross-encoder per-token score. */
  public static final float CROSS_SEGMENT_WEIGHT = 0.5f;
  /** Weight of {@code token_type_ids} added to every hidden unit by the bi-encoder. */
  public static final float BI_SEGMENT_WEIGHT = 0.1f;

  static final long IR_VERSION = 8;
  static final long OPSET = 17;
  private static final String PRODUCER = "streamretrieval-testmodels";

  private OnnxTestModels() {}

  // ------------------------------------------------------------------ factories

  /**
   * Single-label cross-encoder: {@code logits[b,0] = bias + sum_t(mask[b,t] * (dot(E[ids[b,t]], w)
   * + 0.5 * tt[b,t])) / max(1, sum_t mask[b,t])}. Output {@code logits} float32 {@code
   * [batch_size, 1]}.
   *
   * @param embedding {@code [vocab][hidden]}
   * @param weights {@code [hidden]}
   */
  public static Path writeCrossEncoder(Path dir, float[][] embedding, float[] weights, float bias) {
    float[][] w = new float[weights.length][1];
    for (int h = 0; h < weights.length; h++) {
      w[h][0] = weights[h];
    }
    return writeCrossEncoder(dir, embedding, w, new float[] {bias});
  }

  /**
   * Multi-label cross-encoder, same formula per label {@code l} with {@code weights[.][l]} and
   * {@code bias[l]}. Output {@code logits} float32 {@code [batch_size, labels]}.
   *
   * @param embedding {@code [vocab][hidden]}
   * @param weights {@code [hidden][labels]}
   * @param bias {@code [labels]}
   */
  public static Path writeCrossEncoder(
      Path dir, float[][] embedding, float[][] weights, float[] bias) {
    int hidden = checkEmbedding(embedding);
    if (weights.length != hidden) {
      throw new IllegalArgumentException(
          "weights has " + weights.length + " rows, embedding hidden size is " + hidden);
    }
    int labels = bias.length;
    if (labels == 0) {
      throw new IllegalArgumentException("at least one label required");
    }
    for (float[] row : weights) {
      if (row.length != labels) {
        throw new IllegalArgumentException(
            "weights rows must have " + labels + " columns (bias length), got " + row.length);
      }
    }

    List<OnnxProtoWriter> init = new ArrayList<>();
    init.add(floatTensor("embedding", new long[] {embedding.length, hidden}, flatten(embedding)));
    init.add(floatTensor("classifier_weight", new long[] {hidden, labels}, flatten(weights)));
    init.add(floatTensor("classifier_bias", new long[] {labels}, bias.clone()));
    init.add(floatTensor("segment_weight", new long[] {}, new float[] {CROSS_SEGMENT_WEIGHT}));
    init.add(floatTensor("one", new long[] {}, new float[] {1f}));
    init.add(int64Tensor("axis_1", new long[] {1}, new long[] {1}));
    init.add(int64Tensor("axis_2", new long[] {1}, new long[] {2}));

    List<OnnxProtoWriter> nodes = new ArrayList<>();
    // per-token classifier score: [B,T,H] x [H,L] -> [B,T,L]
    nodes.add(node("Gather", "gather_embedding", List.of("embedding", INPUT_IDS),
        List.of("token_embedding"), attrInt("axis", 0)));
    nodes.add(node("MatMul", "token_score", List.of("token_embedding", "classifier_weight"),
        List.of("token_score")));
    // segment contribution: 0.5 * tt, broadcast over labels
    nodes.add(node("Cast", "cast_token_type", List.of(TOKEN_TYPE_IDS), List.of("token_type_f"),
        attrInt("to", FLOAT)));
    nodes.add(node("Unsqueeze", "unsqueeze_token_type", List.of("token_type_f", "axis_2"),
        List.of("token_type_3d")));
    nodes.add(node("Mul", "segment_score", List.of("token_type_3d", "segment_weight"),
        List.of("segment_score")));
    nodes.add(node("Add", "add_segment", List.of("token_score", "segment_score"),
        List.of("token_total")));
    // masked sum over tokens
    nodes.add(node("Cast", "cast_mask", List.of(ATTENTION_MASK), List.of("mask_f"),
        attrInt("to", FLOAT)));
    nodes.add(node("Unsqueeze", "unsqueeze_mask", List.of("mask_f", "axis_2"),
        List.of("mask_3d")));
    nodes.add(node("Mul", "apply_mask", List.of("token_total", "mask_3d"),
        List.of("masked_total")));
    nodes.add(node("ReduceSum", "sum_tokens", List.of("masked_total", "axis_1"),
        List.of("summed"), attrInt("keepdims", 0)));
    // divide by max(1, token count)
    nodes.add(node("ReduceSum", "count_tokens", List.of("mask_f", "axis_1"),
        List.of("token_count"), attrInt("keepdims", 1)));
    nodes.add(node("Max", "clamp_count", List.of("token_count", "one"),
        List.of("token_count_clamped")));
    nodes.add(node("Div", "mean_tokens", List.of("summed", "token_count_clamped"),
        List.of("mean_score")));
    nodes.add(node("Add", "add_bias", List.of("mean_score", "classifier_bias"), List.of(LOGITS)));

    OnnxProtoWriter graph = OnnxProtoWriter.graph("test_cross_encoder", nodes, init,
        standardInputs(), List.of(tensorValueInfo(LOGITS, FLOAT, BATCH_DIM, labels)));
    return write(dir, graph);
  }

  /**
   * Bi-encoder: {@code last_hidden_state[b,t,:] = E[ids[b,t]] + 0.1 * tt[b,t] + 0 * mask[b,t]}.
   * Output {@code last_hidden_state} float32 {@code [batch_size, sequence_length, hidden]}.
   */
  public static Path writeBiEncoder(Path dir, float[][] embedding) {
    int hidden = checkEmbedding(embedding);
    List<OnnxProtoWriter> init = new ArrayList<>();
    init.add(floatTensor("embedding", new long[] {embedding.length, hidden}, flatten(embedding)));
    init.add(floatTensor("segment_weight", new long[] {}, new float[] {BI_SEGMENT_WEIGHT}));
    init.add(floatTensor("zero", new long[] {}, new float[] {0f}));
    init.add(int64Tensor("axis_2", new long[] {1}, new long[] {2}));

    List<OnnxProtoWriter> nodes = new ArrayList<>();
    nodes.add(node("Gather", "gather_embedding", List.of("embedding", INPUT_IDS),
        List.of("token_embedding"), attrInt("axis", 0)));
    nodes.add(node("Cast", "cast_token_type", List.of(TOKEN_TYPE_IDS), List.of("token_type_f"),
        attrInt("to", FLOAT)));
    nodes.add(node("Unsqueeze", "unsqueeze_token_type", List.of("token_type_f", "axis_2"),
        List.of("token_type_3d")));
    nodes.add(node("Mul", "segment_shift", List.of("token_type_3d", "segment_weight"),
        List.of("segment_shift")));
    nodes.add(node("Add", "add_segment", List.of("token_embedding", "segment_shift"),
        List.of("with_segment")));
    // consume attention_mask without changing the result
    nodes.add(node("Cast", "cast_mask", List.of(ATTENTION_MASK), List.of("mask_f"),
        attrInt("to", FLOAT)));
    nodes.add(node("Unsqueeze", "unsqueeze_mask", List.of("mask_f", "axis_2"),
        List.of("mask_3d")));
    nodes.add(node("Mul", "zero_mask", List.of("mask_3d", "zero"), List.of("mask_zero")));
    nodes.add(node("Add", "add_mask_zero", List.of("with_segment", "mask_zero"),
        List.of(LAST_HIDDEN_STATE)));

    OnnxProtoWriter graph = OnnxProtoWriter.graph("test_bi_encoder", nodes, init,
        standardInputs(),
        List.of(tensorValueInfo(LAST_HIDDEN_STATE, FLOAT, BATCH_DIM, SEQUENCE_DIM, hidden)));
    return write(dir, graph);
  }

  /**
   * Trivial model with arbitrary names, for "wrong input/output name" tests. Every input is int64
   * {@code [batch_size, sequence_length]}; output {@code i} is float32 {@code [batch_size,
   * sequence_length]} = {@code Cast(input[i % inputs])}. With no inputs, each output is a constant
   * float32 {@code [1, 1]} zero. Names must be non-empty and pairwise distinct across both arrays.
   */
  public static Path writeWithOutputs(Path dir, String[] inputNames, String[] outputNames) {
    if (outputNames.length == 0) {
      throw new IllegalArgumentException("at least one output required");
    }
    Set<String> seen = new HashSet<>();
    for (String n : concat(inputNames, outputNames)) {
      if (n == null || n.isEmpty() || !seen.add(n)) {
        throw new IllegalArgumentException("names must be non-empty and distinct: " + n);
      }
    }
    List<OnnxProtoWriter> inputs = new ArrayList<>();
    for (String in : inputNames) {
      inputs.add(tensorValueInfo(in, INT64, BATCH_DIM, SEQUENCE_DIM));
    }
    List<OnnxProtoWriter> init = new ArrayList<>();
    List<OnnxProtoWriter> nodes = new ArrayList<>();
    List<OnnxProtoWriter> outputs = new ArrayList<>();
    for (int i = 0; i < outputNames.length; i++) {
      String out = outputNames[i];
      if (inputNames.length > 0) {
        nodes.add(node("Cast", "cast_" + i, List.of(inputNames[i % inputNames.length]),
            List.of(out), attrInt("to", FLOAT)));
        outputs.add(tensorValueInfo(out, FLOAT, BATCH_DIM, SEQUENCE_DIM));
      } else {
        String c = "const_" + i;
        init.add(floatTensor(c, new long[] {1, 1}, new float[] {0f}));
        nodes.add(node("Identity", "identity_" + i, List.of(c), List.of(out)));
        outputs.add(tensorValueInfo(out, FLOAT, 1, 1));
      }
    }
    return write(dir, OnnxProtoWriter.graph("test_named_io", nodes, init, inputs, outputs));
  }

  /** Deterministic uniform {@code [-1, 1)} matrix {@code [vocab][hidden]} from {@code seed}. */
  public static float[][] randomEmbedding(int vocab, int hidden, long seed) {
    Random r = new Random(seed);
    float[][] e = new float[vocab][hidden];
    for (float[] row : e) {
      for (int h = 0; h < hidden; h++) {
        row[h] = r.nextFloat() * 2f - 1f;
      }
    }
    return e;
  }

  // ------------------------------------------------------------------ plain-Java references

  /**
   * Reference for {@link #writeCrossEncoder(Path, float[][], float[][], float[])}: {@code
   * [batch][labels]}, accumulated in double.
   */
  public static float[][] crossEncoderReference(float[][] embedding, float[][] weights,
      float[] bias, long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
    float[][] out = new float[inputIds.length][bias.length];
    for (int b = 0; b < inputIds.length; b++) {
      for (int l = 0; l < bias.length; l++) {
        double sum = 0;
        double count = 0;
        for (int t = 0; t < inputIds[b].length; t++) {
          double dot = 0;
          float[] e = embedding[(int) inputIds[b][t]];
          for (int h = 0; h < e.length; h++) {
            dot += (double) e[h] * weights[h][l];
          }
          sum += attentionMask[b][t] * (dot + CROSS_SEGMENT_WEIGHT * tokenTypeIds[b][t]);
          count += attentionMask[b][t];
        }
        out[b][l] = (float) (bias[l] + sum / Math.max(1.0, count));
      }
    }
    return out;
  }

  /** Reference for {@link #writeBiEncoder}: {@code [batch][sequence][hidden]}. */
  public static float[][][] biEncoderReference(float[][] embedding, long[][] inputIds,
      long[][] tokenTypeIds) {
    float[][][] out = new float[inputIds.length][][];
    for (int b = 0; b < inputIds.length; b++) {
      out[b] = new float[inputIds[b].length][];
      for (int t = 0; t < inputIds[b].length; t++) {
        float[] e = embedding[(int) inputIds[b][t]];
        out[b][t] = new float[e.length];
        for (int h = 0; h < e.length; h++) {
          out[b][t][h] = e[h] + BI_SEGMENT_WEIGHT * tokenTypeIds[b][t];
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ internals

  private static List<OnnxProtoWriter> standardInputs() {
    return List.of(
        tensorValueInfo(INPUT_IDS, INT64, BATCH_DIM, SEQUENCE_DIM),
        tensorValueInfo(ATTENTION_MASK, INT64, BATCH_DIM, SEQUENCE_DIM),
        tensorValueInfo(TOKEN_TYPE_IDS, INT64, BATCH_DIM, SEQUENCE_DIM));
  }

  private static Path write(Path dir, OnnxProtoWriter graph) {
    byte[] bytes = OnnxProtoWriter.model(IR_VERSION, OPSET, PRODUCER, graph);
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(MODEL_FILE);
      Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test model into " + dir, e);
    }
  }

  private static int checkEmbedding(float[][] embedding) {
    if (embedding.length == 0 || embedding[0].length == 0) {
      throw new IllegalArgumentException("embedding must be non-empty [vocab][hidden]");
    }
    int hidden = embedding[0].length;
    for (float[] row : embedding) {
      if (row.length != hidden) {
        throw new IllegalArgumentException("embedding rows must all have length " + hidden);
      }
    }
    return hidden;
  }

  private static float[] flatten(float[][] m) {
    int cols = m[0].length;
    float[] flat = new float[m.length * cols];
    for (int r = 0; r < m.length; r++) {
      System.arraycopy(m[r], 0, flat, r * cols, cols);
    }
    return flat;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
