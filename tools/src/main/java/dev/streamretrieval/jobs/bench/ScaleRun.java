package dev.streamretrieval.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.cluster.ClusterJob;
import dev.streamretrieval.jobs.cluster.LocalCluster;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.apache.lucene.store.MMapDirectory;

/**
 * One size of the {@code scale} benchmark: a fresh broker, a local cluster of separate JVMs (one JobManager, one
 * TaskManager with one slot per unit of parallelism) and the job on its default options; then, in this order,
 * ingest, placement, sizes and checkpoint, latency per mode, BM25 CPU against Lucene, dense recall against the
 * exact scan, and the restore after a TaskManager is SIGKILLed. Every phase logs a line to stderr when it starts
 * and ends; long phases log progress every {@link #PROGRESS_SECONDS} seconds.
 */
final class ScaleRun {
    private static final long PROGRESS_SECONDS = 15;
    private static final Duration STALL = Duration.ofMinutes(5);
    static final List<String> MODES = List.of("bm25", "dense", "hybrid");

    private final JobOptions o;
    private final ScaleSettings s;
    private final ScaleCorpus corpus;
    private final long n;
    private final Path work;
    private final List<Query> queries;
    private final float[][] recallVectors;
    private final List<Query> recallQueries;
    private final long started = System.nanoTime();
    final Map<String, Object> out = new LinkedHashMap<>();

    /**
     * @param queries real queries, repeated to the length of a latency run
     * @param recallQueries distinct queries of the recall measurement, with {@code recallVectors} their vectors
     */
    private ScaleRun(JobOptions o, ScaleSettings s, ScaleCorpus corpus, long n, Path work, List<Query> queries,
            List<Query> recallQueries, float[][] recallVectors) {
        this.o = o;
        this.s = s;
        this.corpus = corpus;
        this.n = n;
        this.work = work;
        this.queries = queries;
        this.recallQueries = recallQueries;
        this.recallVectors = recallVectors;
    }

    static Map<String, Object> run(JobOptions o, ScaleSettings s, ScaleCorpus corpus, long n, Path work,
            List<Query> queries, List<Query> recallQueries, float[][] recallVectors) throws Exception {
        ScaleRun r = new ScaleRun(o, s, corpus, n, work, queries, recallQueries, recallVectors);
        r.measure();
        return r.out;
    }

    private void log(String format, Object... args) {
        System.err.printf("[scale %,d | %6.0f s] %s%n", n, (System.nanoTime() - started) / 1e9,
                String.format(java.util.Locale.ROOT, format, args));
    }

