package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import java.util.List;

/**
 * Encodes passages into a dense vector and token vectors. When the token model is the dense model's own hidden
 * state (the default), one ONNX forward pass produces both.
 */
public final class DocumentEncoder implements AutoCloseable {
    /** One passage's representations; either may be null when that representation is off. */
    public record Encoded(float[] dense, float[][] tokens) {}

    private final DenseEncoder dense;
    private final TokenEncoder tokens;
    private final boolean shared;

    public DocumentEncoder(DenseEncoder dense, TokenEncoder tokens) {
        this.dense = dense;
        this.tokens = tokens;
        this.shared = dense != null && tokens != null && dense.spec().sameForwardPass(tokens.spec());
    }

    public Encoded[] encode(List<String> passages, int batchSize) {
        Encoded[] out = new Encoded[passages.size()];
        if (shared) {
            List<TokenizedText> tok = dense.tokenizePassages(passages);
            float[][][] hidden = dense.model().runSorted(tok, batchSize);
            for (int i = 0; i < out.length; i++) {
                out[i] = new Encoded(dense.pool(hidden[i], tok.get(i).attentionMask),
                        tokens.select(hidden[i], tok.get(i), true));
            }
            return out;
        }
        float[][] d = dense == null ? null : dense.encodePassages(passages);
        float[][][] t = tokens == null ? null : tokens.encodePassages(passages);
        for (int i = 0; i < out.length; i++) {
            out[i] = new Encoded(d == null ? null : d[i], t == null ? null : t[i]);
        }
        return out;
    }

    @Override
    public void close() {
        if (dense != null) {
            dense.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }
}
