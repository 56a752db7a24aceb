package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.operators.encoding.testmodels.TwoTowerModels;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The colbert mode through Kafka and a MiniCluster, with a generated bi-encoder that sends each word to its own
 * axis (token vectors: the word's axis, and a small common axis for [CLS] and [SEP]). With
 * {@code --token-train-tokens 6} each of the two shards trains its residual2 codebook after a few documents, so the
 * later answers come from the centroid lists. A colbert query matches no BM25 term on purpose ("alpha" is indexed,
 * but the query's words do not need to be): it finds the document by its token vectors; a deleted document leaves
 * the lists, and an upsert enters them.
 */
class ColbertIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "sigma", "river"};

    private static SearchResult ask(PipelineClient client, String id, String text) throws Exception {
        return client.askAndWait(new Query(id, text, 3, QueryMode.COLBERT, QueryOp.SEARCH), WAIT);
    }

    @Test
    void colbertModeAnswersThroughKafkaAndFollowsUpsertsAndDeletes(@TempDir Path tmp) throws Exception {
        Map<String, Integer> axes = new java.util.HashMap<>();
        for (int i = 0; i < WORDS.length; i++) {
            axes.put(WORDS[i], i);
        }
        Path model = TwoTowerModels.write(tmp.resolve("model"), 8, axes);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions o = JobOptions.parse("--bootstrap-servers", kafka.bootstrapServers(), "--shards", "2",
                    "--parallelism", "1", "--checkpoint-interval-ms", "1000", "--queries-start", "earliest",
                    "--work-dir", tmp.resolve("work").toString(), "--dense-model", model.toString(),
                    "--dense-index", "exact", "--onnx-threads", "1", "--token-codec", "residual2",
                    "--token-train-tokens", "6");
            try (LocalPipeline pipeline = LocalPipeline.start(o);
                    PipelineClient client = new PipelineClient(o, null)) {
                for (int copy = 0; copy < 2; copy++) {
                    for (String word : WORDS) {
                        client.publish(Document.upsert(word + copy, null, word, 1L));
                    }
                }
                client.flush();
                assertThat(client.awaitDocuments(12, WAIT, null).tokenBytes).isPositive();

                SearchResult alpha = ask(client, "c1", "alpha");
                assertThat(alpha.mode).isEqualTo("colbert");
                assertThat(alpha.degraded).isEmpty();
                assertThat(alpha.hits).extracting(h -> h.docId).startsWith("alpha0", "alpha1");
                assertThat(alpha.hits.get(0).scores).containsKey("maxsim").doesNotContainKey("bm25");
                assertThat(alpha.hits.get(2).scores.get("maxsim")).isLessThan(alpha.hits.get(0).scores.get("maxsim"));

                client.publish(Document.upsert("alpha2", null, "alpha", 1L));
                client.flush();
                client.awaitDocuments(13, WAIT, null);
                client.publish(Document.delete("alpha0", 2L));
                client.flush();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (client.stats(Duration.ofSeconds(10)).documents != 12 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                SearchResult after = ask(client, "c2", "alpha");
                assertThat(after.hits).extracting(h -> h.docId).startsWith("alpha1", "alpha2")
                        .doesNotContain("alpha0");
            }
        }
    }
}
