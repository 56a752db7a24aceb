package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Which models the neural stages use, how vectors are stored, and how encoding is batched. */
public class NeuralOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Dense model: a built-in name or a model folder; "none" disables the neural stages. */
    public String denseModel = DEFAULT_DENSE_MODEL;

    /** The default bi-encoder, chosen by quality and speed on the shared collections (see the README). */
    public static final String DEFAULT_DENSE_MODEL = "all-minilm-l6-v2-q";

    /**
     * Query encoder of a two-tower pair (DPR's question encoder next to its context encoder): a built-in name or a
     * model folder; "same" (default) encodes queries with the dense model. Its vectors must have the dense
     * model's dimension, since they are compared with the documents' by dot product.
     */
    public String queryModel = SAME_QUERY_MODEL;

    public static final String SAME_QUERY_MODEL = "same";

    /** Token (MaxSim) model: "dense" reuses the dense model's hidden states (one forward pass), "none", or a model. */
    public String tokenModel = "dense";

    /**
     * Linear projection of token vectors trained for MaxSim ({@link TokenProjection}): "none" (the token model's
     * own vectors), "default" (the shipped one for the token model), or a file written by train-projection.
     */
    public String tokenProjection = TokenProjection.NONE;

    /** Cross-encoder model folder, or "none" (the rerank stage is then skipped and says so). */
    public String crossEncoderModel = "none";

    public String denseCodec = "float32";
    public String tokenCodec = "float16";

    /** Residual token codecs: token vectors a shard collects before it trains its centroids. */
    public int tokenTrainTokens = DEFAULT_TOKEN_TRAIN_TOKENS;

    /** The shards' default (ResidualTokenStore.DEFAULT_TRAIN_TOKENS; the index package does not see this one). */
    public static final int DEFAULT_TOKEN_TRAIN_TOKENS = 8192;

    /** Records per ONNX call, and how long a partial batch may wait (ms). */
    public int batchSize = 32;
    public long maxWaitMillis = 5;

    /** ONNX Runtime intra-op threads per JVM-wide session. */
    public int intraOpThreads = 2;

    /**
     * Length of dense vectors; 0 means the dense model's. With {@code --dense-model none} a positive value keeps
     * dense vectors that documents and queries supply themselves (dense and hybrid modes then need a query vector).
     */
    public int vectorDimension = 0;

    /** The dense model's dimension and the model it was read for (a model folder's comes from its ONNX file). */
    private transient int modelDimension;
    private transient String modelDimensionOf;

    public NeuralOptions() {}

    public boolean enabled() {
        return !denseModel.equals("none");
    }

    /** Whether shards keep dense vectors: encoded by the dense model, or supplied by producers. */
    public boolean denseVectors() {
        return enabled() || vectorDimension > 0;
    }

    /**
     * The dimension every dense vector has in this job, and that a supplied {@code vector} must have; 0 when the
     * job keeps no dense vectors. Fails when {@code --vector-dimension} disagrees with the dense model.
     */
    public int denseDimension() {
        if (!enabled()) {
            return vectorDimension;
        }
        if (!denseModel.equals(modelDimensionOf)) {
            ModelSpec spec = denseSpec();
            int d = spec.dimension > 0 ? spec.dimension : OnnxModel.check(spec, 3).dimension();
            if (d <= 0) {
                d = vectorDimension;
            }
            if (d <= 0) {
                throw new IllegalArgumentException(spec + ": the output's last dimension is symbolic; set"
                        + " \"dimension\" in model.json or --vector-dimension");
            }
            modelDimension = d;
            modelDimensionOf = denseModel;
        }
        if (vectorDimension > 0 && vectorDimension != modelDimension) {
            throw new IllegalArgumentException("--vector-dimension " + vectorDimension + " differs from the dense"
                    + " model's " + modelDimension + " (" + denseModel + "); supplied vectors must match the model's");
        }
        return modelDimension;
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

    /** Whether queries have their own encoder (a two-tower pair) rather than the dense model. */
    public boolean twoTower() {
        return enabled() && !queryModel.equals(SAME_QUERY_MODEL);
    }

    /**
     * The model that encodes query texts into dense vectors: the query model of a two-tower pair, else the dense
     * model. Token vectors (full mode) never come from it: they are compared with the documents' token vectors,
     * which only the document side's model (or the token model) produces.
     */
    public ModelSpec querySpec() {
        return twoTower() ? BuiltinModels.resolve(queryModel, "dense") : denseSpec();
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

    /** The configured token projection, checked against the token model; null for none. */
    public TokenProjection tokenProjection() {
        if (!tokensEnabled() || tokenProjection.equals(TokenProjection.NONE)) {
            return null;
        }
        ModelSpec spec = tokenSpec();
        int dimension = spec.dimension > 0 ? spec.dimension : OnnxModel.check(spec, 3).dimension();
        return TokenProjection.resolve(tokenProjection, spec.name, dimension);
    }

    /** Opens the token encoder with the configured projection; null when token vectors are off. */
    public TokenEncoder openTokenEncoder() {
        return tokensEnabled() ? TokenEncoder.open(tokenSpec(), intraOpThreads, batchSize, tokenProjection()) : null;
    }

    public ModelSpec crossEncoderSpec() {
        return BuiltinModels.resolve(crossEncoderModel, "cross-encoder");
    }

    /**
     * Checks the options and every configured model folder, and fails with one message listing every problem
     * found (missing or unreadable files, input and output names the model lacks, wrong output rank or dimension),
     * so that one start shows everything to fix. Built-in models are not loaded here (they are known to fit).
     */
    public void validate() {
        denseCodec();
        tokenCodec();
        if (tokenTrainTokens < 2) {
            throw new IllegalArgumentException("--token-train-tokens must be >= 2, got " + tokenTrainTokens);
        }
        if (vectorDimension < 0) {
            throw new IllegalArgumentException("--vector-dimension must be >= 0, got " + vectorDimension);
        }
        if (batchSize < 1 || intraOpThreads < 1 || maxWaitMillis < 0) {
            throw new IllegalArgumentException("encoder batch size and threads must be >= 1, max wait >= 0");
        }
        if (!enabled() && !queryModel.equals(SAME_QUERY_MODEL)) {
            throw new IllegalArgumentException("--query-model " + queryModel + " needs a document model: it encodes"
                    + " queries for the dense model's vectors, and --dense-model is none");
        }
        List<String> problems = new ArrayList<>();
        if (enabled()) {
            checkModel("--dense-model", denseModel, "dense", 3, problems);
            if (twoTower()) {
                checkModel("--query-model", queryModel, "dense", 3, problems);
            }
            if (tokensEnabled() && !tokenModel.equals("dense")) {
                checkModel("--token-model", tokenModel, "token", 3, problems);
            }
        }
        if (crossEncoderEnabled()) {
            checkModel("--cross-encoder", crossEncoderModel, "cross-encoder", 2, problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the configured models cannot be used (" + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems") + "):\n  - " + String.join("\n  - ", problems));
        }
        if (enabled()) {
            denseDimension();
        }
        tokenProjection(); // a missing, damaged or foreign projection file stops the job here, not at the first batch
        if (twoTower()) {
            checkQueryDimension();
        }
    }

    /**
     * A query vector is scored against document vectors by dot product (and indexed lists by distance), so the
     * query model must give vectors of the dense model's length; refuses the pair, naming both, when not.
     */
    private void checkQueryDimension() {
        ModelSpec q = querySpec();
        int queryDimension = q.dimension > 0 ? q.dimension : OnnxModel.check(q, 3).dimension();
        int documentDimension = denseDimension();
        if (queryDimension != documentDimension) {
            throw new IllegalArgumentException("the two-tower models disagree on the vector dimension: --query-model "
                    + queryModel + " gives " + (queryDimension > 0 ? queryDimension + "-dimensional vectors"
                            : "vectors of unknown length (set \"dimension\" in its model.json)")
                    + ", --dense-model " + denseModel + " gives " + documentDimension + "-dimensional vectors;"
                    + " queries and documents must be encoded to the same length");
        }
    }

    private static void checkModel(String option, String reference, String role, int outputRank, List<String> problems) {
        String prefix = option + " " + reference + ": ";
        ModelSpec spec;
        try {
            spec = BuiltinModels.resolve(reference, role);
        } catch (IllegalArgumentException e) {
            problems.add(prefix + e.getMessage());
            Path folder = Path.of(reference);
            if (Files.isDirectory(folder)) { // model.json is unreadable; the files can still be checked
                for (String file : new String[] {"model.onnx", "tokenizer.json"}) {
                    if (!Files.isRegularFile(folder.resolve(file))) {
                        problems.add(prefix + ModelSpec.missing(folder.resolve(file)));
                    }
                }
            }
            return;
        }
        if (spec.model.startsWith("classpath:")) {
            return;
        }
        if (role.equals("dense") && !spec.pooling.equals("cls") && !spec.pooling.equals("mean")) {
            problems.add(prefix + "pooling '" + spec.pooling + "' is not cls or mean");
        }
        for (String problem : OnnxModel.check(spec, outputRank).problems()) {
            problems.add(prefix + problem);
        }
    }
}
