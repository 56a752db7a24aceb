package dev.streamretrieval.operators.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels;
import dev.streamretrieval.operators.gather.GatheredResult;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.rerank.CrossEncoderRerank;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model faults with generated ONNX models that fail on chosen inputs: the embedding table of the model has fewer
 * rows than the tokenizer's vocabulary, so ONNX Runtime's Gather refuses any text holding a word whose id lies
 * beyond the table, and every other text encodes normally. A document the model cannot encode is indexed without
 * vectors and reported as a degraded dead letter; a query falls back to the modes that still work and says so;
 * a failed rerank keeps the order; a model folder with several faults fails validation with all of them at once.
 */
class ModelFaultsTest {
    static final int VOCAB = 30522;
    /** Bi-encoder rows: ids from here on fail ("triassic" is 29,5xx in the BERT uncased vocabulary). */
    static final int BI_ENCODER_ROWS = 29500;
    /** Cross-encoder rows: "obsidian" (29,0xx) fails only here. */
    static final int CROSS_ENCODER_ROWS = 29000;
    static final String POISON_BOTH = "triassic";
    static final String POISON_CROSS_ENCODER = "obsidian";

    /** Counters by name, so a test can read what an operator counted. */
    static final class Metrics extends UnregisteredMetricsGroup {
        final Map<String, Counter> counters = new HashMap<>();

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            counters.put(name, counter);
            return counter;
        }

