package dev.streamretrieval.operators.encoding;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.streamretrieval.operators.encoding.tokenizer.ModelTokenizer;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizerFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model with its tokenizer file, loaded once per JVM and shared by every operator subtask in it (a
 * TaskManager runs several subtasks; one session with intra-op threads serves them better than one each).
 * Validates input and output names at load and fails with what the model actually has. The native tokenizers
 * are not shared: each encoder opens its own from {@link #tokenizerFile()} and closes them with itself.
 */
public final class OnnxModel implements AutoCloseable {
    private static final Map<String, OnnxModel> SHARED = new HashMap<>();

    private final String key;
    private final ModelSpec spec;
    private final OrtSession session;
    private final TokenizerFile tokenizer;
    private final boolean hasTokenTypes;
    private int references;

    private OnnxModel(String key, ModelSpec spec, OrtSession session, TokenizerFile tokenizer, boolean hasTokenTypes) {
        this.key = key;
        this.spec = spec;
        this.session = session;
        this.tokenizer = tokenizer;
        this.hasTokenTypes = hasTokenTypes;
    }

    /**
     * The JVM-wide instance for this model file and thread count; call {@link #close()} once per acquire.
     * {@code outputRank} is 3 for encoders ([batch, tokens, dim]) and 2 for classifiers ([batch, labels]).
     */
    public static synchronized OnnxModel acquire(ModelSpec spec, int intraOpThreads, int outputRank) {
        String key = spec.model + "|" + spec.tokenizer + "|" + spec.truncationSide + "|" + spec.output + "|" + intraOpThreads;
        OnnxModel m = SHARED.get(key);
        if (m == null) {
            m = load(key, spec, intraOpThreads, outputRank);
            SHARED.put(key, m);
        }
        m.references++;
        return m;
    }

    private static OnnxModel load(String key, ModelSpec spec, int intraOpThreads, int outputRank) {
        Inspection i = inspect(spec, intraOpThreads, outputRank, true);
        if (!i.problems.isEmpty()) {
            i.close();
            throw new IllegalArgumentException(message(spec, i.problems));
        }
        return new OnnxModel(key, spec, i.session, i.tokenizer, !spec.tokenTypeIds.isEmpty());
    }

    /** What a model check found: every problem (empty when the model is usable) and its vectors' length. */
    public record Check(List<String> problems, int dimension) {}

    /**
     * Checks a model without keeping it: the files exist and load, the configured input and output names exist,
     * the output has the rank the role needs ({@code outputRank}: 3 for encoders, 2 for classifiers) and the
     * configured {@code dimension}. Lists every problem found, so that one start shows everything to fix.
     */
    public static Check check(ModelSpec spec, int outputRank) {
        try (Inspection i = inspect(spec, 1, outputRank, false)) {
            return new Check(List.copyOf(i.problems), i.dimension);
        }
    }

    /** "model X: problem 1; problem 2 ..." for an exception message. */
    public static String message(ModelSpec spec, List<String> problems) {
        return spec + " cannot be used (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "): " + String.join("; ", problems);
    }

    /** A loaded (or partly loaded) model with what is wrong with it. */
    private static final class Inspection implements AutoCloseable {
        final List<String> problems = new ArrayList<>();
        OrtSession session;
        TokenizerFile tokenizer;
        int dimension;

        @Override
        public void close() {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException e) {
                    problems.add("closing the session failed: " + e.getMessage());
                }
            }
        }
    }

    private static Inspection inspect(ModelSpec spec, int intraOpThreads, int outputRank, boolean keepTokenizer) {
        Inspection i = new Inspection();
        byte[] bytes = read(spec.model, "model file", i.problems);
        byte[] tokenizerBytes = read(spec.tokenizer, "tokenizer file", i.problems);
        if (tokenizerBytes != null) {
            try {
                i.tokenizer = TokenizerFile.parse(tokenizerBytes, spec.truncationSide,
                        java.util.stream.Stream.of(spec.queryMarker, spec.documentMarker).filter(t -> !t.isEmpty()).toList());
                if (!keepTokenizer) { // a check: the native library must load it too
                    ModelTokenizer.open(i.tokenizer, 8).close();
                }
            } catch (RuntimeException e) {
                i.problems.add("tokenizer " + spec.tokenizer + " cannot be read: " + e.getMessage());
            }
        }
        if (!keepTokenizer) {
            i.tokenizer = null;
        }
        if (bytes == null) {
            return i;
        }
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(Math.max(1, intraOpThreads));
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            i.session = env.createSession(bytes, options);
            i.dimension = validate(spec, i.session, outputRank, i.problems);
        } catch (OrtException e) {
            i.problems.add("ONNX Runtime cannot load " + spec.model + ": " + e.getMessage());
        }
        return i;
    }

    /** The bytes at a model or tokenizer location, or null with the problem recorded. */
    private static byte[] read(String location, String what, List<String> problems) {
        if (!location.startsWith("classpath:") && !Files.isRegularFile(Path.of(location))) {
            problems.add(what + " " + ModelSpec.missing(Path.of(location)));
            return null;
        }
        try (InputStream in = ModelSpec.open(location)) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            problems.add(what + " " + location + " cannot be read: " + e.getMessage());
            return null;
        }
    }

    /**
     * Checks the configured names, the output rank and dimension against the model, adding one problem per
     * mismatch; returns the output's last dimension (0 when symbolic or absent).
     */
    static int validate(ModelSpec spec, OrtSession session, int outputRank, List<String> problems) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        int before = problems.size();
        List<String> expected = new ArrayList<>(List.of(spec.inputIds, spec.attentionMask));
        if (!spec.tokenTypeIds.isEmpty()) {
            expected.add(spec.tokenTypeIds);
        }
        for (String name : expected) {
            if (!inputs.containsKey(name)) {
                problems.add("input '" + name + "' not found" + (name.equals(spec.tokenTypeIds)
                        ? " (set token_type_ids to \"\" for models without it)" : ""));
            }
        }
        for (String name : inputs.keySet()) {
            if (!expected.contains(name)) {
                problems.add("the model has input '" + name + "' that no setting names (it would get no value)");
            }
        }
        int dimension = 0;
        NodeInfo out = outputs.get(spec.output);
        if (out == null) {
            problems.add("output '" + spec.output + "' not found");
        } else if (out.getInfo() instanceof TensorInfo t) {
            long[] shape = t.getShape();
            if (shape.length != outputRank) {
                problems.add("output '" + spec.output + "' has rank " + shape.length + ", expected " + outputRank);
            } else {
                dimension = shape[shape.length - 1] > 0 ? (int) shape[shape.length - 1] : 0;
                if (outputRank == 3 && spec.dimension > 0 && dimension > 0 && dimension != spec.dimension) {
                    problems.add("output '" + spec.output + "' has dimension " + dimension + ", model.json says "
                            + spec.dimension);
                }
            }
        } else {
            problems.add("output '" + spec.output + "' is not a tensor");
        }
        if (problems.size() > before) {
            problems.add("the model has inputs " + describe(inputs) + " and outputs " + describe(outputs));
        }
        return spec.dimension > 0 ? spec.dimension : dimension;
    }

    private static String describe(Map<String, NodeInfo> nodes) {
        Map<String, String> m = new LinkedHashMap<>();
        nodes.forEach((k, v) -> m.put(k, v.getInfo().toString()));
        return m.toString();
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The tokenizer file, from which each encoder opens its own tokenizers. */
    public TokenizerFile tokenizerFile() {
        return tokenizer;
    }

    /**
     * Runs one padded batch. Rows may differ in length; they are right-padded with the pad id and mask 0.
     * Returns the configured output as a float array per row: [tokens][dim] rows trimmed to each row's length
     * for rank-3 outputs, or [1][labels] for rank-2 outputs.
     */
    public float[][][] run(List<TokenizedText> batch) {
        int b = batch.size();
        int t = 0;
        for (TokenizedText x : batch) {
            t = Math.max(t, x.length());
        }
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] types = new long[b * t];
        long pad = tokenizer.padId();
        for (int i = 0; i < b; i++) {
            TokenizedText x = batch.get(i);
            for (int j = 0; j < t; j++) {
                boolean real = j < x.length();
                ids[i * t + j] = real ? x.ids[j] : pad;
                mask[i * t + j] = real ? x.attentionMask[j] : 0;
                types[i * t + j] = real ? x.typeIds[j] : 0;
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {b, t};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put(spec.inputIds, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            in.put(spec.attentionMask, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (hasTokenTypes) {
                in.put(spec.tokenTypeIds, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(in, java.util.Set.of(spec.output))) {
                Object value = result.get(0).getValue();
                float[][][] out = new float[b][][];
                if (value instanceof float[][][] hidden) {
                    for (int i = 0; i < b; i++) {
                        out[i] = java.util.Arrays.copyOf(hidden[i], batch.get(i).length());
                    }
                } else if (value instanceof float[][] logits) {
                    for (int i = 0; i < b; i++) {
                        out[i] = new float[][] {logits[i]};
                    }
                } else {
                    throw new IllegalStateException(spec + ": output '" + spec.output + "' is not a float tensor");
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException(spec + ": inference failed: " + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Runs many texts in sub-batches of at most {@code batchSize}, sorted by length so that texts of similar
     * length share a batch (less padding), and returns the outputs in input order.
     */
    public float[][][] runSorted(List<TokenizedText> texts, int batchSize) {
        Integer[] order = new Integer[texts.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Integer.compare(texts.get(x).length(), texts.get(y).length()));
        float[][][] out = new float[texts.size()][][];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            List<TokenizedText> batch = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                batch.add(texts.get(order[i]));
            }
            float[][][] res = run(batch);
            for (int i = start; i < end; i++) {
                out[order[i]] = res[i - start];
            }
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (OnnxModel.class) {
            if (--references > 0) {
                return;
            }
            SHARED.remove(key);
        }
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing " + spec + " failed", e);
        }
    }
}
