package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soak: mixed ingest (versioned upserts and deletes over a bounded id space, so the live index reaches a steady
 * size) and queries for 10 minutes on a local multi-process cluster, sampling every 10 s the heap and RSS of every
 * process, the latest checkpoint's duration and sizes, the index statistics and the query latency. The report
 * compares the third and the last quarter of the run to tell what levels off and what keeps growing.
 * Long: {@code mvn -B verify -Pfault}; knobs: soak.minutes, soak.sample-seconds, soak.ids, soak.docs-per-second,
 * soak.queries-per-second, soak.delivery.
 */
@Tag("long")
class SoakIT {
    private static final double MINUTES = Double.parseDouble(System.getProperty("soak.minutes", "10"));
    private static final int SAMPLE_SECONDS = Integer.getInteger("soak.sample-seconds", 10);
    private static final int IDS = Integer.getInteger("soak.ids", 3000);
    private static final double DOCS_PER_SECOND = Double.parseDouble(System.getProperty("soak.docs-per-second", "40"));
    private static final double QUERIES_PER_SECOND = Double.parseDouble(System.getProperty("soak.queries-per-second", "5"));
    private static final String DELIVERY = System.getProperty("soak.delivery", "at-least-once");
    private static final Duration WAIT = Duration.ofMinutes(3);

    /** One row of the report. */
    private record Row(double minute, ClusterSample cluster, IndexStats index, long upserts, long deletes, long asked,
            long answered, double p50, double p95, long restarts) {}

