package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One failure run on a {@link LocalCluster}, shared by the failure tests: submits the job on fresh topics, streams
 * synthetic documents with a query after every few of them at a fixed rate, injects the planned faults at chosen
 * points of the stream (in their own thread, so the stream goes on during a fault), then checks what the job did
 * through its own state and the results topic:
 * <ul>
 *   <li>the index: documents = upserts applied = the documents sent (a document indexed twice counts twice),
 *       postings and total length equal what the analyzer gives, every shard present, one query with k = all
 *       documents returns exactly their ids, no dead letters;</li>
 *   <li>every query answered, and how often: read_committed under exactly-once, so a duplicate is a failure of
 *       the transactions; at-least-once may repeat answers after a restart and reports how many;</li>
 *   <li>after ingest, queries whose answers are compared with a failure-free reference run when one is given.</li>
 * </ul>
 * After each fault a probe query is asked; the time from the end of the fault (the replacement started, the
 * brokers back) until its answer arrives is the time to recover, reported per fault.
 */
final class FaultRun {
    /** What to stream and how the job runs. */
    static final class Plan {
        int documents = 5000;
        int queries = 500;
        int queriesAfterIngest = 100;
        double recordsPerSecond = 80;
        int shards = 4;
        int parallelism = 2;
        long checkpointMs = 2000;
        Duration wait = Duration.ofMinutes(4);
        long seed = 42;
    }

    /** A fault: does something to the cluster or to Kafka, waits as long as the fault lasts, says what it did. */
    interface Fault {
        String inject(ClusterJob job) throws Exception;
    }

    private final LocalCluster cluster;
    private final String bootstrapServers;
    private final Path work;
    private final Plan plan;
    private final SyntheticCorpus corpus;
    private final List<Document> docs;
    private final long[] expected;

