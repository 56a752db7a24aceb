package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.operators.encoding.EncodeDocuments;
import dev.streamretrieval.operators.encoding.ModelSpec;
import dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The neural stages through Kafka and a MiniCluster: dense, hybrid and full modes answer with per-stage scores,
 * full mode runs a (structural) cross-encoder, and a job restored from a savepoint does not re-encode the
 * documents it already indexed.
 */
class NeuralPipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    static final List<Document> DOCS = List.of(
            Document.upsert("flink", "Flink checkpoints", "Flink snapshots operator state to durable storage so a failed job resumes where it stopped.", 1L),
            Document.upsert("kafka", "Kafka topics", "Kafka stores records in partitioned, replicated logs that consumers read at their own pace.", 1L),
            Document.upsert("pasta", "Cooking pasta", "Boil salted water, add the pasta and cook it until it is al dente, then drain it.", 1L),
            Document.upsert("stars", "Neutron stars", "A neutron star is the collapsed core of a massive star, extremely dense and rapidly spinning.", 1L),
            Document.upsert("bikes", "Cycling", "Road bicycles have narrow tyres and drop handlebars for speed on paved roads.", 1L));

    private static Path crossEncoderFolder(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        float[][] embedding = OnnxTestModels.randomEmbedding(30522, 8, 3);
        float[] weights = {0.3f, -0.2f, 0.1f, 0.4f, -0.1f, 0.2f, 0.05f, -0.3f};
        OnnxTestModels.writeCrossEncoder(dir, embedding, weights, 0f);
        Files.writeString(dir.resolve("model.json"), "{\"role\": \"cross-encoder\", \"output\": \"logits\"}");
        return dir;
    }

    private static JobOptions options(String bootstrap, Path work, Path crossEncoder) {
        return JobOptions.parse("--bootstrap-servers", bootstrap, "--shards", "3", "--parallelism", "1",
                "--checkpoint-interval-ms", "1000", "--queries-start", "earliest", "--work-dir", work.toString(),
                "--dense-model", "all-minilm-l6-v2-q", "--cross-encoder", crossEncoder.toString(),
                "--rerank-depth", "3", "--onnx-threads", "1");
    }

    private static SearchResult ask(PipelineClient client, String id, String text, QueryMode mode) throws Exception {
        return client.askAndWait(new Query(id, text, 5, mode, QueryOp.SEARCH), WAIT);
    }

    @Test
    void neuralModesAndNoReencodingAfterRestore(@TempDir Path tmp) throws Exception {
        Path ce = crossEncoderFolder(tmp.resolve("cross-encoder"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions first = options(kafka.bootstrapServers(), tmp.resolve("work1"), ce);
            long encodedBefore = EncodeDocuments.ENCODED_IN_JVM.get();
            String savepoint;
            LocalPipeline pipeline = LocalPipeline.start(first);
            try (PipelineClient client = new PipelineClient(first, null)) {
                DOCS.forEach(client::publish);
                client.flush();
                assertThat(client.awaitDocuments(DOCS.size(), WAIT, null).denseBytes).isPositive();
                assertThat(EncodeDocuments.ENCODED_IN_JVM.get() - encodedBefore).isEqualTo(DOCS.size());

                // dense: a paraphrase with no shared content word still finds the document
                SearchResult dense = ask(client, "d1", "how does a stream processor recover after a crash", QueryMode.DENSE);
                assertThat(dense.hits).isNotEmpty();
                assertThat(dense.hits.get(0).docId).isEqualTo("flink");
                assertThat(dense.hits.get(0).scores).containsKey("dense").doesNotContainKey("bm25");

                SearchResult hybrid = ask(client, "h1", "partitioned logs of records", QueryMode.HYBRID);
                assertThat(hybrid.hits.get(0).docId).isEqualTo("kafka");
                assertThat(hybrid.hits.get(0).scores).containsKeys("bm25", "dense", "rrf");

                SearchResult full = ask(client, "f1", "collapsed core of a massive star", QueryMode.FULL);
                assertThat(full.notes).isEmpty();
                List<Hit> top = full.hits.subList(0, Math.min(3, full.hits.size()));
                assertThat(top).allSatisfy(h -> assertThat(h.scores).containsKeys("maxsim", "combined", "cross_encoder"));
                // below the rerank depth the hits keep full mode's order: the combined BM25, dense and MaxSim score
                List<Hit> below = full.hits.subList(top.size(), full.hits.size());
                assertThat(below).isNotEmpty().allSatisfy(h -> assertThat(h.score).isEqualTo(h.scores.get("combined")));
                for (int i = 1; i < below.size(); i++) {
                    assertThat(below.get(i - 1).score).isGreaterThanOrEqualTo(below.get(i).score);
                }
                // the reranked top follows the cross-encoder's logits
                for (int i = 1; i < top.size(); i++) {
                    assertThat(top.get(i - 1).scores.get("cross_encoder")).isGreaterThanOrEqualTo(top.get(i).scores.get("cross_encoder"));
                }
                savepoint = pipeline.job().stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL).get();
            } finally {
                pipeline.close();
            }

            // restore: nothing already indexed is encoded again; one new document is encoded once
            JobOptions second = options(kafka.bootstrapServers(), tmp.resolve("work2"), ce);
            second.flinkConfiguration.put("execution.state-recovery.path", savepoint);
            long encodedAtRestore = EncodeDocuments.ENCODED_IN_JVM.get();
            try (LocalPipeline restored = LocalPipeline.start(second);
                    PipelineClient client = new PipelineClient(second, null)) {
                client.publish(Document.upsert("tea", "Green tea", "Green tea leaves are steamed or pan-fired to stop oxidation.", 1L));
                client.flush();
                assertThat(client.awaitDocuments(DOCS.size() + 1, WAIT, null).documents).isEqualTo(DOCS.size() + 1);
                assertThat(EncodeDocuments.ENCODED_IN_JVM.get() - encodedAtRestore).isEqualTo(1);
                SearchResult dense = ask(client, "d2", "how does a stream processor recover after a crash", QueryMode.DENSE);
                assertThat(dense.hits.get(0).docId).isEqualTo("flink");
            }
        }
    }
}
