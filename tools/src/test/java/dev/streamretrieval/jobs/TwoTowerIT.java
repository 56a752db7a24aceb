package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * A two-tower job ({@code --query-model} next to {@code --dense-model}) through Kafka and a MiniCluster, with two
 * generated models that send the words alpha, beta, gamma to different axes: the document ("context") model to
 * axes 0, 1, 2, the query ("question") model to axes 1, 2, 0. Each document holds one word. The nearest document
 * to a dense query then tells which model encoded what:
 *
 * <pre>
 *   query "alpha"       queries by     documents by    top hit
 *                       query model    document model  beta   (the two-tower job)
 *                       document model document model  alpha  (query model ignored)
 *                       query model    query model     alpha  (documents encoded by the query model)
 *                       document model query model     gamma
 * </pre>
 *
 * Full mode re-scores by MaxSim over token vectors, which come from the document model on both sides, so there
 * "alpha" ranks first again. A pair whose dimensions differ is refused before the job starts.
 */
class TwoTowerIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int HIDDEN = 8;

    private static SearchResult ask(PipelineClient client, String id, String text, QueryMode mode) throws Exception {
        return client.askAndWait(new Query(id, text, 3, mode, QueryOp.SEARCH), WAIT);
    }

    @Test
    void queriesAreEncodedByTheQueryModelAndDocumentsByTheDocumentModel(@TempDir Path tmp) throws Exception {
        Path context = TwoTowerModels.write(tmp.resolve("context"), HIDDEN, Map.of("alpha", 0, "beta", 1, "gamma", 2));
        Path question = TwoTowerModels.write(tmp.resolve("question"), HIDDEN, Map.of("alpha", 1, "beta", 2, "gamma", 0));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions o = JobOptions.parse("--bootstrap-servers", kafka.bootstrapServers(), "--shards", "2",
                    "--parallelism", "1", "--checkpoint-interval-ms", "1000", "--queries-start", "earliest",
                    "--work-dir", tmp.resolve("work").toString(), "--dense-model", context.toString(),
                    "--query-model", question.toString(), "--dense-index", "exact", "--onnx-threads", "1");
            try (LocalPipeline pipeline = LocalPipeline.start(o);
                    PipelineClient client = new PipelineClient(o, null)) {
                for (String word : new String[] {"alpha", "beta", "gamma"}) {
                    client.publish(Document.upsert(word, null, word, 1L));
                }
                client.flush();
                assertThat(client.awaitDocuments(3, WAIT, null).denseBytes).isPositive();

                SearchResult alpha = ask(client, "d1", "alpha", QueryMode.DENSE);
                assertThat(alpha.degraded).isEmpty();
                assertThat(alpha.hits).extracting(h -> h.docId).first().isEqualTo("beta");
                SearchResult gamma = ask(client, "d2", "gamma", QueryMode.DENSE);
                assertThat(gamma.hits).extracting(h -> h.docId).first().isEqualTo("alpha");

                // MaxSim compares the query's token vectors with the documents': both from the document model
                SearchResult full = ask(client, "f1", "alpha", QueryMode.FULL);
                assertThat(full.mode).isEqualTo("full");
                assertThat(full.hits.get(0).docId).isEqualTo("alpha");
                assertThat(full.hits.get(0).scores).containsKey("maxsim");
            }
        }
    }

    @Test
    void aPairOfDifferentDimensionsIsRefusedBeforeTheJobStarts(@TempDir Path tmp) {
        Path context = TwoTowerModels.write(tmp.resolve("context"), HIDDEN, Map.of("alpha", 0));
        Path question = TwoTowerModels.write(tmp.resolve("question"), 16, Map.of("alpha", 1));
        assertThatThrownBy(() -> JobOptions.parse("--dense-model", context.toString(),
                "--query-model", question.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--query-model " + question + " gives 16-dimensional vectors")
                .hasMessageContaining("--dense-model " + context + " gives 8-dimensional vectors");
    }
}
