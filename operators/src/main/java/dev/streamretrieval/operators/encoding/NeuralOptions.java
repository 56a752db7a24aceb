package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.io.Serializable;

/** Which models the neural stages use, how vectors are stored, and how encoding is batched. */
public class NeuralOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Dense model: a built-in name or a model folder; "none" disables the neural stages. */
    public String denseModel = DEFAULT_DENSE_MODEL;

    /** The default bi-encoder, chosen by quality and speed on the shared collections (see the README). */
    public static final String DEFAULT_DENSE_MODEL = "all-minilm-l6-v2-q";

    /** Token (MaxSim) model: "dense" reuses the dense model's hidden states (one forward pass), "none", or a model. */
    public String tokenModel = "dense";

    /** Cross-encoder model folder, or "none" (the rerank stage is then skipped and says so). */
    public String crossEncoderModel = "none";

    public String denseCodec = "float32";
    public String tokenCodec = "float16";

    /** Records per ONNX call, and how long a partial batch may wait (ms). */
    public int batchSize = 32;
    public long maxWaitMillis = 5;

    /** ONNX Runtime intra-op threads per JVM-wide session. */
    public int intraOpThreads = 2;

    public NeuralOptions() {}

    public boolean enabled() {
        return !denseModel.equals("none");
    }

    public boolean tokensEnabled() {
        return enabled() && !tokenModel.equals("none");
    }

    public boolean crossEncoderEnabled() {
        return !crossEncoderModel.equals("none");
    }

    public DenseCodec denseCodec() {
        return DenseCodec.parse(denseCodec);
    }

    public TokenCodec tokenCodec() {
        return TokenCodec.parse(tokenCodec);
    }

    public ModelSpec denseSpec() {
        return BuiltinModels.resolve(denseModel, "dense");
    }

    /** The token model: the dense model's hidden states (no markers, no query prefix) unless one is given. */
    public ModelSpec tokenSpec() {
        if (tokenModel.equals("dense")) {
            ModelSpec s = denseSpec().withRole("token");
            s.queryPrefix = "";
            return s;
        }
        return BuiltinModels.resolve(tokenModel, "token");
    }

    public ModelSpec crossEncoderSpec() {
        return BuiltinModels.resolve(crossEncoderModel, "cross-encoder");
    }

    public void validate() {
        denseCodec();
        tokenCodec();
        if (batchSize < 1 || intraOpThreads < 1 || maxWaitMillis < 0) {
            throw new IllegalArgumentException("encoder batch size and threads must be >= 1, max wait >= 0");
        }
        if (enabled()) {
            denseSpec();
            if (tokensEnabled()) {
                tokenSpec();
            }
        }
        if (crossEncoderEnabled()) {
            crossEncoderSpec();
        }
    }
}