    FaultRun(LocalCluster cluster, String bootstrapServers, Path work, Plan plan) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
        this.work = work;
        this.plan = plan;
        this.corpus = new SyntheticCorpus(42, 4000);
        this.docs = IntStream.range(0, plan.documents).mapToObj(corpus::document).toList();
        this.expected = SyntheticCorpus.expectedPostingsAndLength(docs);
    }

    JobOptions options(String run, String delivery) {
        return JobOptions.parse("--bootstrap-servers", bootstrapServers,
                "--documents-topic", run + "-documents", "--queries-topic", run + "-queries",
                "--results-topic", run + "-results", "--dead-letter-topic", run + "-dead-letters",
                "--group-id", run, "--shards", Integer.toString(plan.shards),
                "--parallelism", Integer.toString(plan.parallelism),
                "--delivery", delivery, "--checkpoint-interval-ms", Long.toString(plan.checkpointMs),
                "--queries-start", "earliest", "--dense-model", "none", "--max-k", Integer.toString(plan.documents),
                "--gather-timeout-ms", "60000", "--work-dir", work.toString());
    }

    /**
     * One run: faults are keyed by where in the stream they strike (0..1); {@code reference} holds the answers of
     * a failure-free run to the after-ingest queries (null: not compared).
     */
    Report run(String name, String delivery, TreeMap<Double, Fault> faults, Map<String, SearchResult> reference)
            throws Exception {
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
            job.awaitRunning(plan.wait);

            // the stream: documents with a query after every (documents / queries) of them
            List<Object> stream = new ArrayList<>();
            List<String> queryIds = new CopyOnWriteArrayList<>();
            int every = Math.max(1, plan.documents / Math.max(1, plan.queries));
            for (int d = 0, q = 0; d < plan.documents; d++) {
                stream.add(docs.get(d));
                if ((d + 1) % every == 0 && q < plan.queries) {
                    String id = run + "-q-" + q;
                    stream.add(Query.search(id, corpus.queryText(q), 10));
                    queryIds.add(id);
                    q++;
                }
            }
            Map<Integer, Fault> at = new TreeMap<>();
            faults.forEach((fraction, fault) -> at.put((int) (stream.size() * fraction), fault));
            Injector injector = new Injector(job, client, run, report, queryIds);
            Thread injectorThread = new Thread(injector, "fault-injector");
            injectorThread.setDaemon(true);
            injectorThread.start();
            int holdAt = (int) (stream.size() * 0.95);
            for (int i = 0; i < stream.size(); i++) {
                Fault f = at.get(i);
                if (f != null) {
                    injector.faults.put(new Object[] {i, f});
                }
                if (i == holdAt && !faults.isEmpty()) {
                    client.flush();
                    injector.awaitDone(faults.size(), plan.wait.multipliedBy(faults.size() + 1));
                }
                Object rec = stream.get(i);
                if (rec instanceof Document d) {
                    client.publish(d);
                } else {
                    Query q = (Query) rec;
                    client.sendRaw(o.queriesTopic, q.id, MessageJson.write(q));
                }
                long due = started + (long) (i / plan.recordsPerSecond * 1e9);
                long sleep = due - System.nanoTime();
                if (sleep > 0 && !faults.isEmpty()) { // a failure-free reference run goes as fast as it can
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            client.flush();
            injector.awaitDone(faults.size(), plan.wait);
            injector.stop();
            report.produceSeconds = (System.nanoTime() - started) / 1e9;

            // ingest complete according to the job's own state
            client.awaitDocuments(plan.documents, plan.wait, null);

            // queries after ingest, compared with the failure-free run
            Map<String, CompletableFuture<SearchResult>> after = new LinkedHashMap<>();
            for (int i = 0; i < plan.queriesAfterIngest; i++) {
                String id = run + "-after-" + i;
                after.put(id, client.ask(Query.search(id, corpus.queryText(plan.queries + i), 10)));
                queryIds.add(id);
            }
            String allId = run + "-after-all";
            after.put(allId, client.ask(Query.search(allId, SyntheticCorpus.EVERYWHERE, plan.documents)));
            queryIds.add(allId);
            for (Map.Entry<String, CompletableFuture<SearchResult>> e : after.entrySet()) {
                SearchResult r = e.getValue().get(plan.wait.toMillis(), TimeUnit.MILLISECONDS);
                report.afterIngest.put(e.getKey().substring(run.length() + 1), r);
            }

            // every query answered; then linger to catch late duplicates
            long end = System.nanoTime() + plan.wait.toNanos();
            while (System.nanoTime() < end && !answers.keySet().containsAll(queryIds)) {
                Thread.sleep(200);
            }
            Thread.sleep(Math.max(5000, 3 * plan.checkpointMs));

            report.stats = client.stats(plan.wait);
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
            report.allRetrievable = all.hits.stream().map(h -> h.docId).collect(Collectors.toSet())
                    .equals(docs.stream().map(d -> d.id).collect(Collectors.toSet()))
                    && all.totalMatched != null && all.totalMatched == plan.documents;
            if (reference != null) {
                for (Map.Entry<String, SearchResult> e : report.afterIngest.entrySet()) {
                    String diff = difference(reference.get(e.getKey()), e.getValue());
                    if (diff != null) {
                        report.differing.add(e.getKey() + ": " + diff);
                    }
                }
                report.compared = report.afterIngest.size();
            }
            report.restarts = job.restarts();
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
        if (!Objects.equals(expected.totalMatched, actual.totalMatched)) {
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

    /**
     * Injects the faults one at a time as the stream reaches them, each after the job runs fully again, and
     * measures recovery: a probe query asked right after the fault must be answered.
     */
    private final class Injector implements Runnable {
        final BlockingQueue<Object[]> faults = new LinkedBlockingQueue<>();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final ClusterJob job;
        private final PipelineClient client;
        private final String run;
        private final Report report;
        private final List<String> queryIds;
        private volatile boolean stopped;

        Injector(ClusterJob job, PipelineClient client, String run, Report report, List<String> queryIds) {
            this.job = job;
            this.client = client;
            this.run = run;
            this.report = report;
            this.queryIds = queryIds;
        }

        @Override
        public void run() {
            try {
                while (!stopped) {
                    Object[] next = faults.poll(1, TimeUnit.SECONDS);
                    if (next == null) {
                        continue;
                    }
                    int at = (Integer) next[0];
                    Fault fault = (Fault) next[1];
                    job.awaitRunning(plan.wait);
                    long restartsBefore = job.restarts();
                    long t0 = System.nanoTime();
                    String what = fault.inject(job);
                    long t1 = System.nanoTime();
                    String probeId = run + "-probe-" + done.get();
                    queryIds.add(probeId);
                    SearchResult probe = client.ask(Query.search(probeId, corpus.queryText(at), 10))
                            .get(plan.wait.toMillis(), TimeUnit.MILLISECONDS);
                    long t2 = System.nanoTime();
                    job.awaitRunning(plan.wait);
                    double recover = (t2 - t1) / 1e9;
                    report.faults.add(String.format("record %d: %s; fault lasted %.1f s; a query asked after it "
                            + "answered %.1f s later (%d hits); job restarts during it: %d", at, what, (t1 - t0) / 1e9,
                            recover, probe.hits.size(), job.restarts() - restartsBefore));
                    done.incrementAndGet();
                }
            } catch (Throwable t) {
                error.set(t);
            }
        }

        void stop() {
            stopped = true;
        }

        void awaitDone(int n, Duration timeout) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
            while (done.get() < n && error.get() == null && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            if (error.get() != null) {
                throw new AssertionError("injecting faults failed", error.get());
            }
            assertThat(done.get()).as("faults injected and recovered from").isGreaterThanOrEqualTo(n);
        }
    }

    /** What one run saw. */
    final class Report {
        final String name;
        final String delivery;
        final List<String> faults = new CopyOnWriteArrayList<>();
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
            assertThat(stats.documents).as("documents in the index").isEqualTo(plan.documents);
            assertThat(stats.upsertsApplied).as("upserts applied (a document indexed twice counts twice)")
                    .isEqualTo(plan.documents);
            assertThat(stats.postings).as("postings").isEqualTo(expected[0]);
            assertThat(stats.totalLength).as("total length").isEqualTo(expected[1]);
            assertThat(stats.deletesApplied).isZero();
            assertThat(stats.tombstones).isZero();
            assertThat(stats.documentsPerShard.values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(plan.documents);
            assertThat(stats.documentsPerShard).hasSize(plan.shards);
            assertThat(documentsDeadLettered + queriesDeadLettered).as("dead letters").isZero();
            assertThat(allRetrievable).as("every document retrievable").isTrue();
        }

        /** Index exact, every query answered, and under exactly-once none answered twice. */
        void assertNothingLostNothingDuplicated() {
            assertIndexExact();
            assertThat(missing).as("queries without an answer").isEmpty();
            if (delivery.equals("exactly-once")) {
                assertThat(duplicates).as("queries answered more than once (read_committed)").isZero();
            }
            assertThat(differing).as("answers after ingest that differ from the failure-free run").isEmpty();
        }

        void print(Path dir) throws Exception {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%n=== fault test [%s, delivery %s] seed %d ===%n", name, delivery, plan.seed));
            sb.append(String.format("faults: %d, job restarts: %d, stream produced in %.1f s%n", faults.size(),
                    restarts, produceSeconds));
            faults.forEach(k -> sb.append("  fault at ").append(k).append('\n'));
            sb.append(String.format("documents produced %d, indexed %d (upserts applied %d, dead-lettered %d)%n",
                    plan.documents, stats.documents, stats.upsertsApplied, documentsDeadLettered));
            sb.append(String.format("postings %d (expected %d), total length %d (expected %d), per shard %s%n",
                    stats.postings, expected[0], stats.totalLength, expected[1], stats.documentsPerShard));
            sb.append(String.format("every document retrievable (one query, k=%d): %s%n", plan.documents,
                    allRetrievable));
            sb.append(String.format("queries produced %d (%d while streaming, %d after ingest, %d probes), answered "
                    + "%d, missing %d, duplicates %d%s, partial %d, dead-lettered %d%n", queriesProduced,
                    plan.queries, plan.queriesAfterIngest + 1, faults.size(), answered, missing.size(), duplicates,
                    delivery.equals("exactly-once") ? " (read_committed)" : " (allowed at-least-once)", partial,
                    queriesDeadLettered));
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
