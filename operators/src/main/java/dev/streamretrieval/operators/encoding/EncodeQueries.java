package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.batching.BatchFunction;
import dev.streamretrieval.operators.query.ShardQuery;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.MetricGroup;

/** Batch stage that encodes planned queries once, before they fan out: dense vector, and token vectors for full. */
public class EncodeQueries implements BatchFunction<ShardQuery, ShardQuery> {
    private static final long serialVersionUID = 1L;

    private final NeuralOptions options;
    private transient DenseEncoder dense;
    private transient TokenEncoder tokens;

    public EncodeQueries(NeuralOptions options) {
        this.options = options;
    }

    @Override
    public void open(MetricGroup metrics) {
        dense = DenseEncoder.open(options.denseSpec(), options.intraOpThreads, options.batchSize);
        tokens = options.tokensEnabled()
                ? TokenEncoder.open(options.tokenSpec(), options.intraOpThreads, options.batchSize) : null;
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
            needDense.add(q);
            if (q.mode == QueryMode.FULL && tokens != null) {
                needTokens.add(q);
            }
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
        double millis = (System.nanoTime() - start) / 1e6;
        for (ShardQuery q : needDense) {
            q.encodeMillis = millis;
        }
        return batch;
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
