package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.batching.BatchFunction;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.MetricGroup;

/**
 * Batch stage that encodes planned queries once, before they fan out: dense vector, and token vectors for full.
 * A query that supplied its own {@code vector} keeps it; in full mode its token vectors are still encoded from
 * the text (MaxSim needs them, and a query is one short text).
 */
public class EncodeQueries implements BatchFunction<ShardQuery, ShardQuery> {
    private static final long serialVersionUID = 1L;

    private final NeuralOptions options;
    private transient DenseEncoder dense;
    private transient TokenEncoder tokens;
    private transient boolean sharedQueryPass;

    public EncodeQueries(NeuralOptions options) {
        this.options = options;
    }

    @Override
    public void open(MetricGroup metrics) {
        dense = DenseEncoder.open(options.denseSpec(), options.intraOpThreads, options.batchSize);
        tokens = options.tokensEnabled()
                ? TokenEncoder.open(options.tokenSpec(), options.intraOpThreads, options.batchSize) : null;
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
        for (ShardQuery q : batch) {
            if (q.op != QueryOp.SEARCH || q.mode == QueryMode.BM25) {
                continue;
            }
            if (q.denseVector == null) { // a vector supplied with the query is used as it is
                needDense.add(q);
            }
            if (q.mode == QueryMode.FULL && tokens != null) {
                needTokens.add(q);
            }
        }
        encode(needDense, needTokens);
        double millis = (System.nanoTime() - start) / 1e6;
        for (ShardQuery q : batch) {
            if (needDense.contains(q) || needTokens.contains(q)) {
                q.encodeMillis = millis;
            }
        }
        return batch;
    }

    /** Gives {@code needDense} their dense vectors and {@code needTokens} their token vectors. */
    private void encode(List<ShardQuery> needDense, List<ShardQuery> needTokens) {
        if (sharedQueryPass && !needTokens.isEmpty()) {
            // the dense model's own hidden states are the token vectors: one forward pass gives both
            List<ShardQuery> all = new ArrayList<>(needDense);
            for (ShardQuery q : needTokens) {
                if (!all.contains(q)) {
                    all.add(q);
                }
            }
            ModelSpec spec = dense.spec();
            List<TokenizedText> tok = new ArrayList<>(all.size());
            for (ShardQuery q : all) {
                tok.add(dense.model().tokenizer().encode(spec.queryPrefix + q.text, spec.maxQueryTokens));
            }
            float[][][] hidden = dense.model().runSorted(tok, options.batchSize);
            for (int i = 0; i < hidden.length; i++) {
                ShardQuery q = all.get(i);
                if (needDense.contains(q)) {
                    q.denseVector = dense.pool(hidden[i], tok.get(i).attentionMask);
                }
                if (needTokens.contains(q)) {
                    q.tokenVectors = tokens.select(hidden[i], tok.get(i), false);
                }
            }
            return;
        }
        if (!needDense.isEmpty()) {
            float[][] v = dense.encodeQueries(needDense.stream().map(q -> q.text).toList());
            for (int i = 0; i < v.length; i++) {
                needDense.get(i).denseVector = v[i];
            }
        }
        if (!needTokens.isEmpty()) {
            float[][][] t = tokens.encodeQueries(needTokens.stream().map(q -> q.text).toList());
            for (int i = 0; i < t.length; i++) {
                needTokens.get(i).tokenVectors = t[i];
            }
        }
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
