package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.operators.encoding.EncodeDocuments;
import dev.streamretrieval.operators.encoding.ModelSpec;
import dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model faults through Kafka and a MiniCluster, with generated models whose embedding tables are shorter than the
 * vocabulary (ONNX Runtime's Gather fails on any text holding a word beyond the table): a document the dense model
 * cannot encode is indexed for BM25 and reported as a degraded dead letter; a dense query it cannot encode is
 * answered by BM25 with a {@code degraded} entry; a full query the cross-encoder fails on keeps its combined order
 * with a {@code degraded} entry; the job never restarts (a restart would replay and re-encode the documents, and
 * the failing query would fail again and never be answered).
 */
class ModelFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Fails in both models (id ≥ 29,500 in the BERT uncased vocabulary). */
    private static final String POISON_BOTH = "triassic";
    /** Fails only in the cross-encoder (id in [29,000, 29,500)). */
    private static final String POISON_CROSS_ENCODER = "obsidian";

    private static final int BI_ENCODER_ROWS = 29500;
    private static final int CROSS_ENCODER_ROWS = 29000;

    /** The highest token id of a text: the test checks that its inputs fail (or not) where intended. */
    private static long maxId(String text) throws Exception {
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json");
                HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(in, java.util.Map.of())) {
            return java.util.Arrays.stream(reference.encode(text).getIds()).max().orElse(0);
        }
    }

    private static Path folder(Path dir, String modelJson) throws Exception {
        Files.createDirectories(dir);
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        Files.writeString(dir.resolve("model.json"), modelJson);
        return dir;
    }

    private static SearchResult ask(PipelineClient client, String id, String text, QueryMode mode) throws Exception {
        return client.askAndWait(new Query(id, text, 10, mode, QueryOp.SEARCH), WAIT);
    }

    @Test
    void modelErrorsDegradeAnswersAndNeverRestartTheJob(@TempDir Path tmp) throws Exception {
        Path dense = folder(tmp.resolve("dense"), "{\"role\": \"dense\"}");
        OnnxTestModels.writeBiEncoder(dense, OnnxTestModels.randomEmbedding(BI_ENCODER_ROWS, 8, 21));
        Path cross = folder(tmp.resolve("cross"), "{\"role\": \"cross-encoder\", \"output\": \"logits\"}");
        OnnxTestModels.writeCrossEncoder(cross, OnnxTestModels.randomEmbedding(CROSS_ENCODER_ROWS, 8, 22),
                new float[] {0.3f, -0.2f, 0.1f, 0.4f, -0.1f, 0.2f, 0.05f, -0.3f}, 0f);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions o = JobOptions.parse("--bootstrap-servers", kafka.bootstrapServers(), "--shards", "2",
                    "--parallelism", "1", "--checkpoint-interval-ms", "1000", "--queries-start", "earliest",
                    "--work-dir", tmp.resolve("work").toString(), "--dense-model", dense.toString(),
                    "--cross-encoder", cross.toString(), "--rerank-depth", "5", "--onnx-threads", "1");
            List<DeadLetter> dead = new CopyOnWriteArrayList<>();
            long encodedBefore = EncodeDocuments.ENCODED_IN_JVM.get();
            try (LocalPipeline pipeline = LocalPipeline.start(o);
                    PipelineClient client = new PipelineClient(o, null);
                    ResultStream<DeadLetter> deadStream = new ResultStream<>(o.kafkaClientProperties(),
                            o.deadLetterTopic, DeadLetter.class, false, true, dead::add)) {
                // first the rerank stage, over documents that every model can encode
                Document glass = Document.upsert("glass", "Volcanic glass", "Volcanic glass forms when lava cools so"
                        + " fast that no crystals grow; its edges are sharp.", 1L);
                for (Document d : NeuralPipelineIT.DOCS) {
                    assertThat(maxId(d.indexableText())).as(d.id).isLessThan(CROSS_ENCODER_ROWS);
                    client.publish(d);
                }
                assertThat(maxId(glass.indexableText())).isLessThan(CROSS_ENCODER_ROWS);
                client.publish(glass);
                client.flush();
                int docs = NeuralPipelineIT.DOCS.size() + 1;
                assertThat(client.awaitDocuments(docs, WAIT, null).documents).isEqualTo(docs);

                // full: the cross-encoder fails on this query, the hits keep full mode's combined order
                assertThat(maxId(POISON_CROSS_ENCODER)).isBetween((long) CROSS_ENCODER_ROWS, BI_ENCODER_ROWS - 1L);
                SearchResult noRerank = ask(client, "f1", POISON_CROSS_ENCODER + " volcanic glass", QueryMode.FULL);
                assertThat(noRerank.mode).isEqualTo("full");
                assertThat(noRerank.hits).isNotEmpty();
                assertThat(noRerank.hits.get(0).scores).containsKeys("maxsim", "combined").doesNotContainKey("cross_encoder");
                for (int i = 1; i < noRerank.hits.size(); i++) {
                    Double prev = noRerank.hits.get(i - 1).scores.get("combined");
                    Double next = noRerank.hits.get(i).scores.get("combined");
                    if (prev != null && next != null) {
                        assertThat(prev).isGreaterThanOrEqualTo(next);
                    }
                }
                assertThat(noRerank.degraded).singleElement().satisfies(g -> {
                    assertThat(g.stage).isEqualTo("rerank");
                    assertThat(g.skipped).containsExactly("cross_encoder");
                    assertThat(g.reason).contains("Gather");
                });
                // and a full query the models can handle is reranked as usual
                SearchResult reranked = ask(client, "f2", "volcanic glass", QueryMode.FULL);
                assertThat(reranked.degraded).isEmpty();
                assertThat(reranked.hits.get(0).scores).containsKey("cross_encoder");

                // a document the dense model cannot encode: indexed, found by BM25, reported once as degraded
                assertThat(maxId(POISON_BOTH)).isGreaterThanOrEqualTo(BI_ENCODER_ROWS);
                client.publish(Document.upsert("fossils", "Fossils", "Dinosaur fossils from the " + POISON_BOTH
                        + " period were found in the quarry.", 1L));
                client.flush();
                docs++;
                // every document is indexed; the degraded one is not counted as refused
                assertThat(client.awaitDocuments(docs, WAIT, null).documents).isEqualTo(docs);
                assertThat(client.documentsDeadLettered()).isZero();
                long end = System.nanoTime() + WAIT.toNanos();
                while (dead.isEmpty() && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                assertThat(dead).singleElement().satisfies(d -> {
                    assertThat(d.degraded).isTrue();
                    assertThat(d.key).isEqualTo("fossils");
                    assertThat(d.stage).isEqualTo("encode-document");
                    assertThat(d.topic).isEqualTo(o.documentsTopic);
                    assertThat(d.error).contains("indexed for BM25 only").contains("Gather");
                });
                SearchResult bm25 = ask(client, "b1", "dinosaur fossils", QueryMode.BM25);
                assertThat(bm25.hits.get(0).docId).isEqualTo("fossils");
                SearchResult denseOk = ask(client, "d1", "dinosaur fossils", QueryMode.DENSE);
                assertThat(denseOk.degraded).isEmpty();
                assertThat(denseOk.hits).extracting(h -> h.docId).doesNotContain("fossils").isNotEmpty();

                // a dense query the model cannot encode: answered by BM25, and says so
                SearchResult degraded = ask(client, "d2", POISON_BOTH + " fossils", QueryMode.DENSE);
                assertThat(degraded.mode).isEqualTo("bm25");
                assertThat(degraded.hits.get(0).docId).isEqualTo("fossils");
                assertThat(degraded.degraded).singleElement().satisfies(g -> {
                    assertThat(g.stage).isEqualTo("query_encode");
                    assertThat(g.skipped).containsExactly("dense");
                    assertThat(g.reason).contains("answered with bm25").contains("Gather");
                });

                // no restart: nothing was replayed and encoded again
                assertThat(EncodeDocuments.ENCODED_IN_JVM.get() - encodedBefore).isEqualTo(docs - 1);
                assertThat(dead).hasSize(1);
                assertThat(pipeline.job().getJobStatus().get().isTerminalState()).isFalse();
            }
        }
    }
}
