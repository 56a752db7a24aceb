package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once delivery: results are written in Kafka transactions committed at checkpoints and read with
 * read_committed; each query is answered once. A second reader counts every result record per query id on the
 * whole results topic, a few checkpoints after the last answer, so a duplicate answer fails the test. (Duplicates
 * after failures, which only transactions prevent, are counted by {@code ShortFailureIT} and the fault suites.)
 */
class ExactlyOnceIT {
    private static final int QUERIES = 20;
    private static final long CHECKPOINT_MS = 500;

    @Test
    void resultsArriveThroughCommittedTransactionsOncePerQuery() throws Exception {
        JobOptions o = JobOptions.parse("--dense-model", "none", "--shards", "3", "--parallelism", "1", "--delivery", "exactly-once",
                "--checkpoint-interval-ms", Long.toString(CHECKPOINT_MS), "--queries-start", "earliest",
                "--work-dir", Files.createTempDirectory("eo-it").toString());
        Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        try (LocalPipeline pipeline = LocalPipeline.start(o); PipelineClient client = new PipelineClient(o, null);
                ResultStream<SearchResult> counter = new ResultStream<>(o.kafkaClientProperties(), o.resultsTopic,
                        SearchResult.class, true, true,
                        r -> answers.computeIfAbsent(r.queryId, k -> new AtomicInteger()).incrementAndGet())) {
            client.publish(Document.upsert("a", "Alpha", "transactions commit at checkpoints", null));
            client.publish(Document.upsert("b", "Beta", "read committed consumers see committed records", null));
            client.flush();
            assertThat(client.awaitDocuments(2, Duration.ofSeconds(60), null).documents).isEqualTo(2);
            SearchResult r = client.askAndWait(Query.search("eo-1", "consumers", 5), Duration.ofSeconds(60));
            assertThat(r.hits).extracting(h -> h.docId).containsExactly("b");
            SearchResult r2 = client.askAndWait(Query.search("eo-2", "checkpoints transactions", 5), Duration.ofSeconds(60));
            assertThat(r2.hits).extracting(h -> h.docId).containsExactly("a");
            List<String> ids = new ArrayList<>(List.of("eo-1", "eo-2"));
            for (int i = 0; i < QUERIES; i++) {
                String id = "eo-batch-" + i;
                client.ask(Query.search(id, i % 2 == 0 ? "committed records" : "checkpoints", 5));
                ids.add(id);
            }
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end && !answers.keySet().containsAll(ids)) {
                Thread.sleep(100);
            }
            Thread.sleep(6 * CHECKPOINT_MS); // later transactions would carry any second answer
            for (String id : ids) {
                assertThat(answers.get(id)).as("answers to %s on the results topic (read_committed)", id)
                        .isNotNull().hasValue(1);
            }
            assertThat(answers.keySet().stream().filter(id -> !id.startsWith("stats-")))
                    .as("answered query ids besides the stats queries of awaitDocuments").hasSameElementsAs(ids);
            answers.forEach((id, n) -> assertThat(n).as("answers to %s", id).hasValue(1));
        }
    }
}
