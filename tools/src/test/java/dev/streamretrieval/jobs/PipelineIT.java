package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.MessageJson;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end with a real KRaft broker on 127.0.0.1, the job on a Flink MiniCluster with RocksDB state and
 * checkpoints: malformed input goes to the dead-letter topic with reasons, every valid document is indexed,
 * upserts replace, deletes remove, stale versions are ignored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private LocalPipeline pipeline;
    private PipelineClient client;
    private ResultStream<DeadLetter> deadLetterStream;
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private JobOptions options;
    private int queryNo;

    @BeforeAll
    void start() throws Exception {
        Path work = Files.createTempDirectory("pipeline-it");
        options = JobOptions.parse("--dense-model", "none", "--shards", "4", "--parallelism", "2", "--checkpoint-interval-ms", "1000",
                "--work-dir", work.toString(), "--queries-start", "earliest", "--gather-timeout-ms", "20000",
                "--max-document-bytes", "100000", "--max-dead-letter-value-bytes", "1000");
        pipeline = LocalPipeline.start(options);
        client = new PipelineClient(options, null);
        deadLetterStream = new ResultStream<>(options.kafkaClientProperties(), options.deadLetterTopic,
                DeadLetter.class, false, true, deadLetters::add);
    }

    @AfterAll
    void stop() throws Exception {
        if (deadLetterStream != null) {
            deadLetterStream.close();
        }
        if (client != null) {
            client.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private SearchResult search(String text) throws Exception {
        return client.askAndWait(Query.search("it-" + (++queryNo), text, 10), WAIT);
    }

    private List<String> ids(String text) throws Exception {
        return search(text).hits.stream().map(h -> h.docId).toList();
    }

    /** Polls a search until its ids satisfy the condition; bounded in time and attempts. */
    private List<String> awaitIds(String text, Predicate<List<String>> condition) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        List<String> last = List.of();
        for (int attempt = 0; attempt < 300 && System.nanoTime() < end; attempt++) {
            last = ids(text);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        return last;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void endToEnd() throws Exception {
        // 1. valid documents
        int valid = 40;
        for (int i = 0; i < valid; i++) {
            String extra = i == 7 ? " zebra" : "";
            client.publish(Document.upsert("doc-" + i, "Title " + i,
                    "document number " + i + " talks about stream processing" + extra + " marker" + i, 1L));
        }
        // 2. malformed documents, each with the reason we expect
        Map<String, String> badDocs = new LinkedHashMap<>();
        Map<String, byte[]> badDocValues = new LinkedHashMap<>();
        badDocValues.put("malformed JSON", utf8("{\"id\": \"x1\", \"text\": "));
        badDocValues.put("must be a JSON object", utf8("[\"not\", \"an\", \"object\"]"));
        badDocValues.put("missing required field 'id'", utf8("{\"text\": \"no id\"}"));
        badDocValues.put("field 'id' is empty", utf8("{\"id\": \"\", \"text\": \"empty id\"}"));
        badDocValues.put("field 'text' must be a string, got integer", utf8("{\"id\": \"x5\", \"text\": 42}"));
        badDocValues.put("document has no text", utf8("{\"id\": \"x6\", \"text\": \"   \"}"));
        badDocValues.put("unknown op 'merge'", utf8("{\"id\": \"x7\", \"text\": \"t\", \"op\": \"merge\"}"));
        badDocValues.put("field 'version' must be an integer", utf8("{\"id\": \"x8\", \"text\": \"t\", \"version\": \"v2\"}"));
        badDocValues.put("Duplicate field", utf8("{\"id\": \"x9\", \"id\": \"x10\", \"text\": \"t\"}"));
        badDocValues.put("NUL character", utf8("{\"id\": \"x11\", \"text\": \"a\\u0000b\"}"));
        badDocValues.put("not valid UTF-8", new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'});
        badDocValues.put("over the limit of 100000", utf8("{\"id\": \"x13\", \"text\": \"" + "y".repeat(200_000) + "\"}"));
        badDocValues.put("nested too deeply", utf8("{\"id\":\"x14\",\"text\":\"t\",\"n\":" + "[".repeat(40) + "]".repeat(40) + "}"));
        // keys equal the ids where there is one: the documents topic is compacted and refuses keyless records
        int badNo = 0;
        for (Map.Entry<String, byte[]> e : badDocValues.entrySet()) {
            String json = new String(e.getValue(), StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\": \"(x\\d+)\"").matcher(json);
            client.sendRaw(options.documentsTopic, m.find() ? m.group(1) : "bad-" + (++badNo), e.getValue());
            badDocs.put(e.getKey(), "decode-document");
        }
        // 3. malformed queries
        Map<String, byte[]> badQueryValues = new LinkedHashMap<>();
        badQueryValues.put("query text is empty", utf8("{\"id\": \"bq1\", \"text\": \"\"}"));
        badQueryValues.put("field 'k' is -3, outside", utf8("{\"id\": \"bq2\", \"text\": \"x\", \"k\": -3}"));
        badQueryValues.put("unknown mode 'psychic'", utf8("{\"id\": \"bq3\", \"text\": \"x\", \"mode\": \"psychic\"}"));
        badQueryValues.put("is not available in this job", utf8("{\"id\": \"bq4\", \"text\": \"x\", \"mode\": \"dense\"}"));
        badQueryValues.put("unknown op 'drop'", utf8("{\"id\": \"bq5\", \"op\": \"drop\"}"));
        badQueryValues.put("malformed JSON", utf8("{{{"));
        for (Map.Entry<String, byte[]> e : badQueryValues.entrySet()) {
            client.sendRaw(options.queriesTopic, null, e.getValue());
        }
        client.flush();

        // every valid document is indexed, reconciled through the job's own state
        IndexStats stats = client.awaitDocuments(valid + badDocs.size(), WAIT, null);
        assertThat(client.documentsDeadLettered()).isEqualTo(badDocs.size());
        assertThat(stats.documents).isEqualTo(valid);
        assertThat(stats.upsertsApplied).isEqualTo(valid);
        assertThat(stats.documentsPerShard.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(valid);
        assertThat(stats.documentsPerShard).hasSize(4);

        // every malformed record is on the dead-letter topic with its reason and original bytes
        int expectedDeadLetters = badDocs.size() + badQueryValues.size();
        long end = System.nanoTime() + WAIT.toNanos();
        while (deadLetters.size() < expectedDeadLetters && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(deadLetters).hasSize(expectedDeadLetters);
        for (String reason : badDocValues.keySet()) {
            DeadLetter d = deadLetters.stream()
                    .filter(x -> x.topic.equals(options.documentsTopic) && x.error.contains(reason))
                    .findFirst().orElseThrow(() -> new AssertionError("no dead letter for: " + reason + " in " + deadLetters));
            byte[] original = badDocValues.get(reason);
            assertThat(d.valueBytes).isEqualTo(original.length);
            if (original.length > 1000) {
                assertThat(d.valueTruncated).isTrue();
                assertThat(Base64.getDecoder().decode(d.valueBase64)).isEqualTo(java.util.Arrays.copyOf(original, 1000));
            } else {
                assertThat(Base64.getDecoder().decode(d.valueBase64)).isEqualTo(original);
            }
            assertThat(d.stage).isEqualTo("decode-document");
            assertThat(d.at).isNotBlank();
        }
        for (String reason : badQueryValues.keySet()) {
            assertThat(deadLetters).as(reason)
                    .anyMatch(d -> d.topic.equals(options.queriesTopic) && d.error.contains(reason)
                            && d.stage.equals("decode-query"));
        }
        deadLetters.forEach(d -> System.out.println("dead letter [" + d.stage + "] " + d.error));

        // search finds what was indexed
        assertThat(ids("zebra")).containsExactly("doc-7");
        assertThat(ids("marker12 marker30")).containsExactlyInAnyOrder("doc-12", "doc-30");
        SearchResult r = search("stream processing");
        assertThat(r.hits).hasSize(10);
        assertThat(r.totalMatched).isEqualTo(valid);
        assertThat(r.partial).isFalse();
        assertThat(r.shardsAnswered).isEqualTo(4);

        // upsert replaces: the new text is found, the old is not
        client.publish(Document.upsert("doc-3", "Title 3", "now about giraffes only", 2L));
        client.flush();
        assertThat(awaitIds("giraffes", ids -> ids.contains("doc-3"))).containsExactly("doc-3");
        assertThat(ids("marker3")).isEmpty();

        // stale version ignored: version 1 again with other text
        client.publish(Document.upsert("doc-3", "Title 3", "stale text about penguins", 1L));
        // delete by op and by tombstone
        client.publish(Document.delete("doc-5", 2L));
        client.sendRaw(options.documentsTopic, "doc-6", null);
        client.flush();
        assertThat(awaitIds("marker5 marker6", List::isEmpty)).isEmpty();
        long staleEnd = System.nanoTime() + WAIT.toNanos();
        IndexStats after = client.stats(WAIT);
        while (after.staleIgnored < 1 && System.nanoTime() < staleEnd) {
            Thread.sleep(200);
            after = client.stats(WAIT);
        }
        assertThat(after.staleIgnored).isEqualTo(1);
        assertThat(ids("penguins")).isEmpty();
        assertThat(ids("giraffes")).containsExactly("doc-3");
        assertThat(after.documents).isEqualTo(valid - 2);
        assertThat(after.deletesApplied).isEqualTo(2);
        assertThat(after.upsertsApplied).isEqualTo(valid + 1);
        // the job never restarted because of input: it is still the first attempt and running
        assertThat(pipeline.job().getJobStatus().get().isTerminalState()).isFalse();
        System.out.println("stats " + new String(MessageJson.write(after), StandardCharsets.UTF_8));
    }
}
