package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.kafka.EmbeddedKafka;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.MessageJson;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Exactly-once under failure, on a local multi-process cluster (1 JobManager + 2 TaskManagers, 1 slot each,
 * job parallelism 2): while 5,000 documents and 500 queries stream in, a TaskManager process is SIGKILLed three
 * times at random points of the stream and a replacement started each time. Afterwards the index (read through
 * the job's own stats query) holds exactly the 5,000 documents with consistent posting counts, no query is lost,
 * none is answered twice under exactly-once delivery (read_committed), and queries asked after ingest get the
 * same answers as a run without failures. Runs once per delivery mode. Long: {@code mvn -B verify -Pfault}.
 *
 * <p>Knobs (system properties): fault.seed, fault.documents, fault.queries, fault.queries-after-ingest,
 * fault.kills, fault.records-per-second.
 */
@Tag("long")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {
    private static final int DOCS = Integer.getInteger("fault.documents", 5000);
    private static final int QUERIES = Integer.getInteger("fault.queries", 500);
    private static final int AFTER = Integer.getInteger("fault.queries-after-ingest", 100);
    private static final int KILLS = Integer.getInteger("fault.kills", 3);
    private static final double RATE = Double.parseDouble(System.getProperty("fault.records-per-second", "80"));
    private static final long SEED = Long.getLong("fault.seed", System.nanoTime() % 1_000_000);
    private static final int SHARDS = 4;
    private static final long CHECKPOINT_MS = 2000;
    private static final Duration WAIT = Duration.ofMinutes(4);

    private Path work;
    private EmbeddedKafka kafka;
    private LocalCluster cluster;
    private SyntheticCorpus corpus;
    private List<Document> docs;
    private long[] expected;
    /** Answers of the failure-free run to the queries asked after ingest, by query id without the run prefix. */
    private Map<String, SearchResult> reference;

    @BeforeAll
    void start() throws Exception {
        work = Path.of("target", "fault-injection-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(work);
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        LocalCluster.Settings s = new LocalCluster.Settings();
        s.directory = work.resolve("cluster");
        cluster = LocalCluster.start(s);
        corpus = new SyntheticCorpus(42, 4000);
        docs = IntStream.range(0, DOCS).mapToObj(corpus::document).toList();
        expected = SyntheticCorpus.expectedPostingsAndLength(docs);
        System.out.println("fault injection: seed " + SEED + ", work dir " + work);
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

    @Test
    @Order(1)
    void exactlyOnceUnderTaskManagerKills() throws Exception {
        Report r = run("eo", "exactly-once", KILLS, true);
        r.assertIndexExact();
        assertThat(r.missing).as("queries without an answer").isEmpty();
        assertThat(r.duplicates).as("queries answered more than once (read_committed)").isZero();
        assertThat(r.differing).as("answers after ingest that differ from the failure-free run").isEmpty();
        assertThat(r.restarts).as("job restarts").isGreaterThanOrEqualTo(KILLS);
    }

    @Test
    @Order(2)
    void atLeastOnceUnderTaskManagerKills() throws Exception {
        Report r = run("alo", "at-least-once", KILLS, true);
        r.assertIndexExact();
        assertThat(r.missing).as("queries without an answer").isEmpty();
        assertThat(r.differing).as("answers after ingest that differ from the failure-free run").isEmpty();
        assertThat(r.restarts).as("job restarts").isGreaterThanOrEqualTo(KILLS);
    }

    private JobOptions options(String run, String delivery) {
        return JobOptions.parse("--bootstrap-servers", kafka.bootstrapServers(),
                "--documents-topic", run + "-documents", "--queries-topic", run + "-queries",
                "--results-topic", run + "-results", "--dead-letter-topic", run + "-dead-letters",
                "--group-id", run, "--shards", Integer.toString(SHARDS), "--parallelism", "2",
                "--delivery", delivery, "--checkpoint-interval-ms", Long.toString(CHECKPOINT_MS),
                "--queries-start", "earliest", "--dense-model", "none", "--max-k", Integer.toString(DOCS),
                "--gather-timeout-ms", "60000", "--work-dir", work.toString());
    }

    private synchronized Map<String, SearchResult> reference() throws Exception {
        if (reference == null) {
            Report r = run("reference", "at-least-once", 0, false);
            r.assertIndexExact();
            assertThat(r.missing).isEmpty();
            reference = r.afterIngest;
        }
        return reference;
    }

    /** One run: submit, stream documents and queries (killing TaskManagers), reconcile, compare, cancel. */
    private Report run(String name, String delivery, int kills, boolean paced) throws Exception {
        Map<String, SearchResult> ref = kills > 0 ? reference() : null;
        String run = name + "-" + (System.currentTimeMillis() % 100_000);
        JobOptions o = options(run, delivery);
        Report report = new Report(name, delivery);
        ClusterJob job = ClusterJob.submit(cluster, o, null);
        Map<String, List<SearchResult>> answers = new ConcurrentHashMap<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        long started = System.nanoTime();
        try (ResultStream<SearchResult> results = new ResultStream<>(o.kafkaClientProperties(), o.resultsTopic,
                        SearchResult.class, o.exactlyOnce(), true,
                        r -> answers.computeIfAbsent(r.queryId, k -> new CopyOnWriteArrayList<>()).add(r));
                ResultStream<DeadLetter> dead = new ResultStream<>(o.kafkaClientProperties(), o.deadLetterTopic,
                        DeadLetter.class, o.exactlyOnce(), true, deadLetters::add);
                PipelineClient client = new PipelineClient(o, null)) {
            job.awaitRunning(WAIT);

            // the stream: documents with a query after every (DOCS / QUERIES) of them
            List<Object> stream = new ArrayList<>();
            List<String> queryIds = new ArrayList<>();
            int every = Math.max(1, DOCS / Math.max(1, QUERIES));
            for (int d = 0, q = 0; d < DOCS; d++) {
                stream.add(docs.get(d));
                if ((d + 1) % every == 0 && q < QUERIES) {
                    String id = run + "-q-" + q;
                    stream.add(Query.search(id, corpus.queryText(q), 10));
                    queryIds.add(id);
                    q++;
                }
            }
            Random random = new Random(SEED * 7 + name.hashCode());
            TreeSet<Integer> killAt = new TreeSet<>();
            while (killAt.size() < kills) {
                killAt.add((int) (stream.size() * (0.05 + 0.80 * random.nextDouble())));
            }
            Killer killer = new Killer(job, random, report);
            Thread killerThread = new Thread(killer, "task-manager-killer");
            killerThread.setDaemon(true);
            killerThread.start();
            int holdAt = (int) (stream.size() * 0.95);
            for (int i = 0; i < stream.size(); i++) {
                if (killAt.contains(i)) {
                    killer.triggers.put(i);
                }
                if (i == holdAt && kills > 0) {
                    client.flush();
                    killer.awaitDone(kills, WAIT.multipliedBy(kills));
                }
                Object rec = stream.get(i);
                if (rec instanceof Document d) {
                    client.publish(d);
                } else {
                    Query q = (Query) rec;
                    client.sendRaw(o.queriesTopic, q.id, MessageJson.write(q));
                }
                if (paced) {
                    long due = started + (long) (i / RATE * 1e9);
                    long sleep = due - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                }
            }
            client.flush();
            killer.awaitDone(kills, WAIT);
            report.produceSeconds = (System.nanoTime() - started) / 1e9;

            // ingest complete according to the job's own state
            client.awaitDocuments(DOCS, WAIT, null);

            // queries after ingest, compared with the failure-free run
            Map<String, CompletableFuture<SearchResult>> after = new LinkedHashMap<>();
            for (int i = 0; i < AFTER; i++) {
                String id = run + "-after-" + i;
                after.put(id, client.ask(Query.search(id, corpus.queryText(QUERIES + i), 10)));
                queryIds.add(id);
            }
            String allId = run + "-after-all";
            after.put(allId, client.ask(Query.search(allId, SyntheticCorpus.EVERYWHERE, DOCS)));
            queryIds.add(allId);
            for (Map.Entry<String, CompletableFuture<SearchResult>> e : after.entrySet()) {
                SearchResult r = e.getValue().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                report.afterIngest.put(e.getKey().substring(run.length() + 1), r);
            }

            // every query answered; then linger to catch late duplicates
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end && !answers.keySet().containsAll(queryIds)) {
                Thread.sleep(200);
            }
            Thread.sleep(Math.max(5000, 3 * CHECKPOINT_MS));

            IndexStats stats = client.stats(WAIT);
            report.stats = stats;
            report.queriesProduced = queryIds.size();
            for (String id : queryIds) {
                List<SearchResult> got = answers.getOrDefault(id, List.of());
                if (got.isEmpty()) {
                    report.missing.add(id);
                } else {
                    report.answered++;
                    report.duplicates += got.size() - 1;
                    report.partial += got.stream().filter(r -> r.partial).count();
                }
            }
            report.documentsDeadLettered = deadLetters.stream().filter(d -> d.topic.equals(o.documentsTopic)).count();
            report.queriesDeadLettered = deadLetters.stream().filter(d -> d.topic.equals(o.queriesTopic)).count();
            SearchResult all = report.afterIngest.get("after-all");
            report.allRetrievable = all.hits.stream().map(h -> h.docId).collect(java.util.stream.Collectors.toSet())
                    .equals(docs.stream().map(d -> d.id).collect(java.util.stream.Collectors.toSet()))
                    && all.totalMatched != null && all.totalMatched == DOCS;
            if (ref != null) {
                for (Map.Entry<String, SearchResult> e : report.afterIngest.entrySet()) {
                    String diff = difference(ref.get(e.getKey()), e.getValue());
                    if (diff != null) {
                        report.differing.add(e.getKey() + ": " + diff);
                    }
                }
                report.compared = report.afterIngest.size();
            }
            report.restarts = job.restarts();
            if (killer.error.get() != null) {
                throw new AssertionError("the killer failed", killer.error.get());
            }
        } finally {
            try {
                job.cancel(Duration.ofSeconds(60));
            } catch (Exception e) {
                System.out.println("cancelling " + job.jobId() + ": " + e);
            }
        }
        report.print(work);
        return report;
    }

    /** Null when equal; otherwise what differs. */
    private static String difference(SearchResult expected, SearchResult actual) {
        if (expected == null) {
            return "no reference answer";
        }
        if (!java.util.Objects.equals(expected.totalMatched, actual.totalMatched)) {
            return "total_matched " + expected.totalMatched + " vs " + actual.totalMatched;
        }
        if (expected.partial || actual.partial) {
            return "partial answer";
        }
        if (expected.hits.size() != actual.hits.size()) {
            return expected.hits.size() + " hits vs " + actual.hits.size();
        }
        for (int i = 0; i < expected.hits.size(); i++) {
            Hit a = expected.hits.get(i);
            Hit b = actual.hits.get(i);
            if (!a.docId.equals(b.docId) || a.rank != b.rank || Double.compare(a.score, b.score) != 0) {
                return "rank " + (i + 1) + ": " + a.docId + " " + a.score + " vs " + b.docId + " " + b.score;
            }
        }
        return null;
    }

    /** Kills a random TaskManager when triggered, starts a replacement, waits until the job runs again. */
    private final class Killer implements Runnable {
        final BlockingQueue<Integer> triggers = new LinkedBlockingQueue<>();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final ClusterJob job;
        private final Random random;
        private final Report report;

        Killer(ClusterJob job, Random random, Report report) {
            this.job = job;
            this.random = random;
            this.report = report;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Integer at = triggers.poll(30, TimeUnit.MINUTES);
                    if (at == null) {
                        return;
                    }
                    job.awaitRunning(WAIT);
                    long failuresBefore = failures();
                    List<LocalCluster.TaskManagerProcess> live = cluster.taskManagers();
                    LocalCluster.TaskManagerProcess victim = live.get(random.nextInt(live.size()));
                    long t0 = System.nanoTime();
                    cluster.kill(victim);
                    LocalCluster.TaskManagerProcess replacement = cluster.startTaskManager();
                    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    while (System.nanoTime() < end && failures() <= failuresBefore && job.state().equals("RUNNING")) {
                        Thread.sleep(200);
                    }
                    double noticed = (System.nanoTime() - t0) / 1e9;
                    job.awaitRunning(WAIT);
                    report.kills.add(String.format("record %d: SIGKILL %s, failure noticed after %.1f s, replacement %s, "
                            + "job running again after %.1f s", at, victim, noticed, replacement.resourceId(),
                            (System.nanoTime() - t0) / 1e9));
                    done.incrementAndGet();
                }
            } catch (Throwable t) {
                error.set(t);
            }
        }

        private long failures() throws Exception {
            return cluster.rest("/jobs/" + job.jobId() + "/exceptions").path("exceptionHistory").path("entries").size();
        }

        void awaitDone(int n, Duration timeout) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
            while (done.get() < n && error.get() == null && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            if (error.get() != null) {
                throw new AssertionError("killing TaskManagers failed", error.get());
            }
            assertThat(done.get()).as("kills done").isGreaterThanOrEqualTo(n);
        }
    }

    private final class Report {
        final String name;
        final String delivery;
        final List<String> kills = new CopyOnWriteArrayList<>();
        final Map<String, SearchResult> afterIngest = new LinkedHashMap<>();
        final List<String> missing = new ArrayList<>();
        final List<String> differing = new ArrayList<>();
        IndexStats stats;
        long queriesProduced;
        long answered;
        long duplicates;
        long partial;
        long documentsDeadLettered;
        long queriesDeadLettered;
        long restarts;
        int compared;
        boolean allRetrievable;
        double produceSeconds;

        Report(String name, String delivery) {
            this.name = name;
            this.delivery = delivery;
        }

        void assertIndexExact() {
            assertThat(stats.documents).as("documents in the index").isEqualTo(DOCS);
            assertThat(stats.upsertsApplied).as("upserts applied (a document indexed twice counts twice)").isEqualTo(DOCS);
            assertThat(stats.postings).as("postings").isEqualTo(expected[0]);
            assertThat(stats.totalLength).as("total length").isEqualTo(expected[1]);
            assertThat(stats.deletesApplied).isZero();
            assertThat(stats.tombstones).isZero();
            assertThat(stats.documentsPerShard.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(DOCS);
            assertThat(stats.documentsPerShard).hasSize(SHARDS);
            assertThat(documentsDeadLettered + queriesDeadLettered).as("dead letters").isZero();
            assertThat(allRetrievable).as("every document retrievable").isTrue();
        }

        void print(Path dir) throws Exception {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%n=== fault test [%s, delivery %s] seed %d ===%n", name, delivery, SEED));
            sb.append(String.format("TaskManager kills: %d, job restarts: %d, stream produced in %.1f s%n",
                    kills.size(), restarts, produceSeconds));
            kills.forEach(k -> sb.append("  kill at ").append(k).append('\n'));
            sb.append(String.format("documents produced %d, indexed %d (upserts applied %d, dead-lettered %d)%n", DOCS,
                    stats.documents, stats.upsertsApplied, documentsDeadLettered));
            sb.append(String.format("postings %d (expected %d), total length %d (expected %d), per shard %s%n",
                    stats.postings, expected[0], stats.totalLength, expected[1], stats.documentsPerShard));
            sb.append(String.format("every document retrievable (one query, k=%d): %s%n", DOCS, allRetrievable));
            sb.append(String.format("queries produced %d (%d while streaming, %d after ingest), answered %d, missing %d, "
                    + "duplicates %d%s, partial %d, dead-lettered %d%n", queriesProduced, QUERIES, AFTER + 1, answered,
                    missing.size(), duplicates, delivery.equals("exactly-once") ? " (read_committed)" : " (allowed at-least-once)",
                    partial, queriesDeadLettered));
            if (compared > 0) {
                sb.append(String.format("answers after ingest differing from the failure-free run: %d of %d%n",
                        differing.size(), compared));
                differing.stream().limit(10).forEach(d -> sb.append("  ").append(d).append('\n'));
            }
            System.out.print(sb);
            Files.writeString(dir.resolve("report-" + name + ".txt"), sb.toString());
        }
    }
}