        long count(String name) {
            return counters.get(name).getCount();
        }
    }

    static void copyTokenizer(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
    }

    static float[][] table(int rows, long seed) {
        return OnnxTestModels.randomEmbedding(rows, 8, seed);
    }

    /** A dense model folder whose Gather fails for ids at or beyond {@code rows}. */
    static Path biEncoder(Path dir, float[][] embedding) throws Exception {
        copyTokenizer(dir);
        OnnxTestModels.writeBiEncoder(dir, embedding);
        Files.writeString(dir.resolve("model.json"), "{\"role\": \"dense\"}");
        return dir;
    }

    static Path crossEncoder(Path dir) throws Exception {
        copyTokenizer(dir);
        OnnxTestModels.writeCrossEncoder(dir, table(CROSS_ENCODER_ROWS, 5),
                new float[] {0.3f, -0.2f, 0.1f, 0.4f, -0.1f, 0.2f, 0.05f, -0.3f}, 0f);
        Files.writeString(dir.resolve("model.json"), "{\"role\": \"cross-encoder\", \"output\": \"logits\"}");
        return dir;
    }

    /** The highest token id of a text: the test's own check that its inputs fail (or not) where intended. */
    static long maxId(String text) throws Exception {
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json");
                HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(in, Map.of())) {
            return Arrays.stream(reference.encode(text).getIds()).max().orElse(0);
        }
    }

    private static NeuralOptions options(Path model) {
        NeuralOptions n = new NeuralOptions();
        n.denseModel = model.toString();
        n.intraOpThreads = 1;
        n.batchSize = 8;
        return n;
    }

    private static IndexRequest upsert(String id, String text) {
        IndexRequest r = new IndexRequest();
        r.docId = id;
        r.op = DocumentOp.UPSERT;
        r.text = text;
        r.sourceTopic = "documents";
        r.sourcePartition = 0;
        r.sourceOffset = id.length();
        return r;
    }

    @Test
    void theTestInputsFailWhereIntended() throws Exception {
        assertThat(maxId("flink checkpoints store operator state")).isLessThan(CROSS_ENCODER_ROWS);
        assertThat(maxId(POISON_BOTH)).isGreaterThanOrEqualTo(BI_ENCODER_ROWS);
        assertThat(maxId(POISON_CROSS_ENCODER)).isBetween((long) CROSS_ENCODER_ROWS, (long) BI_ENCODER_ROWS - 1);
    }

    @Test
    void aDocumentTheModelCannotEncodeIsIndexedWithoutVectorsAndReported(@TempDir Path tmp) throws Exception {
        EncodeDocuments encode = new EncodeDocuments(options(biEncoder(tmp.resolve("m"), table(BI_ENCODER_ROWS, 1))));
        Metrics metrics = new Metrics();
        List<DeadLetter> dead = new ArrayList<>();
        encode.open(BatchContext.of(metrics, dead::add));
        try {
            IndexRequest ok1 = upsert("ok-1", "flink checkpoints store operator state");
            IndexRequest poison = upsert("poison", "fossils from the " + POISON_BOTH + " period");
            IndexRequest ok2 = upsert("ok-2", "kafka keeps partitioned logs");
            IndexRequest delete = new IndexRequest();
            delete.docId = "gone";
            delete.op = DocumentOp.DELETE;
            List<IndexRequest> out = encode.apply(List.of(ok1, poison, ok2, delete));

            assertThat(out).containsExactly(ok1, poison, ok2, delete);
            assertThat(ok1.dense).isNotNull();
            assertThat(ok1.tokens).isNotNull();
            assertThat(ok2.dense).isNotNull();
            assertThat(poison.dense).isNull();
            assertThat(poison.tokens).isNull();
            assertThat(poison.text).isNotNull(); // still indexed for BM25 by the shard
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.degraded).isTrue();
                assertThat(d.key).isEqualTo("poison");
                assertThat(d.stage).isEqualTo(EncodeDocuments.STAGE);
                assertThat(d.topic).isEqualTo("documents");
                assertThat(d.offset).isEqualTo("poison".length());
                assertThat(d.error).startsWith("the dense model could not encode this document, so it is indexed for"
                        + " BM25 only").contains("Gather");
                assertThat(d.at).isNotBlank();
            });
            assertThat(metrics.count("documentsEncodeFailed")).isEqualTo(1);
            assertThat(metrics.count("documentsEncoded")).isEqualTo(2);
        } finally {
            encode.close();
        }
    }

    @Test
    void aModelThatReturnsNanIsAFaultNotAVector(@TempDir Path tmp) throws Exception {
        float[][] embedding = table(VOCAB, 2);
        long zebra;
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json");
                HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(in, Map.of())) {
            zebra = reference.encode("zebra").getIds()[1];
        }
        java.util.Arrays.fill(embedding[(int) zebra], Float.NaN);
        EncodeDocuments encode = new EncodeDocuments(options(biEncoder(tmp.resolve("m"), embedding)));
        List<DeadLetter> dead = new ArrayList<>();
        encode.open(BatchContext.of(new Metrics(), dead::add));
        try {
            IndexRequest ok = upsert("ok", "a horse in a field");
            IndexRequest nan = upsert("nan", "a zebra in a field");
            encode.apply(List.of(ok, nan));
            assertThat(ok.dense).isNotNull();
            assertThat(nan.dense).isNull();
            assertThat(dead).singleElement().satisfies(d -> assertThat(d.error).contains("NaN"));
        } finally {
            encode.close();
        }
    }

    private static ShardQuery query(String id, String text, QueryMode mode) {
        ShardQuery q = new ShardQuery();
        q.queryId = id;
        q.op = QueryOp.SEARCH;
        q.mode = mode;
        q.text = text;
        return q;
    }

    @Test
    void aQueryTheModelCannotEncodeIsAnsweredByTheModesThatWork(@TempDir Path tmp) throws Exception {
        EncodeQueries encode = new EncodeQueries(options(biEncoder(tmp.resolve("m"), table(BI_ENCODER_ROWS, 3))));
        Metrics metrics = new Metrics();
        encode.open(BatchContext.of(metrics, d -> {
            throw new AssertionError("queries send no dead letters: " + d);
        }));
        try {
            ShardQuery ok = query("ok", "operator state", QueryMode.DENSE);
            ShardQuery dense = query("dense", POISON_BOTH + " fossils", QueryMode.DENSE);
            ShardQuery hybrid = query("hybrid", POISON_BOTH + " fossils", QueryMode.HYBRID);
            ShardQuery full = query("full", POISON_BOTH + " fossils", QueryMode.FULL);
            ShardQuery bm25 = query("bm25", POISON_BOTH + " fossils", QueryMode.BM25);
            ShardQuery supplied = query("supplied", POISON_BOTH, QueryMode.DENSE);
            supplied.denseVector = new float[] {1, 0, 0, 0, 0, 0, 0, 0};
            encode.apply(List.of(ok, dense, hybrid, full, bm25, supplied));

            assertThat(ok.denseVector).hasSize(8);
            assertThat(ok.degraded).isEmpty();
            assertThat(ok.mode).isEqualTo(QueryMode.DENSE);
            for (ShardQuery q : List.of(dense, hybrid, full)) {
                assertThat(q.mode).as(q.queryId).isEqualTo(QueryMode.BM25);
                assertThat(q.denseVector).as(q.queryId).isNull();
                assertThat(q.tokenVectors).as(q.queryId).isNull();
                assertThat(q.degraded).as(q.queryId).singleElement().satisfies(d -> {
                    assertThat(d.stage).isEqualTo("query_encode");
                    assertThat(d.reason).startsWith("the model could not encode the query text, so it is answered"
                            + " with bm25").contains("Gather");
                });
            }
            assertThat(dense.degraded[0].skipped).containsExactly("dense");
            assertThat(full.degraded[0].skipped).containsExactly("dense", "maxsim", "cross_encoder");
            assertThat(bm25.degraded).isEmpty();
            // a supplied vector needs no model: the poison word in its text does not matter
            assertThat(supplied.mode).isEqualTo(QueryMode.DENSE);
            assertThat(supplied.degraded).isEmpty();
            assertThat(metrics.count("queriesEncodeFailed")).isEqualTo(3);
        } finally {
            encode.close();
        }
    }

    private static GatheredResult gathered(String queryId, String queryText, String... passages) {
        SearchResult r = new SearchResult();
        r.queryId = queryId;
        r.mode = "full";
        for (int i = 0; i < passages.length; i++) {
            r.hits.add(new Hit("d" + i, i + 1, 10 - i, new java.util.LinkedHashMap<>(Map.of("maxsim", 10.0 - i)), null));
        }
        return new GatheredResult(r, queryText, passages);
    }

    @Test
    void aFailedRerankKeepsTheOrderAndSaysWhy(@TempDir Path tmp) throws Exception {
        ModelSpec spec = ModelSpec.fromFolder(crossEncoder(tmp.resolve("ce")), "cross-encoder");
        CrossEncoderRerank rerank = new CrossEncoderRerank(spec, 1, 4);
        Metrics metrics = new Metrics();
        rerank.open(BatchContext.of(metrics, d -> {}));
        try {
            GatheredResult poisoned = gathered("q1", "rocks", "volcanic glass", "black " + POISON_CROSS_ENCODER
                    + " blades", "granite");
            GatheredResult fine = gathered("q2", "rocks", "volcanic glass", "black stone blades", "granite");
            List<SearchResult> out = rerank.apply(List.of(poisoned, fine));

            SearchResult failed = out.get(0);
            assertThat(failed.hits).extracting(h -> h.docId).containsExactly("d0", "d1", "d2");
            assertThat(failed.hits).allSatisfy(h -> assertThat(h.scores).doesNotContainKey("cross_encoder"));
            assertThat(failed.degraded).singleElement().satisfies(d -> {
                assertThat(d.stage).isEqualTo("rerank");
                assertThat(d.skipped).containsExactly("cross_encoder");
                assertThat(d.reason).startsWith("the cross-encoder failed, so the hits keep their MaxSim/fused order")
                        .contains("Gather");
            });
            // the other query of the same batch is reranked
            assertThat(out.get(1).degraded).isEmpty();
            assertThat(out.get(1).hits).allSatisfy(h -> assertThat(h.scores).containsKey("cross_encoder"));
            assertThat(metrics.count("rerankFailed")).isEqualTo(1);
        } finally {
            rerank.close();
        }
    }

    @Test
    void brokenModelFoldersFailValidationWithEveryProblemInOneMessage(@TempDir Path tmp) throws Exception {
        // dense: wrong input names, no such output, no tokenizer.json
        Path dense = tmp.resolve("dense");
        OnnxTestModels.writeWithOutputs(dense, new String[] {"ids", "mask"}, new String[] {"embeddings"});
        // cross-encoder: an empty folder
        Path cross = Files.createDirectories(tmp.resolve("cross"));
        // token model: a cross-encoder used as token model, so its output has the wrong rank
        Path token = tmp.resolve("token");
        crossEncoder(token);
        Files.writeString(token.resolve("model.json"), "{\"role\": \"token\", \"output\": \"logits\"}");

        NeuralOptions n = new NeuralOptions();
        n.denseModel = dense.toString();
        n.tokenModel = token.toString();
        n.crossEncoderModel = cross.toString();
        assertThatThrownBy(n::validate)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the configured models cannot be used (")
                .hasMessageContaining("--dense-model " + dense + ": tokenizer file " + dense.resolve("tokenizer.json")
                        .toAbsolutePath() + " is missing")
                .hasMessageContaining("--dense-model " + dense + ": input 'input_ids' not found")
                .hasMessageContaining("--dense-model " + dense + ": input 'attention_mask' not found")
                .hasMessageContaining("--dense-model " + dense + ": input 'token_type_ids' not found")
                .hasMessageContaining("--dense-model " + dense + ": the model has input 'ids' that no setting names")
                .hasMessageContaining("--dense-model " + dense + ": output 'last_hidden_state' not found")
                .hasMessageContaining("outputs {embeddings=")
                .hasMessageContaining("--token-model " + token + ": output 'logits' has rank 2, expected 3")
                .hasMessageContaining("--cross-encoder " + cross + ": model file " + cross.resolve("model.onnx")
                        .toAbsolutePath() + " is missing")
                .hasMessageContaining("--cross-encoder " + cross + ": tokenizer file");
        // the same checks guard the load inside the job
        assertThatThrownBy(() -> DenseEncoder.open(ModelSpec.fromFolder(dense, "dense"), 1, 4))
                .hasMessageContaining("input 'input_ids' not found").hasMessageContaining("tokenizer file");
    }
}
