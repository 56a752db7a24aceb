package dev.streamretrieval.operators.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * With the default token model (the dense model's hidden states) a full-mode query is encoded by one forward pass
 * that yields both its dense vector and its token vectors; they equal what the two encoders give separately.
 */
class EncodeQueriesTest {
    private static ShardQuery query(String text, QueryMode mode) {
        ShardQuery q = new ShardQuery();
        q.op = QueryOp.SEARCH;
        q.mode = mode;
        q.text = text;
        return q;
    }

    @Test
    void oneForwardPassGivesTheSameVectorsAsTheTwoEncoders() {
        NeuralOptions n = new NeuralOptions();
        n.intraOpThreads = 1;
        assertThat(EncodeQueries.sharesQueryPass(n.denseSpec(), n.tokenSpec())).isTrue();
        EncodeQueries encode = new EncodeQueries(n);
        encode.open(BatchContext.of(new UnregisteredMetricsGroup(), d -> {}));
        try (DenseEncoder dense = DenseEncoder.open(n.denseSpec(), 1, n.batchSize);
                TokenEncoder tokens = TokenEncoder.open(n.tokenSpec(), 1, n.batchSize)) {
            ShardQuery full = query("how do neutron stars form", QueryMode.FULL);
            ShardQuery hybrid = query("checkpoints in stream processing", QueryMode.HYBRID);
            ShardQuery bm25 = query("plain keywords", QueryMode.BM25);
            encode.apply(List.of(full, hybrid, bm25));

            float[][] d = dense.encodeQueries(List.of(full.text, hybrid.text));
            // the same batch as the shared pass: the quantised model's dynamic activation scales depend on it
            float[][][] t = tokens.encodeQueries(List.of(full.text, hybrid.text));
            assertThat(full.denseVector).containsExactly(d[0], offset(1e-6f));
            assertThat(hybrid.denseVector).containsExactly(d[1], offset(1e-6f));
            assertThat(full.tokenVectors).hasNumberOfRows(t[0].length);
            for (int i = 0; i < t[0].length; i++) {
                assertThat(full.tokenVectors[i]).containsExactly(t[0][i], offset(1e-6f));
            }
            assertThat(hybrid.tokenVectors).isNull();
            assertThat(bm25.denseVector).isNull();
            assertThat(full.encodeMillis).isPositive();
        } finally {
            encode.close();
        }
    }

    @Test
    void aColbertStyleTokenModelIsNotShared() {
        NeuralOptions n = new NeuralOptions();
        ModelSpec token = n.tokenSpec();
        token.queryMarker = "[unused0]";
        assertThat(EncodeQueries.sharesQueryPass(n.denseSpec(), token)).isFalse();
        ModelSpec augmented = n.tokenSpec();
        augmented.queryAugmentationLength = 32;
        assertThat(EncodeQueries.sharesQueryPass(n.denseSpec(), augmented)).isFalse();
    }
}
