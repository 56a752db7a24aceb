package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.MessageJson;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.charset.Charset;
import dev.streamretrieval.jobs.cluster.HostileRecords.Case;
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
            List<Case> cases = HostileRecords.cases();
            Map<String, Case> byOffset = new LinkedHashMap<>();
            int c = 0;
            for (int i = 0; i < valid; i++) {
                client.publish(corpus.document(i));
                // interleave hostile records with valid ones
                for (int j = 0; j < 2 && c < cases.size(); j++, c++) {
                    Case k = cases.get(c);
                    String topic = k.document() ? o.documentsTopic : o.queriesTopic;
                    long offset = producer.send(new ProducerRecord<>(topic, k.key() == null ? null : utf8(k.key()), k.value()))
                            .get(60, TimeUnit.SECONDS).offset();
                    byOffset.put(topic + "@" + offset, k);
                }
            }
            for (; c < cases.size(); c++) {
                Case k = cases.get(c);
                String topic = k.document() ? o.documentsTopic : o.queriesTopic;
                long offset = producer.send(new ProducerRecord<>(topic, k.key() == null ? null : utf8(k.key()), k.value()))
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
                assertThat(d).as("dead letter for '" + k.name() + "'").isNotNull();
                System.out.printf("%2d. %-42s -> [%s] %s%n", ++n, k.name(), d.stage, d.error);
                assertThat(d.error).as(k.name()).contains(k.reason());
                assertThat(d.stage).isEqualTo(k.document() ? "decode-document" : "decode-query");
                if (k.value() != null && k.value().length > 4096) {
                    assertThat(d.valueTruncated).as(k.name() + " truncated").isTrue();
                    assertThat(d.valueBytes).isEqualTo(k.value().length);
                    assertThat(MessageJson.write(d).length).as("dead letter of '" + k.name() + "' stays small").isLessThan(8000);
                } else if (k.value() != null) {
                    assertThat(Base64.getDecoder().decode(d.valueBase64)).as(k.name() + " original bytes").isEqualTo(k.value());
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
        dev.streamretrieval.jobs.local.TopicSetup.ensureTopics(right, 1);
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
