package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.encoding.tokenizer.ModelTokenizer;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * DPR-style bi-encoder: one vector per text, pooled from the model's last hidden state.
 *
 * <pre>
 *   cls pooling:  v = h[0]                                   (bge)
 *   mean pooling: v = Σ_t mask[t]·h[t] / Σ_t mask[t]          (MiniLM, e5)
 *   normalised:   v ← v / ‖v‖₂, so that cosine similarity is the dot product
 * </pre>
 *
 * Queries and passages get their own prefixes (e5's "query: " / "passage: ", bge's query instruction) and their
 * own maximum lengths, so each has its own tokenizer; both belong to this encoder (one per operator subtask).
 */
public final class DenseEncoder implements AutoCloseable {
    private final OnnxModel model;
    private final ModelSpec spec;
    private final int batchSize;
    private final ModelTokenizer queryTokenizer;
    private final ModelTokenizer passageTokenizer;

    private DenseEncoder(OnnxModel model, int batchSize) {
        this.model = model;
        this.spec = model.spec();
        this.batchSize = batchSize;
        if (!spec.pooling.equals("cls") && !spec.pooling.equals("mean")) {
            throw new IllegalArgumentException(spec + ": pooling '" + spec.pooling + "' is not cls or mean");
        }
        this.queryTokenizer = ModelTokenizer.open(model.tokenizerFile(), spec.maxQueryTokens);
        try {
            this.passageTokenizer = ModelTokenizer.open(model.tokenizerFile(), spec.maxPassageTokens);
        } catch (RuntimeException e) {
            queryTokenizer.close();
            throw e;
        }
    }

    public static DenseEncoder open(ModelSpec spec, int intraOpThreads, int batchSize) {
        if (spec.modelRole() != ModelRole.DENSE) {
            throw new IllegalArgumentException(spec + " is not a dense model");
        }
        OnnxModel model = OnnxModel.acquire(spec, intraOpThreads, 3);
        try {
            return new DenseEncoder(model, batchSize);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public OnnxModel model() {
        return model;
    }

    public float[][] encodeQueries(List<String> queries) {
        return encode(tokenizeQueries(queries));
    }

    public float[][] encodePassages(List<String> passages) {
        return encode(tokenizePassages(passages));
    }

    /** Tokenises queries as this encoder does (for a shared forward pass). */
    public List<TokenizedText> tokenizeQueries(List<String> queries) {
        return tokenize(queries, spec.queryPrefix, queryTokenizer);
    }

    /** Tokenises passages as this encoder does (for a shared forward pass). */
    public List<TokenizedText> tokenizePassages(List<String> passages) {
        return tokenize(passages, spec.passagePrefix, passageTokenizer);
    }

    private static List<TokenizedText> tokenize(List<String> texts, String prefix, ModelTokenizer tokenizer) {
        List<TokenizedText> tokens = new ArrayList<>(texts.size());
        for (String t : texts) {
            tokens.add(tokenizer.encode(prefix + t));
        }
        return tokens;
    }

    private float[][] encode(List<TokenizedText> tokens) {
        float[][][] hidden = model.runSorted(tokens, batchSize);
        float[][] out = new float[tokens.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = pool(hidden[i], tokens.get(i).attentionMask);
        }
        return out;
    }

    /** Pools one row's hidden states (already trimmed to its tokens). */
    public float[] pool(float[][] hidden, long[] mask) {
        int dim = hidden[0].length;
        float[] v = new float[dim];
        if (spec.pooling.equals("cls")) {
            System.arraycopy(hidden[0], 0, v, 0, dim);
        } else {
            float n = 0;
            for (int t = 0; t < hidden.length; t++) {
                if (mask[t] != 0) {
                    n++;
                    for (int d = 0; d < dim; d++) {
                        v[d] += hidden[t][d];
                    }
                }
            }
            for (int d = 0; d < dim; d++) {
                v[d] /= Math.max(n, 1f);
            }
        }
        if (spec.normalize) {
            VectorMath.normalize(v);
        }
        return v;
    }

    @Override
    public void close() {
        queryTokenizer.close();
        passageTokenizer.close();
        model.close();
    }
}
