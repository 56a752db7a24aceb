package dev.streamretrieval.operators.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.encoding.testmodels.TwoTowerModels;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-tower encoding ({@code --query-model}) with two generated models that send the same word to different axes:
 * the document model sends alpha, beta, gamma to axes 0, 1, 2, the query model to axes 1, 2, 0. A query's dense
 * vector must be the query model's; its token vectors (full mode) the document model's, since MaxSim compares them
 * with the documents' token vectors; and a pair whose dimensions differ is refused at start.
 */
class TwoTowerTest {
    private static final int HIDDEN = 8;
    static final Map<String, Integer> DOCUMENT_AXES = Map.of("alpha", 0, "beta", 1, "gamma", 2);
    static final Map<String, Integer> QUERY_AXES = Map.of("alpha", 1, "beta", 2, "gamma", 0);

    private static ShardQuery query(String text, QueryMode mode) {
        ShardQuery q = new ShardQuery();
        q.op = QueryOp.SEARCH;
        q.mode = mode;
        q.text = text;
        return q;
    }

    private static NeuralOptions twoTower(Path documents, Path queries) {
        NeuralOptions n = new NeuralOptions();
        n.denseModel = documents.toString();
        n.queryModel = queries.toString();
        n.intraOpThreads = 1;
        return n;
    }

    /** The axis holding a vector's largest component. */
    private static int axis(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void queriesGetTheQueryModelsVectorAndTheDocumentModelsTokenVectors(@TempDir Path tmp) {
        Path documents = TwoTowerModels.write(tmp.resolve("context"), HIDDEN, DOCUMENT_AXES);
        Path queries = TwoTowerModels.write(tmp.resolve("question"), HIDDEN, QUERY_AXES);
        NeuralOptions n = twoTower(documents, queries);
        n.validate();
        assertThat(n.denseDimension()).isEqualTo(HIDDEN);
        // the two models differ, so the shared forward pass of dense and token vectors cannot serve a query
        assertThat(EncodeQueries.sharesQueryPass(n.querySpec(), n.tokenSpec())).isFalse();

        EncodeQueries encode = new EncodeQueries(n);
        encode.open(BatchContext.of(new UnregisteredMetricsGroup(), d -> {}));
        try (DenseEncoder questionEncoder = DenseEncoder.open(BuiltinModels.resolve(queries.toString(), "dense"), 1, 4);
                TokenEncoder contextTokens = TokenEncoder.open(n.tokenSpec(), 1, 4)) {
            ShardQuery dense = query("alpha", QueryMode.DENSE);
            ShardQuery full = query("beta", QueryMode.FULL);
            encode.apply(List.of(dense, full));

            // alpha: axis 0 for the document model, axis 1 for the query model
            assertThat(axis(dense.denseVector)).isEqualTo(1);
            assertThat(dense.denseVector).containsExactly(questionEncoder.encodeQueries(List.of("alpha"))[0], offset(1e-6f));
            assertThat(axis(full.denseVector)).isEqualTo(2);
            assertThat(dense.tokenVectors).isNull();
            // beta's token vectors are the document model's: [CLS] beta [SEP] with beta on axis 1, not 2
            float[][] expected = contextTokens.encodeQueries(List.of("beta"))[0];
            assertThat(full.tokenVectors).hasNumberOfRows(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(full.tokenVectors[i]).containsExactly(expected[i], offset(1e-6f));
            }
            assertThat(java.util.Arrays.stream(full.tokenVectors).map(TwoTowerTest::axis).toList())
                    .contains(1).doesNotContain(2);
        } finally {
            encode.close();
        }
    }

    @Test
    void withoutAQueryModelQueriesAreEncodedByTheDenseModel(@TempDir Path tmp) {
        Path documents = TwoTowerModels.write(tmp.resolve("context"), HIDDEN, DOCUMENT_AXES);
        NeuralOptions n = new NeuralOptions();
        n.denseModel = documents.toString();
        n.intraOpThreads = 1;
        n.validate();
        assertThat(n.twoTower()).isFalse();
        EncodeQueries encode = new EncodeQueries(n);
        encode.open(BatchContext.of(new UnregisteredMetricsGroup(), d -> {}));
        try {
            ShardQuery q = query("alpha", QueryMode.DENSE);
            encode.apply(List.of(q));
            assertThat(axis(q.denseVector)).isZero();
        } finally {
            encode.close();
        }
    }

    @Test
    void modelsOfDifferentDimensionsAreRefusedNamingBoth(@TempDir Path tmp) {
        Path documents = TwoTowerModels.write(tmp.resolve("context"), HIDDEN, DOCUMENT_AXES);
        Path queries = TwoTowerModels.write(tmp.resolve("question"), 12, QUERY_AXES);
        assertThatThrownBy(() -> twoTower(documents, queries).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--query-model " + queries + " gives 12-dimensional vectors")
                .hasMessageContaining("--dense-model " + documents + " gives 8-dimensional vectors");
    }

    @Test
    void aQueryModelNeedsADocumentModel(@TempDir Path tmp) {
        NeuralOptions n = new NeuralOptions();
        n.denseModel = "none";
        n.queryModel = TwoTowerModels.write(tmp.resolve("question"), HIDDEN, QUERY_AXES).toString();
        assertThatThrownBy(n::validate).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--query-model").hasMessageContaining("--dense-model is none");
    }
}
