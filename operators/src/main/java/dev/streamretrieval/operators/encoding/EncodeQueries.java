package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.batching.BatchFunction;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.schemas.Degradation;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.metrics.Counter;

/**
 * Batch stage that encodes planned queries once, before they fan out: dense vector, and token vectors for full.
 * A query that supplied its own {@code vector} keeps it; in full mode its token vectors are still encoded from
 * the text (MaxSim needs them, and a query is one short text). A model error never fails the job: the query is
 * answered by the modes that still work and its result lists the skipped stages in {@code degraded}.
 *
 * <p>Two-tower ({@code --query-model}): the dense vector comes from the query model, the token vectors still from
 * the token model (by default the document model's hidden states), because MaxSim compares them with the
 * documents' token vectors. The two are then different models, so a full query costs two forward passes instead
 * of the shared one ({@link #sharesQueryPass} says no).
 */
public class EncodeQueries implements BatchFunction<ShardQuery, ShardQuery> {
    private static final long serialVersionUID = 1L;

    /** The stage name in a result's {@code degraded} entry. */
    public static final String STAGE = "query_encode";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EncodeQueries.class);

    private final NeuralOptions options;
    private transient Counter failed;
    private transient DenseEncoder dense;
    private transient TokenEncoder tokens;
    private transient boolean sharedQueryPass;

    public EncodeQueries(NeuralOptions options) {
        this.options = options;
    }

    @Override
    public void open(BatchContext context) {
        failed = context.metrics().counter("queriesEncodeFailed");
        dense = DenseEncoder.open(options.querySpec(), options.intraOpThreads, options.batchSize);
        tokens = options.openTokenEncoder();
        sharedQueryPass = tokens != null && sharesQueryPass(dense.spec(), tokens.spec());
    }

    /**
     * Whether the token encoder would feed the model exactly what the dense encoder feeds it for a query (same
     * model and output, same prefix and length, no ColBERT marker or augmentation), as with the default
     * {@code --token-model dense}: the two encoders then need one forward pass between them, not two.
     */
    static boolean sharesQueryPass(ModelSpec d, ModelSpec t) {
        return d.model.equals(t.model) && d.tokenizer.equals(t.tokenizer) && d.output.equals(t.output)
                && d.queryPrefix.equals(t.queryPrefix) && d.maxQueryTokens == t.maxQueryTokens
                && t.queryMarker.isEmpty() && t.queryAugmentationLength == 0;
    }

    @Override
    public List<ShardQuery> apply(List<ShardQuery> batch) {
        long start = System.nanoTime();
        List<ShardQuery> needDense = new ArrayList<>();
        List<ShardQuery> needTokens = new ArrayList<>();
        List<ShardQuery> encoded = new ArrayList<>();
        for (ShardQuery q : batch) {
            if (q.op != QueryOp.SEARCH || q.mode == QueryMode.BM25) {
                continue;
            }
            // a vector supplied with the query is used as it is; colbert needs token vectors only
            boolean dense = q.denseVector == null && q.mode != QueryMode.COLBERT;
            boolean tokenVectors = (q.mode == QueryMode.FULL || q.mode == QueryMode.COLBERT) && tokens != null;
            if (dense) {
                needDense.add(q);
            }
            if (tokenVectors) {
                needTokens.add(q);
            }
            if (dense || tokenVectors) {
                encoded.add(q);
            }
        }
        try {
            encode(needDense, needTokens);
        } catch (RuntimeException batchFailure) {
            // one query at a time, so that a query the model cannot encode does not take the others down
            for (ShardQuery q : encoded) {
                encodeAlone(q, needDense.contains(q), needTokens.contains(q));
            }
        }
        double millis = (System.nanoTime() - start) / 1e6;
        for (ShardQuery q : encoded) {
            q.encodeMillis = millis;
        }
        return batch;
    }

    /**
     * Encodes one query; what fails is skipped and recorded: without a dense vector the query is answered by
     * BM25, without token vectors (full) by hybrid fusion. The answer then says so in {@code degraded}.
     */
    private void encodeAlone(ShardQuery q, boolean dense, boolean tokenVectors) {
        if (dense) {
            try {
                encode(List.of(q), List.of());
            } catch (RuntimeException e) {
                q.denseVector = null;
                q.tokenVectors = null;
                degrade(q, QueryMode.BM25, e, q.mode == QueryMode.FULL
                        ? new String[] {"dense", "maxsim", "cross_encoder"} : new String[] {"dense"});
                return;
            }
        }
        if (tokenVectors) {
            try {
                encode(List.of(), List.of(q));
            } catch (RuntimeException e) {
                q.tokenVectors = null;
                if (q.mode == QueryMode.COLBERT) {
                    degrade(q, QueryMode.BM25, e, "maxsim");
                } else {
                    degrade(q, QueryMode.HYBRID, e, "maxsim", "cross_encoder");
                }
            }
        }
    }

    private void degrade(ShardQuery q, QueryMode answeredWith, RuntimeException e, String... skipped) {
        failed.inc();
        String reason = "the model could not encode the query text, so it is answered with "
                + answeredWith.wireName() + ": " + e.getMessage();
        LOG.warn("query {} ({}): {}", q.queryId, q.mode.wireName(), reason);
        q.mode = answeredWith;
        Degradation[] d = Arrays.copyOf(q.degraded, q.degraded.length + 1);
        d[d.length - 1] = new Degradation(STAGE, reason, skipped);
        q.degraded = d;
    }

    /** Gives {@code needDense} their dense vectors (query model) and {@code needTokens} their token vectors. */
    private void encode(List<ShardQuery> needDense, List<ShardQuery> needTokens) {
        if (sharedQueryPass && !needTokens.isEmpty()) {
            // the dense model's own hidden states are the token vectors: one forward pass gives both
            List<ShardQuery> all = new ArrayList<>(needDense);
            for (ShardQuery q : needTokens) {
                if (!all.contains(q)) {
                    all.add(q);
                }
            }
            List<TokenizedText> tok = dense.tokenizeQueries(all.stream().map(q -> q.text).toList());
            float[][][] hidden = dense.model().runSorted(tok, options.batchSize);
            for (int i = 0; i < hidden.length; i++) {
                ShardQuery q = all.get(i);
                if (needDense.contains(q)) {
                    q.denseVector = finite(dense.pool(hidden[i], tok.get(i).attentionMask));
                }
                if (needTokens.contains(q)) {
                    q.tokenVectors = finite(tokens.select(hidden[i], tok.get(i), false));
                }
            }
            return;
        }
        if (!needDense.isEmpty()) {
            float[][] v = dense.encodeQueries(needDense.stream().map(q -> q.text).toList());
            for (int i = 0; i < v.length; i++) {
                needDense.get(i).denseVector = finite(v[i]);
            }
        }
        if (!needTokens.isEmpty()) {
            float[][][] t = tokens.encodeQueries(needTokens.stream().map(q -> q.text).toList());
            for (int i = 0; i < t.length; i++) {
                needTokens.get(i).tokenVectors = finite(t[i]);
            }
        }
    }

    private static float[] finite(float[] v) {
        VectorMath.requireFinite(v, "dense vector");
        return v;
    }

    private static float[][] finite(float[][] t) {
        for (float[] v : t) {
            VectorMath.requireFinite(v, "token vector");
        }
        return t;
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
