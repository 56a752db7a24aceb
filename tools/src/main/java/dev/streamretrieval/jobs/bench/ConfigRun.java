package dev.streamretrieval.jobs.bench;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.evaluation.MetricSummary;
import dev.streamretrieval.jobs.evaluation.Qrels;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One codec configuration of the job, measured on its own embedded broker and MiniCluster: ingest (section 2),
 * index size (6), then each mode's throughput and latency (4) and quality (8); the primary configuration also runs
 * the BM25 CPU pass (3) and freshness (5).
 */
final class ConfigRun {
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    final String name;
    final Map<String, Object> ingest = new LinkedHashMap<>();
    final Map<String, Object> sizes = new LinkedHashMap<>();
    final List<Map<String, Object>> modes = new ArrayList<>();
    Map<String, Object> bm25Pipeline;
    Map<String, Object> freshness;
    double indexedDocsPerSecond;

    ConfigRun(String name) {
        this.name = name;
    }

    static String configName(JobOptions o) {
        return o.neural.denseCodec + "/" + o.neural.tokenCodec;
    }

    /** Runs everything for one configuration; {@code primary} adds sections 3 and 5. */
    static ConfigRun run(JobOptions o, BenchSettings s, List<Document> docs, List<Query> queries, Qrels qrels,
            List<BenchMode> modes, boolean primary) throws Exception {
        ConfigRun run = new ConfigRun(configName(o));
        System.err.printf("%n== configuration %s (dense codec %s, token codec %s): %d documents, modes %s%n",
                run.name, o.neural.denseCodec, o.neural.tokenCodec, docs.size(),
                modes.stream().map(BenchMode::name).toList());
        try (LocalPipeline pipeline = LocalPipeline.start(o); PipelineClient client = new PipelineClient(o, null)) {
            awaitReady(client);
            run.measureIngest(pipeline, client, o, docs);
            List<Query> measured = queries.subList(0, Math.min(queries.size(), s.maxQueries));
            for (BenchMode mode : modes) {
                run.modes.add(measureMode(client, measured, qrels, mode, s, run.name));
            }
            if (primary) {
                System.err.println("BM25 stage: sequential top-" + s.bm25Depth + " pass for CPU per query");
                QueryLoad.Pass bm25 = QueryLoad.closedLoop(client, measured, BenchMode.parse("bm25"), s.bm25Depth, 1,
                        run.name + "/bm25cpu");
                run.bm25Pipeline = new LinkedHashMap<>();
                run.bm25Pipeline.put("queries", bm25.answered.get());
                run.bm25Pipeline.put("depth", s.bm25Depth);
                run.bm25Pipeline.put("shards", o.shards);
                run.bm25Pipeline.put("cpu_ms_shard_search_sum", summary(bm25.stagesMs.get("shard_search_cpu_sum")));
                run.bm25Pipeline.put("wall_ms_shard_search_max", summary(bm25.stagesMs.get("shard_search_max")));
                run.bm25Pipeline.put("wall_ms_gather", summary(bm25.stagesMs.get("gather")));
                run.bm25Pipeline.put("end_to_end_ms", bm25.latencyMs.summary());

                double rate = Math.max(1, s.freshnessFraction * run.indexedDocsPerSecond);
                System.err.printf("freshness: %.1f documents/s for %.0f s%n", rate, s.freshnessSeconds);
                run.freshness = Freshness.run(client, docs, rate, s.freshnessSeconds, "f" + Math.abs(run.name.hashCode() % 100));
                run.freshness.put("fraction_of_max_ingest", s.freshnessFraction);
            }
        }
        return run;
    }

    private static Map<String, Object> summary(Samples s) {
        return s == null ? Map.of() : s.summary();
    }

