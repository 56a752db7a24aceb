package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.kafka.EmbeddedKafka;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.MessageJson;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The job on a local multi-process cluster (1 JobManager + 2 TaskManagers as separate JVMs on 127.0.0.1) against
 * a broker that requires SASL/PLAIN, credentials passed only through {@code --kafka.<property>} options:
 * hostile input of every kind ends on the dead-letter topic with a reason while the job never restarts; a
 * savepoint carries the index through rescaling 1 → 2 → 1 with the same answers; wrong credentials fail fast with
 * Kafka's own words; no password reaches a log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int MAX_MESSAGE = 12 * 1024 * 1024;
    private static final String WRONG_PASSWORD = "not-the-password-4711";

    private Path work;
    private EmbeddedKafka kafka;
    private LocalCluster cluster;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "local-cluster-it-");
        // 10 MB records must reach the job (which refuses them): the broker's message size limit is raised
        kafka = EmbeddedKafka.startSasl(work.resolve("kafka"), Map.of("message.max.bytes", Integer.toString(MAX_MESSAGE)));
        LocalCluster.Settings s = new LocalCluster.Settings();
        s.directory = work.resolve("cluster");
        s.logLevels.put("org.apache.kafka.common.config", "INFO"); // client configs are logged: passwords must show as [hidden]
        cluster = LocalCluster.start(s);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private JobOptions options(String prefix, String password, String... more) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--documents-topic", prefix + "-documents", "--queries-topic", prefix + "-queries",
                "--results-topic", prefix + "-results", "--dead-letter-topic", prefix + "-dead-letters",
                "--group-id", prefix, "--shards", "4", "--checkpoint-interval-ms", "1000",
                "--queries-start", "earliest", "--dense-model", "none", "--work-dir", work.toString()));
        EmbeddedKafka.saslClientProperties(EmbeddedKafka.SASL_USER, password)
                .forEach((k, v) -> args.addAll(List.of("--kafka." + k, v)));
        args.addAll(List.of(more));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One hostile record: where it goes, its key and bytes, and the words its dead letter must contain. */
    private record Case(String name, boolean document, String key, byte[] value, String reason) {}

    private static List<Case> hostileCases() {
        List<Case> c = new ArrayList<>();
        // documents (the topic is compacted, so every record has a key)
        c.add(new Case("invalid JSON (truncated)", true, "h1", utf8("{\"id\": \"h1\", \"text\": "), "malformed JSON"));
        c.add(new Case("not JSON at all", true, "h2", utf8("hello world"), "malformed JSON"));
        c.add(new Case("JSON array instead of object", true, "h3", utf8("[\"h3\"]"), "must be a JSON object, got array"));
        c.add(new Case("JSON null", true, "h4", utf8("null"), "must be a JSON object, got null"));
        c.add(new Case("empty value (0 bytes)", true, "h5", new byte[0], "empty document record"));
        c.add(new Case("missing id", true, "h6", utf8("{\"text\": \"no id\"}"), "missing required field 'id'"));
        c.add(new Case("empty id", true, "h7", utf8("{\"id\": \"\", \"text\": \"x\"}"), "field 'id' is empty"));
        c.add(new Case("id of the wrong type", true, "h8", utf8("{\"id\": 42, \"text\": \"x\"}"),
                "field 'id' must be a string, got integer"));
        String longId = "h".repeat(600);
        c.add(new Case("id of 600 characters", true, longId, utf8("{\"id\": \"" + longId + "\", \"text\": \"x\"}"),
                "is 600 characters, over the limit of 512"));
        c.add(new Case("id with a control character", true, "h\u0001x", utf8("{\"id\": \"h\\u0001x\", \"text\": \"x\"}"),
                "contains a control character"));
        c.add(new Case("record key differs from id", true, "other", utf8("{\"id\": \"h11\", \"text\": \"x\"}"),
                "does not match document id"));
        c.add(new Case("text of the wrong type (number)", true, "h12", utf8("{\"id\": \"h12\", \"text\": 12}"),
                "field 'text' must be a string, got integer"));
        c.add(new Case("text of the wrong type (object)", true, "h13", utf8("{\"id\": \"h13\", \"text\": {\"a\": 1}}"),
                "field 'text' must be a string, got object"));
        c.add(new Case("missing text", true, "h14", utf8("{\"id\": \"h14\", \"title\": \"only a title\"}"),
                "missing required field 'text'"));
        c.add(new Case("empty text and title", true, "h15", utf8("{\"id\": \"h15\", \"title\": \"\", \"text\": \"   \"}"),
                "document has no text"));
        c.add(new Case("title of the wrong type", true, "h16", utf8("{\"id\": \"h16\", \"title\": [1], \"text\": \"x\"}"),
                "field 'title' must be a string, got array"));
        byte[] huge = utf8("{\"id\": \"h17\", \"text\": \"" + "lorem ipsum ".repeat(10 * 1024 * 1024 / 12) + "\"}");
        c.add(new Case("10 MB text", true, "h17", huge, "bytes, over the limit of 1048576 bytes"));
        c.add(new Case("invalid UTF-8 bytes", true, "h18",
                new byte[] {'{', '"', 'i', 'd', '"', ':', '"', 'h', (byte) 0xC3, (byte) 0x28, '"', '}'}, "not valid UTF-8"));
        c.add(new Case("Latin-1 instead of UTF-8", true, "h19",
                "{\"id\": \"h19\", \"text\": \"caf\u00e9 cr\u00e8me\"}".getBytes(StandardCharsets.ISO_8859_1), "not valid UTF-8"));
        c.add(new Case("UTF-16 encoded JSON", true, "h20",
                "{\"id\": \"h20\", \"text\": \"x\"}".getBytes(StandardCharsets.UTF_16LE), "looks like UTF-16 or UTF-32"));
        c.add(new Case("U+FFFD from an earlier wrong decoding", true, "h21",
                utf8("{\"id\": \"h21\", \"text\": \"caf\uFFFD\"}"), "contains U+FFFD"));
        c.add(new Case("unpaired surrogate escape", true, "h22", utf8("{\"id\": \"h22\", \"text\": \"a\\ud800b\"}"),
                "unpaired surrogate"));
        c.add(new Case("NUL escape in text", true, "h23", utf8("{\"id\": \"h23\", \"text\": \"a\\u0000b\"}"),
                "contains a NUL character"));
        c.add(new Case("raw NUL byte in text", true, "h24", utf8("{\"id\": \"h24\", \"text\": \"a\u0000b\"}"),
                "CTRL-CHAR, code 0"));
        c.add(new Case("unknown op", true, "h25", utf8("{\"id\": \"h25\", \"text\": \"x\", \"op\": \"merge\"}"),
                "unknown op 'merge'"));
        c.add(new Case("op of the wrong type", true, "h26", utf8("{\"id\": \"h26\", \"text\": \"x\", \"op\": 1}"),
                "field 'op' must be a string, got integer"));
        c.add(new Case("negative version", true, "h27", utf8("{\"id\": \"h27\", \"text\": \"x\", \"version\": -1}"),
                "field 'version' is -1, outside"));
        c.add(new Case("fractional version", true, "h28", utf8("{\"id\": \"h28\", \"text\": \"x\", \"version\": 1.5}"),
                "field 'version' must be an integer, got number"));
        c.add(new Case("version beyond 64 bits", true, "h29",
                utf8("{\"id\": \"h29\", \"text\": \"x\", \"version\": 1180591620717411303424}"), "field 'version' is 1180591620717411303424, outside"));
        c.add(new Case("duplicate keys", true, "h30", utf8("{\"id\": \"h30\", \"text\": \"x\", \"text\": \"y\"}"),
                "Duplicate field 'text'"));
        c.add(new Case("deeply nested JSON (depth 40)", true, "h31",
                utf8("{\"id\": \"h31\", \"text\": \"x\", \"n\": " + "[".repeat(40) + "]".repeat(40) + "}"), "nested too deeply"));
        c.add(new Case("pathological nesting (100,000 brackets)", true, "h32", utf8("[".repeat(100_000)), "nested too deeply"));
        c.add(new Case("trailing data after the object", true, "h33",
                utf8("{\"id\": \"h33\", \"text\": \"x\"} {\"id\": \"h34\"}"), "malformed JSON"));
        c.add(new Case("comment inside JSON", true, "h34", utf8("{\"id\": \"h34\", /* hi */ \"text\": \"x\"}"),
                "malformed JSON"));
        // queries
        c.add(new Case("query: invalid JSON", false, "hq1", utf8("{{{"), "malformed JSON"));
        c.add(new Case("query: empty text", false, "hq2", utf8("{\"id\": \"hq2\", \"text\": \"\"}"), "query text is empty"));
        c.add(new Case("query: missing text", false, "hq3", utf8("{\"id\": \"hq3\"}"), "missing required field 'text'"));
        c.add(new Case("query: missing id", false, null, utf8("{\"text\": \"kafka\"}"), "missing required field 'id'"));
        c.add(new Case("query: negative k", false, "hq5", utf8("{\"id\": \"hq5\", \"text\": \"x\", \"k\": -3}"),
                "field 'k' is -3, outside [1, 1000]"));
        c.add(new Case("query: k = 0", false, "hq6", utf8("{\"id\": \"hq6\", \"text\": \"x\", \"k\": 0}"),
                "field 'k' is 0, outside"));
        c.add(new Case("query: huge k", false, "hq7", utf8("{\"id\": \"hq7\", \"text\": \"x\", \"k\": 1000000000000}"),
                "field 'k' is 1000000000000, outside [1, 1000]"));
        c.add(new Case("query: k of the wrong type", false, "hq8", utf8("{\"id\": \"hq8\", \"text\": \"x\", \"k\": \"ten\"}"),
                "field 'k' must be an integer, got string"));
        c.add(new Case("query: fractional k", false, "hq9", utf8("{\"id\": \"hq9\", \"text\": \"x\", \"k\": 2.5}"),
                "field 'k' must be an integer, got number"));
        c.add(new Case("query: very long text (5,000 characters)", false, "hq10",
                utf8("{\"id\": \"hq10\", \"text\": \"" + "y".repeat(5000) + "\"}"), "5000 characters, over the limit of 4096"));
        c.add(new Case("query: too many tokens (1,100)", false, "hq11",
                utf8("{\"id\": \"hq11\", \"text\": \"" + "w ".repeat(1100) + "\"}"), "more than 1024 tokens"));
        c.add(new Case("query: oversize record (20 KB)", false, "hq12",
                utf8("{\"id\": \"hq12\", \"text\": \"" + "z ".repeat(10_000) + "\"}"), "over the limit of 16384 bytes"));
        c.add(new Case("query: unknown op", false, "hq13", utf8("{\"id\": \"hq13\", \"op\": \"drop\"}"), "unknown op 'drop'"));
        c.add(new Case("query: unknown mode", false, "hq14", utf8("{\"id\": \"hq14\", \"text\": \"x\", \"mode\": \"psychic\"}"),
                "unknown mode 'psychic'"));
        c.add(new Case("query: mode this job does not run", false, "hq15",
                utf8("{\"id\": \"hq15\", \"text\": \"x\", \"mode\": \"full\"}"), "is not available in this job"));
        c.add(new Case("query: unknown fusion", false, "hq16", utf8("{\"id\": \"hq16\", \"text\": \"x\", \"fusion\": \"max\"}"),
                "unknown fusion 'max'"));
        c.add(new Case("query: NUL in text", false, "hq17", utf8("{\"id\": \"hq17\", \"text\": \"a\\u0000\"}"),
                "contains a NUL character"));
        c.add(new Case("query: tombstone (null value)", false, "hq18", null, "tombstone on the queries topic"));
        c.add(new Case("query: invalid UTF-8", false, "hq19",
                new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'}, "not valid UTF-8"));
        c.add(new Case("query: duplicate keys", false, "hq20", utf8("{\"id\": \"hq20\", \"id\": \"hq21\", \"text\": \"x\"}"),
                "Duplicate field 'id'"));
        // supplied vectors (the job runs with --vector-dimension 3)
        c.add(new Case("vector of the wrong dimension", true, "h35",
                utf8("{\"id\": \"h35\", \"text\": \"x\", \"vector\": [1, 2]}"),
                "field 'vector' has 2 numbers, but this job's dense vectors have 3 dimensions"));
        c.add(new Case("vector element not a number", true, "h36",
                utf8("{\"id\": \"h36\", \"text\": \"x\", \"vector\": [1, \"0.5\", 3]}"),
                "field 'vector' element 1 must be a number, got string"));
        c.add(new Case("vector with an infinity (1e400)", true, "h37",
                utf8("{\"id\": \"h37\", \"text\": \"x\", \"vector\": [1, 2, 1e400]}"),
                "field 'vector' element 2 is Infinity, not a finite 32-bit float"));
        c.add(new Case("vector element beyond float range", true, "h38",
                utf8("{\"id\": \"h38\", \"text\": \"x\", \"vector\": [1, -1e39, 0]}"),
                "field 'vector' element 1 is -1.0E39, not a finite 32-bit float"));
        c.add(new Case("vector with a NaN literal", true, "h39",
                utf8("{\"id\": \"h39\", \"text\": \"x\", \"vector\": [NaN, 0, 1]}"), "malformed JSON: Non-standard token 'NaN'"));
        c.add(new Case("vector of zeros", true, "h40",
                utf8("{\"id\": \"h40\", \"text\": \"x\", \"vector\": [0, 0, 0.0]}"), "field 'vector' is all zeros"));
        c.add(new Case("vector that is not an array", true, "h41",
                utf8("{\"id\": \"h41\", \"text\": \"x\", \"vector\": \"1,2,3\"}"),
                "field 'vector' must be an array of numbers, got string"));
        c.add(new Case("query: vector of the wrong dimension", false, "hq21",
                utf8("{\"id\": \"hq21\", \"text\": \"x\", \"mode\": \"dense\", \"vector\": [1, 0, 0, 0]}"),
                "field 'vector' has 4 numbers, but this job's dense vectors have 3 dimensions"));
        c.add(new Case("query: vector element null", false, "hq22",
                utf8("{\"id\": \"hq22\", \"text\": \"x\", \"mode\": \"hybrid\", \"vector\": [1, null, 0]}"),
                "field 'vector' element 1 must be a number, got null"));
        c.add(new Case("query: dense mode without a vector, no model", false, "hq23",
                utf8("{\"id\": \"hq23\", \"text\": \"x\", \"mode\": \"dense\"}"),
                "mode 'dense' needs a 'vector' in this job: it has no dense model to encode the text"));
        return c;
    }

    @Test
    @Order(1)
    void hostileInputGoesToDeadLettersAndNeverRestartsTheJob() throws Exception {
        JobOptions o = options("hostile", EmbeddedKafka.SASL_PASSWORD, "--delivery", "exactly-once",
                "--max-dead-letter-value-bytes", "4096", "--vector-dimension", "3");
        ClusterJob job = ClusterJob.submit(cluster, o, null);
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        Properties producerProps = o.kafkaClientProperties();
        producerProps.setProperty("key.serializer", ByteArraySerializer.class.getName());
        producerProps.setProperty("value.serializer", ByteArraySerializer.class.getName());
        producerProps.setProperty("max.request.size", Integer.toString(MAX_MESSAGE));
        producerProps.setProperty("acks", "all");
        try (ResultStream<DeadLetter> dead = new ResultStream<>(o.kafkaClientProperties(), o.deadLetterTopic,
                        DeadLetter.class, true, true, deadLetters::add);
                PipelineClient client = new PipelineClient(o, null);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
            job.awaitRunning(WAIT);
            int valid = 30;
            SyntheticCorpus corpus = new SyntheticCorpus(7, 500);
            List<Case> cases = hostileCases();
            Map<String, Case> byOffset = new LinkedHashMap<>();
            int c = 0;
            for (int i = 0; i < valid; i++) {
                client.publish(corpus.document(i));
                // interleave hostile records with valid ones
                for (int j = 0; j < 2 && c < cases.size(); j++, c++) {
                    Case k = cases.get(c);
                    String topic = k.document ? o.documentsTopic : o.queriesTopic;
                    long offset = producer.send(new ProducerRecord<>(topic, k.key == null ? null : utf8(k.key), k.value))
                            .get(60, TimeUnit.SECONDS).offset();
                    byOffset.put(topic + "@" + offset, k);
                }
            }
            for (; c < cases.size(); c++) {
                Case k = cases.get(c);
                String topic = k.document ? o.documentsTopic : o.queriesTopic;
                long offset = producer.send(new ProducerRecord<>(topic, k.key == null ? null : utf8(k.key), k.value))
                        .get(60, TimeUnit.SECONDS).offset();
                byOffset.put(topic + "@" + offset, k);
            }
            client.flush();
            long hostileDocs = cases.stream().filter(Case::document).count();
            long hostileQueries = cases.size() - hostileDocs;

            IndexStats stats = client.awaitDocuments(valid + hostileDocs, WAIT, null);
            List<CompletableFuture<SearchResult>> answers = new ArrayList<>();
            for (int q = 0; q < 5; q++) {
                answers.add(client.ask(Query.search("valid-" + q, corpus.queryText(q), 10)));
            }
            for (CompletableFuture<SearchResult> f : answers) {
                assertThat(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).partial).isFalse();
            }
            long end = System.nanoTime() + WAIT.toNanos();
            while (deadLetters.size() < cases.size() && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            Thread.sleep(3000); // a few more checkpoints: nothing beyond one dead letter per hostile record

            System.out.println("\n=== hostile input: " + cases.size() + " kinds (" + hostileDocs + " documents, "
                    + hostileQueries + " queries) ===");
            Map<String, DeadLetter> seen = new LinkedHashMap<>();
            for (DeadLetter d : deadLetters) {
                assertThat(seen.put(d.topic + "@" + d.offset, d)).as("one dead letter per record: " + d).isNull();
            }
            int n = 0;
            for (Map.Entry<String, Case> e : byOffset.entrySet()) {
                Case k = e.getValue();
                DeadLetter d = seen.get(e.getKey());
                assertThat(d).as("dead letter for '" + k.name + "'").isNotNull();
                System.out.printf("%2d. %-42s -> [%s] %s%n", ++n, k.name, d.stage, d.error);
                assertThat(d.error).as(k.name).contains(k.reason);
                assertThat(d.stage).isEqualTo(k.document ? "decode-document" : "decode-query");
                if (k.value != null && k.value.length > 4096) {
                    assertThat(d.valueTruncated).as(k.name + " truncated").isTrue();
                    assertThat(d.valueBytes).isEqualTo(k.value.length);
                    assertThat(MessageJson.write(d).length).as("dead letter of '" + k.name + "' stays small").isLessThan(8000);
                } else if (k.value != null) {
                    assertThat(Base64.getDecoder().decode(d.valueBase64)).as(k.name + " original bytes").isEqualTo(k.value);
                }
            }
            long docDeadLetters = deadLetters.stream().filter(d -> d.topic.equals(o.documentsTopic)).count();
            long queryDeadLetters = deadLetters.stream().filter(d -> d.topic.equals(o.queriesTopic)).count();
            IndexStats after = client.stats(WAIT);
            System.out.printf("documents produced %d = indexed %d + dead-lettered %d; queries produced %d = answered %d "
                    + "+ dead-lettered %d; job restarts %d, state %s%n", valid + hostileDocs, after.documents,
                    docDeadLetters, 5 + hostileQueries, answers.size(), queryDeadLetters, job.restarts(), job.state());

            assertThat(cases).hasSizeGreaterThanOrEqualTo(25);
            assertThat(deadLetters).hasSize(cases.size());
            assertThat(after.documents).isEqualTo(valid);
            assertThat(after.upsertsApplied).isEqualTo(valid);
            assertThat(after.documents + docDeadLetters).isEqualTo(valid + hostileDocs);
            assertThat(queryDeadLetters).isEqualTo(hostileQueries);
            assertThat(stats.documents).isEqualTo(valid);
            assertThat(job.restarts()).as("restarts caused by input").isZero();
            assertThat(job.state()).isEqualTo("RUNNING");
        } finally {
            job.cancel(Duration.ofSeconds(60));
        }
    }

    @Test
    @Order(2)
    void savepointAndRescaleOneTwoOneGiveTheSameAnswers() throws Exception {
        SyntheticCorpus corpus = new SyntheticCorpus(11, 1500);
        int docs = 400;
        int queries = 20;
        Path savepoints = work.resolve("savepoints");
        List<Integer> parallelisms = List.of(1, 2, 1);
        List<List<SearchResult>> answers = new ArrayList<>();
        List<IndexStats> stats = new ArrayList<>();
        String savepoint = null;
        for (int step = 0; step < parallelisms.size(); step++) {
            int p = parallelisms.get(step);
            JobOptions o = options("rescale", EmbeddedKafka.SASL_PASSWORD, "--parallelism", Integer.toString(p));
            ClusterJob job = ClusterJob.submit(cluster, o, savepoint);
            try (PipelineClient client = new PipelineClient(o, null)) {
                job.awaitRunning(WAIT);
                for (com.fasterxml.jackson.databind.JsonNode v : cluster.rest("/jobs/" + job.jobId()).path("vertices")) {
                    assertThat(v.path("parallelism").asInt()).as(v.path("name").asText()).isEqualTo(p);
                }
                if (step == 0) {
                    for (int i = 0; i < docs; i++) {
                        client.publish(corpus.document(i));
                    }
                    client.flush();
                }
                stats.add(client.awaitDocuments(docs, WAIT, null));
                if (p == 2) {
                    assertEveryTaskManagerOwnsShardsAndDocuments(job, stats.get(step));
                }
                List<SearchResult> got = new ArrayList<>();
                for (int q = 0; q < queries; q++) {
                    got.add(client.askAndWait(Query.search("rescale-" + step + "-" + q, corpus.queryText(q), 10), WAIT));
                }
                got.add(client.askAndWait(Query.search("rescale-" + step + "-all", SyntheticCorpus.EVERYWHERE, 1000), WAIT));
                answers.add(got);
                assertThat(job.restarts()).isZero();
                savepoint = job.stopWithSavepoint(savepoints, WAIT);
            }
            System.out.printf("rescale step %d: parallelism %d, %d documents (upserts applied %d, per shard %s), "
                    + "savepoint %s%n", step + 1, p, stats.get(step).documents, stats.get(step).upsertsApplied,
                    stats.get(step).documentsPerShard, savepoint);
        }
        int differing = 0;
        for (int step = 1; step < answers.size(); step++) {
            assertThat(stats.get(step).documents).isEqualTo(docs);
            assertThat(stats.get(step).upsertsApplied).as("restored, not re-indexed").isEqualTo(docs);
            assertThat(stats.get(step).postings).isEqualTo(stats.get(0).postings);
            assertThat(stats.get(step).documentsPerShard).isEqualTo(stats.get(0).documentsPerShard);
            for (int q = 0; q < answers.get(0).size(); q++) {
                SearchResult a = answers.get(0).get(q);
                SearchResult b = answers.get(step).get(q);
                boolean same = a.hits.size() == b.hits.size() && java.util.Objects.equals(a.totalMatched, b.totalMatched);
                for (int h = 0; same && h < a.hits.size(); h++) {
                    same = a.hits.get(h).docId.equals(b.hits.get(h).docId)
                            && Double.compare(a.hits.get(h).score, b.hits.get(h).score) == 0;
                }
                if (!same) {
                    differing++;
                }
            }
        }
        System.out.printf("savepoint + rescale 1 -> 2 -> 1: %d queries per step (incl. one over all %d documents), "
                + "answers differing from parallelism 1: %d%n", answers.get(0).size(), docs, differing);
        assertThat(answers.get(0).get(queries).hits).hasSize(docs);
        assertThat(differing).isZero();
    }

    /**
     * At parallelism 2 on 2 TaskManagers (1 slot each) the 4 shards split 2 and 2: from the job's own stats (the
     * subtask holding each shard, documents per subtask) and the REST API (the TaskManager running each subtask of
     * the shard operator), every TaskManager owns shards and documents, within 1.25x of each other.
     */
    private void assertEveryTaskManagerOwnsShardsAndDocuments(ClusterJob job, IndexStats s) throws Exception {
        String vertexId = null;
        for (JsonNode v : cluster.rest("/jobs/" + job.jobId()).path("vertices")) {
            if (v.path("name").asText().contains("index + search shards")) {
                vertexId = v.path("id").asText();
            }
        }
        assertThat(vertexId).as("shard operator vertex").isNotNull();
        Map<Integer, String> taskManagerOfSubtask = new TreeMap<>();
        for (JsonNode t : cluster.rest("/jobs/" + job.jobId() + "/vertices/" + vertexId)
                .path("subtasks")) {
            taskManagerOfSubtask.put(t.path("subtask").asInt(), t.path("taskmanager-id").asText());
        }
        Map<String, List<Integer>> shardsOfTaskManager = new TreeMap<>();
        s.subtaskOfShard.forEach((shard, subtask) -> shardsOfTaskManager
                .computeIfAbsent(taskManagerOfSubtask.get(subtask), k -> new ArrayList<>()).add(shard));
        Map<String, Long> documentsOfTaskManager = new TreeMap<>();
        s.documentsPerSubtask.forEach((subtask, n) -> documentsOfTaskManager.merge(taskManagerOfSubtask.get(subtask), n, Long::sum));
        long max = s.documentsPerSubtask.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long min = s.documentsPerSubtask.values().stream().mapToLong(Long::longValue).min().orElse(0);
        System.out.printf("parallelism 2: subtask -> TaskManager %s; shards per TaskManager %s; documents per subtask %s, "
                + "per TaskManager %s; max/min %.3f%n", taskManagerOfSubtask, shardsOfTaskManager, s.documentsPerSubtask,
                documentsOfTaskManager, min == 0 ? Double.POSITIVE_INFINITY : (double) max / min);
        assertThat(s.subtaskOfShard).hasSize(4);
        assertThat(shardsOfTaskManager.keySet()).containsExactlyInAnyOrderElementsOf(cluster.registeredTaskManagers());
        assertThat(shardsOfTaskManager.values()).allSatisfy(shards -> assertThat(shards).hasSize(2));
        assertThat(documentsOfTaskManager.keySet()).containsExactlyInAnyOrderElementsOf(cluster.registeredTaskManagers());
        assertThat(s.documentsPerSubtask).hasSize(2);
        assertThat(min).isPositive();
        assertThat((double) max / min).as("documents per subtask, max/min").isLessThanOrEqualTo(1.25);
    }

    @Test
    @Order(3)
    void wrongCredentialsFailFastWithAClearError() throws Exception {
        JobOptions o = options("wrong", WRONG_PASSWORD);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ClusterJob.submit(cluster, o, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the credentials")
                .hasMessageContaining("Authentication failed");
        double preflight = (System.nanoTime() - t0) / 1e9;
        assertThat(preflight).as("seconds to refuse").isLessThan(60);

        // submitted anyway (no pre-flight check) and without restarts, the job itself fails with Kafka's error
        JobOptions right = options("wrong", EmbeddedKafka.SASL_PASSWORD);
        ClusterJob.checkKafka(right, Duration.ofSeconds(30));
        dev.streamretrieval.jobs.kafka.TopicSetup.ensureTopics(right, 1);
        JobOptions wrong = options("wrong", WRONG_PASSWORD, "--flink.restart-strategy.type", "none");
        long t1 = System.nanoTime();
        ClusterJob job = ClusterJob.submitGraph(cluster, wrong, null);
        String state = "?";
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end && !(state = job.state()).equals("FAILED")) {
            Thread.sleep(500);
        }
        double failed = (System.nanoTime() - t1) / 1e9;
        String root = job.rootException();
        System.out.printf("wrong SASL password: refused by the pre-flight check in %.1f s; a job submitted anyway is %s "
                + "after %.1f s: %s%n", preflight, state, failed, root == null ? null
                        : root.lines().filter(l -> l.contains("SaslAuthenticationException")).findFirst().orElse(root).trim());
        assertThat(state).isEqualTo("FAILED");
        assertThat(root).contains("SaslAuthenticationException");
    }

    @Test
    @Order(4)
    void noCredentialsInAnyLog() throws Exception {
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> files = Files.list(cluster.logDirectory())) {
            files.forEach(logs::add);
        }
        String testLog = System.getProperty("stream.retrieval.log");
        if (testLog != null && Files.exists(Path.of(testLog))) {
            logs.add(Path.of(testLog));
        }
        boolean masked = false;
        for (Path log : logs) {
            String text = new String(Files.readAllBytes(log), Charset.forName("ISO-8859-1"));
            assertThat(text).as(log.toString()).doesNotContain(EmbeddedKafka.SASL_PASSWORD).doesNotContain(WRONG_PASSWORD);
            masked |= text.contains("sasl.jaas.config = [hidden]");
        }
        System.out.println("no password in " + logs.size() + " log files; Kafka client configs logged with "
                + "sasl.jaas.config = [hidden]: " + masked);
        assertThat(masked).as("the Kafka client configurations were logged (masked)").isTrue();
    }
}
