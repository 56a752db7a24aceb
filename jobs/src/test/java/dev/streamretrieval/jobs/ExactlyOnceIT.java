package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once delivery: results are written in Kafka transactions committed at checkpoints and read with
 * read_committed; each query is answered once.
 */
class ExactlyOnceIT {
    @Test
    void resultsArriveThroughCommittedTransactions() throws Exception {
        JobOptions o = JobOptions.parse("--dense-model", "none", "--shards", "3", "--parallelism", "1", "--delivery", "exactly-once",
                "--checkpoint-interval-ms", "500", "--queries-start", "earliest",
                "--work-dir", Files.createTempDirectory("eo-it").toString());
        try (LocalPipeline pipeline = LocalPipeline.start(o); PipelineClient client = new PipelineClient(o, null)) {
            client.publish(Document.upsert("a", "Alpha", "transactions commit at checkpoints", null));
            client.publish(Document.upsert("b", "Beta", "read committed consumers see committed records", null));
            client.flush();
            assertThat(client.awaitDocuments(2, Duration.ofSeconds(60), null).documents).isEqualTo(2);
            SearchResult r = client.askAndWait(Query.search("eo-1", "consumers", 5), Duration.ofSeconds(60));
            assertThat(r.hits).extracting(h -> h.docId).containsExactly("b");
            SearchResult r2 = client.askAndWait(Query.search("eo-2", "checkpoints transactions", 5), Duration.ofSeconds(60));
            assertThat(r2.hits).extracting(h -> h.docId).containsExactly("a");
        }
    }
}