    private static void awaitReady(PipelineClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try {
                client.stats(Duration.ofSeconds(10));
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job did not answer a stats query within 3 minutes", e);
                }
            }
        }
    }

    private void measureIngest(LocalPipeline pipeline, PipelineClient client, JobOptions o, List<Document> docs)
            throws Exception {
        Path checkpoints = Path.of(o.workDir, "checkpoints", pipeline.job().getJobID().toString()).toAbsolutePath();
        Set<String> ids = new HashSet<>();
        long t0 = System.nanoTime();
        for (Document d : docs) {
            client.publish(d);
            ids.add(d.id);
        }
        client.flush();
        long tProduced = System.nanoTime();
        IndexStats stats = client.awaitDocuments(ids.size(), Duration.ofMinutes(2), null);
        long tIndexed = System.nanoTime();
        int started = maxCheckpoint(checkpoints, false);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int completed;
        while ((completed = maxCheckpoint(checkpoints, true)) <= started) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no checkpoint completed within 2 minutes after ingest in " + checkpoints);
            }
            Thread.sleep(20);
        }
        long tCheckpoint = System.nanoTime();
        double indexedSeconds = (tIndexed - t0) / 1e9;
        double checkpointSeconds = (tCheckpoint - t0) / 1e9;
        indexedDocsPerSecond = ids.size() / indexedSeconds;
        ingest.put("documents", ids.size());
        ingest.put("documents_indexed", stats.documents);
        ingest.put("dead_lettered", client.documentsDeadLettered());
        ingest.put("produce_seconds", Samples.round((tProduced - t0) / 1e9));
        ingest.put("indexed_seconds", Samples.round(indexedSeconds));
        ingest.put("indexed_and_checkpointed_seconds", Samples.round(checkpointSeconds));
        ingest.put("docs_per_second_indexed", Samples.round(indexedDocsPerSecond));
        ingest.put("docs_per_second", Samples.round(ids.size() / checkpointSeconds));
        ingest.put("checkpoint", completed);
        ingest.put("checkpoint_interval_ms", o.checkpointIntervalMs);
        System.err.printf("ingest: %d documents indexed in %.2f s, checkpoint %d completed at %.2f s (%.1f docs/s)%n",
                ids.size(), indexedSeconds, completed, checkpointSeconds, ids.size() / checkpointSeconds);

        double n = Math.max(1, stats.documents);
        sizes.put("documents", stats.documents);
        sizes.put("dense_codec", o.neural.denseCodec);
        sizes.put("token_codec", o.neural.tokenCodec);
        sizes.put("postings_bytes_per_doc", Samples.round(stats.postingBytes / n));
        sizes.put("document_store_bytes_per_doc", Samples.round(stats.storeBytes / n));
        sizes.put("dense_bytes_per_doc", Samples.round(stats.denseBytes / n));
        sizes.put("token_bytes_per_doc", Samples.round(stats.tokenBytes / n));
        sizes.put("token_vectors_per_doc", Samples.round(stats.tokens / n));
        long logical = stats.postingBytes + stats.storeBytes + stats.denseBytes + stats.tokenBytes;
        sizes.put("state_payload_bytes_per_doc", Samples.round(logical / n));
        long rocks = du(Path.of(o.flinkConfiguration.get("state.backend.rocksdb.localdir")));
        long ckpt = du(checkpoints);
        sizes.put("rocksdb_on_disk_bytes", rocks);
        sizes.put("rocksdb_on_disk_bytes_per_doc", Samples.round(rocks / n));
        sizes.put("checkpoint_bytes", ckpt);
        sizes.put("checkpoint_bytes_per_doc", Samples.round(ckpt / n));
    }

    /** Highest checkpoint number under {@code dir}: any chk-N folder, or only those with _metadata (completed). */
    static int maxCheckpoint(Path dir, boolean completedOnly) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int max = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
                if (m.matches() && (!completedOnly || Files.exists(p.resolve("_metadata")))) {
                    max = Math.max(max, Integer.parseInt(m.group(1)));
                }
            }
        }
        return max;
    }

    /**
     * Bytes of the regular files under {@code dir} (apparent size, like du -b). Files and folders that vanish
     * during the walk (RocksDB compaction, checkpoint cleanup) are skipped rather than failing the count.
     */
    static long du(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // deleted meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not measure " + dir, e);
        }
        return total[0];
    }

    private static Map<String, Object> measureMode(PipelineClient client, List<Query> queries, Qrels qrels,
            BenchMode mode, BenchSettings s, String config) throws Exception {
        String tag = config + "/" + mode.name();
        QueryLoad.closedLoop(client, queries.subList(0, Math.min(queries.size(), s.warmupQueries)), mode, s.k, 2,
                tag + "/warmup");
        List<Query> forMax = queries.subList(0, Math.min(queries.size(), s.maxQpsQueries));
        QueryLoad.Pass max = QueryLoad.closedLoop(client, forMax, mode, s.k, s.concurrency, tag + "/max");
        double maxQps = max.achievedQps();
        double offered = Math.max(0.5, s.loadFraction * maxQps);
        System.err.printf("%s: max %.1f queries/s (closed loop, %d in flight); open loop at %.1f queries/s ...%n",
                tag, maxQps, s.concurrency, offered);
        QueryLoad.Pass open = QueryLoad.openLoop(client, queries, mode, s.k, offered, tag + "/open");

        double ndcg = 0;
        double recall = 0;
        for (Query q : queries) {
            Map<String, Double> m = MetricSummary.forQuery(open.rankings.getOrDefault(q.id, List.of()), qrels.judgments(q.id));
            ndcg += m.get("nDCG@10");
            recall += m.getOrDefault("R@10", 0.0);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", config);
        r.put("mode", mode.name());
        r.put("k", s.k);
        r.put("queries", queries.size());
        r.put("answered", open.answered.get());
        r.put("partial", open.partial.get());
        r.put("max_qps_closed_loop", Samples.round(maxQps));
        r.put("closed_loop_concurrency", s.concurrency);
        r.put("closed_loop_latency_ms", max.latencyMs.summary());
        r.put("offered_qps", Samples.round(offered));
        r.put("achieved_qps", Samples.round(open.achievedQps()));
        r.put("latency_ms", open.latencyMs.summary());
        r.put("stages_ms", open.stageSummary());
        r.put("nDCG@10", Math.round(ndcg / Math.max(1, queries.size()) * 1e4) / 1e4);
        r.put("R@10", Math.round(recall / Math.max(1, queries.size()) * 1e4) / 1e4);
        System.err.printf("%s: p50 %.1f p95 %.1f p99 %.1f ms at %.1f q/s, nDCG@10 %.4f%n", tag,
                open.latencyMs.percentile(50), open.latencyMs.percentile(95), open.latencyMs.percentile(99),
                offered, ndcg / Math.max(1, queries.size()));
        return r;
    }
}