    @Test
    void tenMinutesOfMixedLoad() throws Exception {
        Path work = Path.of("target", "soak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(work);
        LocalCluster.Settings settings = new LocalCluster.Settings();
        settings.directory = work.resolve("cluster");
        List<Row> rows = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                LocalCluster cluster = LocalCluster.start(settings)) {
            JobOptions o = JobOptions.parse("--bootstrap-servers", kafka.bootstrapServers(), "--shards", "4",
                    "--parallelism", "2", "--delivery", DELIVERY, "--queries-start", "earliest", "--dense-model", "none",
                    "--work-dir", work.toString());
            ClusterJob job = ClusterJob.submit(cluster, o, null);
            SyntheticCorpus corpus = new SyntheticCorpus(3, 8000);
            try (PipelineClient client = new PipelineClient(o, null)) {
                job.awaitRunning(WAIT);
                Random random = new Random(5);
                long[] versions = new long[IDS];
                AtomicLong upserts = new AtomicLong();
                AtomicLong deletes = new AtomicLong();
                AtomicLong asked = new AtomicLong();
                AtomicLong answered = new AtomicLong();
                AtomicInteger inFlight = new AtomicInteger();
                ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
                long start = System.nanoTime();
                long end = start + (long) (MINUTES * 60e9);
                long nextSample = start + TimeUnit.SECONDS.toNanos(SAMPLE_SECONDS);
                double docCredit = 0;
                double queryCredit = 0;
                long last = start;
                int queryNo = 0;
                while (System.nanoTime() < end) {
                    long now = System.nanoTime();
                    docCredit += (now - last) / 1e9 * DOCS_PER_SECOND;
                    queryCredit += (now - last) / 1e9 * QUERIES_PER_SECOND;
                    last = now;
                    while (docCredit >= 1) {
                        docCredit--;
                        int id = random.nextInt(IDS);
                        long v = ++versions[id];
                        if (random.nextInt(20) == 0) {
                            client.publish(Document.delete(String.format("d-%05d", id), v));
                            deletes.incrementAndGet();
                        } else {
                            client.publish(corpus.document(id, v));
                            upserts.incrementAndGet();
                        }
                    }
                    while (queryCredit >= 1) {
                        queryCredit--;
                        if (inFlight.get() >= 50) {
                            continue; // the job is behind: do not pile up queries in the client
                        }
                        long sent = System.nanoTime();
                        inFlight.incrementAndGet();
                        asked.incrementAndGet();
                        client.ask(Query.search("soak-" + (queryNo++), corpus.queryText(queryNo), 10))
                                .orTimeout(120, TimeUnit.SECONDS)
                                .whenComplete((r, e) -> {
                                    inFlight.decrementAndGet();
                                    if (r != null) {
                                        answered.incrementAndGet();
                                        latencies.add((System.nanoTime() - sent) / 1e6);
                                    }
                                });
                    }
                    client.flush();
                    if (now >= nextSample) {
                        nextSample += TimeUnit.SECONDS.toNanos(SAMPLE_SECONDS);
                        List<Double> window = new ArrayList<>();
                        Double l;
                        while ((l = latencies.poll()) != null) {
                            window.add(l);
                        }
                        Collections.sort(window);
                        IndexStats stats = null;
                        try {
                            stats = client.stats(Duration.ofSeconds(30));
                        } catch (Exception e) {
                            System.out.println("stats query: " + e.getMessage());
                        }
                        Row row = new Row((now - start) / 60e9, ClusterSample.take(cluster, job), stats, upserts.get(),
                                deletes.get(), asked.get(), answered.get(), percentile(window, 0.5),
                                percentile(window, 0.95), job.restarts());
                        rows.add(row);
                        System.out.println(format(row));
                    }
                    Thread.sleep(20);
                }
                String report = report(rows, o);
                System.out.println(report);
                Files.writeString(work.resolve("soak-report.md"), report);
                Files.writeString(Path.of("target", "soak-report.md"), report);
                assertThat(rows.get(rows.size() - 1).restarts).as("job restarts during the soak").isZero();
                assertThat(answered.get()).as("queries answered").isGreaterThan(asked.get() * 9 / 10);
            } finally {
                job.cancel(Duration.ofSeconds(60));
            }
        }
    }

    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
    }

    private static double mb(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / 1048576.0;
    }

    private static String format(Row r) {
        StringBuilder sb = new StringBuilder(String.format("%5.1f min  docs %5s  postings %7s  heap MB",
                r.minute, r.index == null ? "?" : r.index.documents, r.index == null ? "?" : r.index.postings));
        r.cluster.heapUsed.forEach((k, v) -> sb.append(String.format(" %s=%.0f", k, mb(v))));
        sb.append("  RSS MB");
        r.cluster.rss.forEach((k, v) -> sb.append(String.format(" %s=%.0f", k, mb(v))));
        sb.append(String.format("  checkpoint #%d %d ms, +%.2f MB, state %.2f MB  queries p50 %.0f p95 %.0f ms  restarts %d",
                r.cluster.latestCheckpointId, r.cluster.checkpointDurationMs, mb(r.cluster.checkpointedSize),
                mb(r.cluster.stateSize), r.p50, r.p95, r.restarts));
        return sb.toString();
    }

    /** Median of a series over a fraction of the rows, [from, to): one slow sample on a shared machine does not move it. */
    private static double median(List<Row> rows, double from, double to, ToDoubleFunction<Row> f) {
        int a = (int) Math.floor(rows.size() * from);
        int b = Math.max(a + 1, (int) Math.floor(rows.size() * to));
        double[] v = rows.subList(a, Math.min(b, rows.size())).stream().mapToDouble(f)
                .filter(d -> !Double.isNaN(d) && d >= 0).sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Lowest value of a series over a fraction of the rows: for heap, the level after collections. */
    private static double floor(List<Row> rows, double from, double to, ToDoubleFunction<Row> f) {
        int a = (int) Math.floor(rows.size() * from);
        int b = Math.max(a + 1, (int) Math.floor(rows.size() * to));
        return rows.subList(a, Math.min(b, rows.size())).stream().mapToDouble(f).filter(d -> !Double.isNaN(d) && d >= 0)
                .min().orElse(Double.NaN);
    }

    private String report(List<Row> rows, JobOptions o) {
        StringBuilder sb = new StringBuilder();
        Row lastRow = rows.get(rows.size() - 1);
        sb.append(String.format("%n## Soak: %.0f min, %d samples every %d s; %.0f documents/s (versioned upserts, 5%% deletes, "
                + "%d ids), %.0f queries/s; delivery %s; 1 JobManager + 2 TaskManagers, parallelism 2, %d shards%n%n",
                MINUTES, rows.size(), SAMPLE_SECONDS, DOCS_PER_SECOND, IDS, QUERIES_PER_SECOND, DELIVERY, o.shards));
        sb.append(String.format("upserts %d, deletes %d, queries asked %d, answered %d, job restarts %d, checkpoints %d "
                + "completed / %d failed%n%n", lastRow.upserts, lastRow.deletes, lastRow.asked, lastRow.answered,
                lastRow.restarts, lastRow.cluster.checkpointsCompleted, lastRow.cluster.checkpointsFailed));
        sb.append("Third quarter of the run (after the index has filled) against the last quarter; GROWS means more than "
                + "+20 %. Medians of each quarter, except heap: the lowest sample (the level after collections); checkpoint sizes "
                + "alternate between small and large increments as RocksDB compactions upload new files.\n\n");
        sb.append("| series | 3rd quarter | last quarter | change | verdict |\n|---|---|---|---|---|\n");
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("live documents", new double[] {median(rows, .5, .75, r -> r.index == null ? -1 : r.index.documents),
                median(rows, .75, 1, r -> r.index == null ? -1 : r.index.documents)});
        series.put("postings", new double[] {median(rows, .5, .75, r -> r.index == null ? -1 : r.index.postings),
                median(rows, .75, 1, r -> r.index == null ? -1 : r.index.postings)});
        series.put("posting bytes (MB)", new double[] {median(rows, .5, .75, r -> r.index == null ? -1 : mb(r.index.postingBytes)),
                median(rows, .75, 1, r -> r.index == null ? -1 : mb(r.index.postingBytes))});
        series.put("tombstones", new double[] {median(rows, .5, .75, r -> r.index == null ? -1 : r.index.tombstones),
                median(rows, .75, 1, r -> r.index == null ? -1 : r.index.tombstones)});
        for (String p : lastRow.cluster.heapUsed.keySet()) {
            series.put("heap after GC, " + p + " (MB, floor)", new double[] {
                floor(rows, .5, .75, r -> mb(r.cluster.heapUsed.getOrDefault(p, -1L))),
                floor(rows, .75, 1, r -> mb(r.cluster.heapUsed.getOrDefault(p, -1L)))});
        }
        for (String p : lastRow.cluster.rss.keySet()) {
            series.put("RSS, " + p + " (MB)", new double[] {median(rows, .5, .75, r -> mb(r.cluster.rss.getOrDefault(p, -1L))),
                median(rows, .75, 1, r -> mb(r.cluster.rss.getOrDefault(p, -1L)))});
        }
        series.put("checkpoint duration (ms)", new double[] {median(rows, .5, .75, r -> r.cluster.checkpointDurationMs),
                median(rows, .75, 1, r -> r.cluster.checkpointDurationMs)});
        series.put("checkpointed size, incremental (MB)", new double[] {median(rows, .5, .75, r -> mb(r.cluster.checkpointedSize)),
                median(rows, .75, 1, r -> mb(r.cluster.checkpointedSize))});
        series.put("full state size (MB)", new double[] {median(rows, .5, .75, r -> mb(r.cluster.stateSize)),
                median(rows, .75, 1, r -> mb(r.cluster.stateSize))});
        series.put("query latency p50 (ms)", new double[] {median(rows, .5, .75, r -> r.p50), median(rows, .75, 1, r -> r.p50)});
        series.put("query latency p95 (ms)", new double[] {median(rows, .5, .75, r -> r.p95), median(rows, .75, 1, r -> r.p95)});
        series.forEach((name, v) -> {
            double change = v[0] > 0 ? v[1] / v[0] - 1 : Double.NaN;
            String verdict = Double.isNaN(change) ? "n/a" : change > 0.20 ? "GROWS" : "flat";
            sb.append(String.format("| %s | %.1f | %.1f | %+.0f%% | %s |%n", name, v[0], v[1], change * 100, verdict));
        });
        sb.append("\nSamples:\n\n```\n");
        rows.forEach(r -> sb.append(format(r)).append('\n'));
        sb.append("```\n");
        return sb.toString();
    }
}