    private void measure() throws Exception {
        int parallelism = o.parallelism;
        out.put("documents", n);
        out.put("parallelism", parallelism);
        out.put("shards", o.shards);
        out.put("dense_index", o.denseIndex.isIvf()
                ? "ivf (nprobe " + o.denseIndex.nprobe + ", max list " + o.denseIndex.maxListSize + ")" : o.denseIndex.kind);
        LocalCluster.Settings cs = new LocalCluster.Settings();
        cs.taskManagers = parallelism;
        cs.slotsPerTaskManager = 1;
        cs.taskHeap = s.taskManagerHeap;
        cs.managedMemory = s.managedMemory;
        cs.directory = work.resolve("cluster");
        Path rocksdb = work.resolve("cluster").resolve("rocksdb");
        cs.flinkConfiguration.put("state.backend.rocksdb.localdir", rocksdb.toString());
        log("starting broker and cluster (1 JobManager + %d TaskManagers, %s heap, %s managed memory each) in %s",
                parallelism, s.taskManagerHeap, s.managedMemory, work);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                LocalCluster cluster = LocalCluster.start(cs)) {
            o.bootstrapServers = kafka.bootstrapServers();
            ClusterJob job = ClusterJob.submit(cluster, o, null);
            job.awaitRunning(Duration.ofMinutes(3));
            try (PipelineClient client = new PipelineClient(o, null)) {
                awaitReady(client);
                log("job %s running at parallelism %d, %d shards", job.jobId(), parallelism, o.shards);
                ingest(client, job);
                placement(client);
                Path checkpoints = Path.of(java.net.URI.create(o.checkpointDir)).resolve(job.jobId().toString());
                sizes(client, rocksdb, checkpoints);
                modes(client);
                bm25Cpu(client);
                recall(client);
                if (s.killTaskManager) {
                    restore(cluster, job, client);
                }
            }
            job.cancel(Duration.ofSeconds(60));
        }
        lucene();
        out.put("seconds", Samples.round((System.nanoTime() - started) / 1e9));
    }

    private void awaitReady(PipelineClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try {
                client.stats(Duration.ofSeconds(10));
                return;
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job did not answer a stats query within 3 minutes", e);
                }
            }
        }
    }

    /**
     * Publishes documents 0..n-1 (vectors supplied) while the job runs, waits until its own statistics count them
     * all, then for the first checkpoint that started after that to complete. The rate counts both (as
     * {@code bench}): documents searchable and durable.
     */
    private void ingest(PipelineClient client, ClusterJob job) throws Exception {
        log("ingest: publishing %,d synthetic documents with vectors", n);
        long t0 = System.nanoTime();
        long lastLog = t0;
        for (long i = 0; i < n; i++) {
            client.sendRaw(o.documentsTopic, ScaleCorpus.id(i), corpus.json(i));
            if (System.nanoTime() - lastLog > PROGRESS_SECONDS * 1_000_000_000L) {
                lastLog = System.nanoTime();
                log("ingest: published %,d of %,d (%.0f docs/s)", i + 1, n, (i + 1) / ((lastLog - t0) / 1e9));
            }
        }
        client.flush();
        long tProduced = System.nanoTime();
        log("ingest: all %,d published after %.1f s; waiting for the job to index them", n, (tProduced - t0) / 1e9);
        long[] lastProgress = {System.nanoTime()};
        IndexStats stats = client.awaitDocuments(n, STALL, count -> {
            if (System.nanoTime() - lastProgress[0] > PROGRESS_SECONDS * 1_000_000_000L) {
                lastProgress[0] = System.nanoTime();
                log("ingest: %,d of %,d indexed (%.0f docs/s so far)", count, n,
                        count / ((lastProgress[0] - t0) / 1e9));
            }
        });
        long tIndexed = System.nanoTime();
        long indexedWallMs = System.currentTimeMillis();
        JsonNode checkpoint = awaitCheckpointAfter(job, indexedWallMs);
        long tCheckpoint = System.nanoTime();
        double indexedSeconds = (tIndexed - t0) / 1e9;
        double durableSeconds = (tCheckpoint - t0) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("documents_indexed", stats.documents);
        m.put("dead_lettered", client.documentsDeadLettered());
        m.put("produce_seconds", Samples.round((tProduced - t0) / 1e9));
        m.put("indexed_seconds", Samples.round(indexedSeconds));
        m.put("indexed_and_checkpointed_seconds", Samples.round(durableSeconds));
        m.put("docs_per_second_indexed", Samples.round(n / indexedSeconds));
        out.put("ingest_docs_per_second", Samples.round(n / durableSeconds));
        out.put("ingest", m);
        out.put("checkpoint_seconds", Samples.round(checkpoint.path("end_to_end_duration").asLong() / 1000.0));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", checkpoint.path("id").asLong());
        c.put("end_to_end_ms", checkpoint.path("end_to_end_duration").asLong());
        c.put("state_size_bytes", checkpoint.path("state_size").asLong());
        c.put("checkpointed_size_bytes", checkpoint.path("checkpointed_size").asLong());
        c.put("interval_ms", o.checkpointIntervalMs);
        out.put("checkpoint", c);
        log("ingest: %,d indexed in %.1f s, checkpoint %d (%.1f s) completed at %.1f s: %.0f docs/s; %d dead-lettered",
                stats.documents, indexedSeconds, checkpoint.path("id").asLong(),
                checkpoint.path("end_to_end_duration").asLong() / 1000.0, durableSeconds, n / durableSeconds,
                client.documentsDeadLettered());
        if (stats.documents != n) {
            throw new IllegalStateException("the job indexed " + stats.documents + " of " + n + " documents ("
                    + client.documentsDeadLettered() + " dead-lettered): see the dead-letter topic");
        }
    }

    /** The latest completed checkpoint triggered at or after {@code wallMs}, waiting for it (bounded). */
    private JsonNode awaitCheckpointAfter(ClusterJob job, long wallMs) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long lastLog = System.nanoTime();
        while (true) {
            JsonNode completed = job.checkpoints().path("latest").path("completed");
            if (completed.isObject() && completed.path("trigger_timestamp").asLong() >= wallMs) {
                return completed;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no checkpoint completed within 10 minutes after ingest");
            }
            if (System.nanoTime() - lastLog > PROGRESS_SECONDS * 1_000_000_000L) {
                lastLog = System.nanoTime();
                log("ingest: waiting for a checkpoint after the last document (in progress: %s)",
                        job.checkpoints().path("counts").path("in_progress").asInt());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Documents and shards per subtask of the shard operator from the job's own statistics (a stats query answers
     * which subtask holds each shard and how many documents each subtask holds); a subtask without a shard is 0.
     */
    private void placement(PipelineClient client) throws Exception {
        IndexStats st = client.stats(Duration.ofSeconds(60));
        List<Long> docs = new ArrayList<>();
        List<Long> shards = new ArrayList<>();
        for (int subtask = 0; subtask < o.parallelism; subtask++) {
            final int t = subtask;
            docs.add(st.documentsPerSubtask.getOrDefault(subtask, 0L));
            shards.add(st.subtaskOfShard.values().stream().filter(x -> x == t).count());
        }
        out.put("documents_per_subtask", docs);
        out.put("shards_per_subtask", shards);
        long min = docs.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = docs.stream().mapToLong(Long::longValue).max().orElse(0);
        out.put("documents_per_subtask_max_over_min", min == 0 ? null : Samples.round(max / (double) min));
        log("placement: documents per subtask %s, shards per subtask %s", docs, shards);
    }

    /** State payload from the job's statistics; RocksDB and checkpoint folders on disk. */
    private void sizes(PipelineClient client, Path rocksdb, Path checkpoints) throws Exception {
        IndexStats st = client.stats(Duration.ofSeconds(60));
        double d = Math.max(1, st.documents);
        long payload = st.postingBytes + st.storeBytes + st.denseBytes + st.tokenBytes;
        long rocks = ConfigRun.du(rocksdb);
        long ckpt = ConfigRun.du(checkpoints);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("state", Samples.round(payload / d));
        b.put("rocksdb", Samples.round(rocks / d));
        b.put("checkpoint", Samples.round(ckpt / d));
        b.put("state_without_token_vectors", Samples.round((payload - st.tokenBytes) / d));
        b.put("postings", Samples.round(st.postingBytes / d));
        b.put("document_store", Samples.round(st.storeBytes / d));
        b.put("dense", Samples.round(st.denseBytes / d));
        b.put("token_vectors", Samples.round(st.tokenBytes / d));
        out.put("bytes_per_document", b);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("state_payload", payload);
        totals.put("rocksdb_on_disk", rocks);
        totals.put("checkpoint_folder", ckpt);
        out.put("bytes_total", totals);
        log("sizes: per document %s", b);
    }

    /** The first {@code count} of {@code from}. */
    private List<Query> slice(List<Query> from, int count) {
        return from.subList(0, Math.min(from.size(), count));
    }

    private void modes(PipelineClient client) throws Exception {
        Map<String, Object> modes = new LinkedHashMap<>();
        for (String name : MODES) {
            BenchMode mode = BenchMode.parse(name);
            String tag = "scale" + n + "/" + name;
            if (s.warmupQueries > 0) {
                QueryLoad.closedLoop(client, slice(queries, s.warmupQueries), mode, 10, 2, tag + "/warmup");
            }
            log("%s: %d queries at %.1f queries/s ...", name, queries.size(), s.rate);
            QueryLoad.Pass pass = QueryLoad.openLoop(client, queries, mode, 10, s.rate, tag + "/open");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p50_ms", Samples.round(pass.latencyMs.percentile(50)));
            m.put("p99_ms", Samples.round(pass.latencyMs.percentile(99)));
            Samples cpu = pass.stagesMs.get("shard_search_cpu_sum");
            m.put("cpu_ms_per_query", cpu == null ? null : Samples.round(cpu.mean()));
            m.put("queries", queries.size());
            m.put("answered", pass.answered.get());
            m.put("partial", pass.partial.get());
            m.put("offered_qps", s.rate);
            m.put("achieved_qps", Samples.round(pass.achievedQps()));
            m.put("latency_ms", pass.latencyMs.summary());
            m.put("stages_ms", pass.stageSummary());
            modes.put(name, m);
            log("%s: p50 %.1f ms, p99 %.1f ms, shard CPU %.2f ms/query, %d of %d answered", name,
                    pass.latencyMs.percentile(50), pass.latencyMs.percentile(99), cpu == null ? Double.NaN : cpu.mean(),
                    pass.answered.get(), queries.size());
        }
        out.put("modes", modes);
    }

    /** BM25 top-100 one query at a time: the shards' summed thread CPU per query (Lucene's side in {@link #lucene}). */
    private void bm25Cpu(PipelineClient client) throws Exception {
        log("bm25 CPU: %d queries, top-100, one at a time", s.bm25CpuQueries);
        QueryLoad.Pass p = QueryLoad.closedLoop(client, slice(queries, s.bm25CpuQueries), BenchMode.parse("bm25"), 100,
                1, "scale" + n + "/bm25cpu");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queries", p.answered.get());
        m.put("depth", 100);
        Samples cpu = p.stagesMs.get("shard_search_cpu_sum");
        m.put("pipeline_cpu_ms_shard_search_sum", cpu == null ? Map.of() : cpu.summary());
        out.put("bm25_vs_lucene", m);
    }

    /**
     * Dense recall@100: the job's dense top 100 (whatever dense index its options choose) against the exact top 100
     * of the same query vectors over the same document vectors, computed here by one scan.
     */
    private void recall(PipelineClient client) throws Exception {
        log("dense recall@100: exact scan of %,d vectors for %d queries ...", n, recallQueries.size());
        List<Set<String>> exact = ExactNeighbours.topK(corpus, n, recallVectors, 100,
                done -> log("dense recall@100: exact scan at %,d of %,d", done, n));
        QueryLoad.Pass p = QueryLoad.closedLoop(client, recallQueries, BenchMode.parse("dense"), 100, 2,
                "scale" + n + "/recall");
        List<List<String>> found = new ArrayList<>();
        for (Query q : recallQueries) {
            found.add(p.rankings.get(q.id));
        }
        double recall = ExactNeighbours.recall(exact, found);
        out.put("dense_recall_at_100", Samples.round(recall));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queries", recallQueries.size());
        m.put("answered", p.answered.get());
        m.put("dense_cpu_ms_per_query_at_k100", p.stagesMs.get("shard_search_cpu_sum") == null ? null
                : Samples.round(p.stagesMs.get("shard_search_cpu_sum").mean()));
        out.put("dense_recall", m);
        log("dense recall@100 against the exact scan: %.4f (%d queries)", recall, recallQueries.size());
    }

    /**
     * SIGKILLs the first live TaskManager (each holds one subtask of every operator), starts a replacement at
     * once (as a supervisor would), and times from the kill: the failure noticed (the job leaves "all tasks
     * running"), every task running again, and the first stats answer that counts every document again
     * ({@code restore_seconds}: the index is restored, queryable and complete).
     */
    private void restore(LocalCluster cluster, ClusterJob job, PipelineClient client) throws Exception {
        LocalCluster.TaskManagerProcess victim = cluster.taskManagers().get(0);
        long restartsBefore = job.restarts();
        Map<String, Integer> attemptsBefore = attempts(cluster, job);
        log("restore: SIGKILL TaskManager %s", victim);
        long t0 = System.nanoTime();
        cluster.kill(victim);
        cluster.startTaskManager();
        long deadline = t0 + Duration.ofMinutes(10).toNanos();
        while (job.allTasksRunning() && job.restarts() <= restartsBefore && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        double noticed = (System.nanoTime() - t0) / 1e9;
        while (!runningAgain(cluster, job, attemptsBefore) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        double running = (System.nanoTime() - t0) / 1e9;
        long lastLog = System.nanoTime();
        long documents = -1;
        while (System.nanoTime() < deadline) {
            try {
                documents = client.stats(Duration.ofSeconds(2)).documents;
                if (documents == n) {
                    break;
                }
            } catch (TimeoutException e) {
                // restoring: ask again
            }
            if (System.nanoTime() - lastLog > PROGRESS_SECONDS * 1_000_000_000L) {
                lastLog = System.nanoTime();
                log("restore: waiting for the job to answer with all documents (%.0f s since the kill)",
                        (lastLog - t0) / 1e9);
            }
        }
        if (documents != n) {
            throw new IllegalStateException("after the TaskManager kill the job did not count " + n
                    + " documents within 10 minutes (last answer: " + documents + ")");
        }
        double answered = (System.nanoTime() - t0) / 1e9;
        out.put("restore_seconds", Samples.round(answered));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("how", "SIGKILL of one TaskManager JVM of the local cluster, replacement started at once");
        m.put("failure_noticed_seconds", Samples.round(noticed));
        m.put("all_tasks_running_seconds", Samples.round(running));
        m.put("all_documents_answered_seconds", Samples.round(answered));
        m.put("restarts", job.restarts());
        out.put("restore", m);
        log("restore: failure noticed %.1f s, tasks running %.1f s, all %,d documents answered %.1f s after the kill",
                noticed, running, n, answered);
    }

    /** Execution attempt per subtask ({@code vertex/subtask} → attempt) from the REST API; -1 for one not RUNNING. */
    private static Map<String, Integer> attempts(LocalCluster cluster, ClusterJob job) throws Exception {
        Map<String, Integer> m = new TreeMap<>();
        for (JsonNode v : cluster.rest("/jobs/" + job.jobId()).path("vertices")) {
            String vertex = v.path("id").asText();
            for (JsonNode t : cluster.rest("/jobs/" + job.jobId() + "/vertices/" + vertex).path("subtasks")) {
                m.put(vertex + "/" + t.path("subtask").asInt(),
                        t.path("status").asText().equals("RUNNING") ? t.path("attempt").asInt() : -1);
            }
        }
        return m;
    }

    /**
     * Every subtask RUNNING and the restarted ones in a later attempt than before the kill: right after the failure
     * is recorded the job's state alone cannot tell the old attempts still running from the new ones. (Subtasks
     * outside the failed region keep their attempt.)
     */
    private static boolean runningAgain(LocalCluster cluster, ClusterJob job, Map<String, Integer> before)
            throws Exception {
        Map<String, Integer> now = attempts(cluster, job);
        boolean restarted = false;
        for (Map.Entry<String, Integer> e : now.entrySet()) {
            if (e.getValue() < 0) {
                return false;
            }
            restarted |= e.getValue() > before.getOrDefault(e.getKey(), -1);
        }
        return restarted;
    }

    /** Lucene on the same documents (generated again), same analyzer and BM25 parameters, top-100. */
    private void lucene() throws Exception {
        log("lucene: indexing the same %,d documents on disk and timing %d queries ...", n, s.bm25CpuQueries);
        Map<String, Object> lucene;
        try (MMapDirectory dir = new MMapDirectory(work.resolve("lucene"))) {
            lucene = LuceneTiming.run(dir, corpus.documents(n), slice(queries, s.bm25CpuQueries),
                    new TextAnalyzer(o.analyzer), o.k1, o.b, 100, s.lucenePasses);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) out.get("bm25_vs_lucene");
        m.put("lucene", lucene);
        double pipeline = mean(m.get("pipeline_cpu_ms_shard_search_sum"));
        double luceneCpu = mean(lucene.get("cpu_ms_search_and_ids"));
        out.put("bm25_cpu_ratio_to_lucene", Samples.round(pipeline / luceneCpu));
        log("lucene: %.3f ms CPU per query; pipeline BM25 shards %.3f ms: ratio %.2f", luceneCpu, pipeline,
                pipeline / luceneCpu);
    }

    private static double mean(Object summary) {
        if (summary instanceof Map<?, ?> m && m.get("mean") instanceof Number x) {
            return x.doubleValue();
        }
        return Double.NaN;
    }
}
