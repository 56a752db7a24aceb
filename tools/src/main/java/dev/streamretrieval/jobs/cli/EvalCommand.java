package dev.streamretrieval.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.jobs.RetrievalJob;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.evaluation.LuceneBaseline;
import dev.streamretrieval.jobs.evaluation.MetricSummary;
import dev.streamretrieval.jobs.evaluation.Qrels;
import dev.streamretrieval.jobs.evaluation.TrecRun;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code eval}: runs the real pipeline on a BEIR collection (documents in through the documents topic, queries
 * through the queries topic, results read back from the results topic), scores it against the qrels, and
 * scores an in-process Lucene BM25 index over the same collection with the same metric code.
 */
final class EvalCommand {
    private EvalCommand() {}

    /** An evaluated mode: the wire mode plus the fusion it forces (hybrid-linear), for one pass of the queries. */
    record ModeRun(String name, QueryMode mode, String fusion) {
        static ModeRun parse(String name) {
            return switch (name) {
                case "bm25" -> new ModeRun(name, QueryMode.BM25, null);
                case "dense" -> new ModeRun(name, QueryMode.DENSE, null);
                case "hybrid", "hybrid-rrf" -> new ModeRun(name, QueryMode.HYBRID, "rrf");
                case "hybrid-linear" -> new ModeRun(name, QueryMode.HYBRID, "linear");
                case "full" -> new ModeRun(name, QueryMode.FULL, null);
                case "colbert" -> new ModeRun(name, QueryMode.COLBERT, null);
                default -> throw new IllegalArgumentException("--modes: '" + name
                        + "' is not one of bm25, dense, hybrid (= hybrid-rrf), hybrid-linear, full, colbert");
            };
        }
    }

    static int run(List<String> args) throws Exception {
        Map<String, String> extras = new LinkedHashMap<>();
        extras.put("dataset", null);
        extras.put("out", null);
        extras.put("depth", "100");
        extras.put("concurrency", "4");
        extras.put("modes", "bm25");
        extras.put("cutoffs", null);
        extras.put("run-dir", null);
        extras.put("per-query", null);
        List<String> positional = new ArrayList<>();
        JobOptions o = JobOptions.parse(args, positional, Set.of(), extras);
        if (extras.get("dataset") == null) {
            throw new IllegalArgumentException("eval needs --dataset BEIR_FOLDER");
        }
        int depth = Integer.parseInt(extras.get("depth"));
        int concurrency = Integer.parseInt(extras.get("concurrency"));
        List<Integer> cutoffs = extras.get("cutoffs") == null ? null : parseCutoffs(extras.get("cutoffs"));
        List<ModeRun> modes = Arrays.stream(extras.get("modes").split(",")).map(String::strip).map(ModeRun::parse).toList();
        boolean bm25Only = modes.stream().allMatch(m -> m.mode() == QueryMode.BM25);
        if (bm25Only && !args.contains("--dense-model")) {
            o.neural.denseModel = "none"; // nothing to encode for: skip the encoders unless asked for
        }
        for (ModeRun m : modes) {
            if (!RetrievalJob.supportedModes(o).contains(m.mode())) {
                throw new IllegalArgumentException("mode " + m.name() + " needs " + (m.mode() == QueryMode.FULL
                        ? "a token model (--token-model)" : "a dense model (--dense-model)"));
            }
        }
        if (o.bootstrapServers != null) {
            // Against an external broker use fresh topics so that earlier runs cannot leak into this one.
            String suffix = "-eval-" + System.currentTimeMillis();
            o.documentsTopic += suffix;
            o.queriesTopic += suffix;
            o.resultsTopic += suffix;
            o.deadLetterTopic += suffix;
            o.groupId += suffix;
        }
        o.queriesStart = "earliest";

        BeirCollection collection = BeirCollection.load(Path.of(extras.get("dataset")));
        List<Document> docs = collection.documents();
        List<Query> queries = collection.queries();
        System.err.printf("%s: %d documents, %d judged queries; %d shards, modes %s, depth %d, dense model %s%n",
                collection.name(), docs.size(), queries.size(), o.shards, extras.get("modes"), depth,
                o.neural.denseModel);

        List<Map<String, Object>> reports = new ArrayList<>();
        Map<String, Map<String, List<TrecRun.Entry>>> runsByMode = new LinkedHashMap<>();
        double ingestSeconds;
        IndexStats stats;
        try (LocalPipeline pipeline = LocalPipeline.start(o); PipelineClient client = new PipelineClient(o, null)) {
            long t0 = System.nanoTime();
            stats = RunCommand.publishAndAwait(client, docs, Duration.ofMinutes(2));
            ingestSeconds = (System.nanoTime() - t0) / 1e9;
            for (ModeRun m : modes) {
                Map<String, Object> report = new LinkedHashMap<>();
                runsByMode.put(m.name(), runQueries(client, queries, m, depth, concurrency, report));
                reports.add(report);
            }
        }

        System.err.println("building the Lucene baseline ...");
        Map<String, List<TrecRun.Entry>> luceneRun = new LinkedHashMap<>();
        try (LuceneBaseline lucene = LuceneBaseline.build(docs, new TextAnalyzer(o.analyzer), o.k1, o.b)) {
            for (Query q : queries) {
                luceneRun.put(q.id, lucene.searchScored(q.text, depth).stream()
                        .map(h -> new TrecRun.Entry(h.id(), h.score())).toList());
            }
        }
        // Every run is scored in trec_eval's order (score descending, ties by document id descending), so the
        // numbers below are what trec_eval reports on the run files.
        Map<String, List<String>> luceneRankings = TrecRun.rankings(luceneRun);
        MetricSummary luceneMetrics = summarize(luceneRankings, collection.qrels(), cutoffs);
        Map<String, MetricSummary> perMode = new LinkedHashMap<>();
        Map<String, Object> sizes = indexSizes(stats);
        for (int i = 0; i < modes.size(); i++) {
            Map<String, Object> r = reports.get(i);
            Map<String, List<String>> rankings = TrecRun.rankings(runsByMode.get(modes.get(i).name()));
            MetricSummary metrics = summarize(rankings, collection.qrels(), cutoffs);
            perMode.put(modes.get(i).name(), metrics);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("dataset", collection.name());
            report.put("mode", modes.get(i).name());
            report.put("shards", o.shards);
            report.put("documents", docs.size());
            report.put("queries", queries.size());
            report.put("dense_model", o.neural.enabled() ? o.neural.denseModel : "none");
            report.put("dense_codec", o.neural.denseCodec);
            report.put("token_codec", o.neural.tokenCodec);
            report.putAll(r);
            report.put("metrics", metrics.metrics());
            Map<String, Object> baseline = new LinkedHashMap<>();
            baseline.put("name", LUCENE);
            baseline.put("metrics", luceneMetrics.metrics());
            report.put("baseline", baseline);
            report.put("top10_overlap_with_baseline", MetricSummary.meanTopKOverlap(rankings, luceneRankings, 10));
            report.put("query_concurrency", concurrency);
            report.put("ingest_seconds", ingestSeconds);
            report.put("ingest_docs_per_second", docs.size() / ingestSeconds);
            report.put("index_bytes", sizes);
            report.put("bm25", Map.of("k1", o.k1, "b", o.b));
            reports.set(i, report);
            printTable(report, metrics, luceneMetrics);
        }
        if (extras.get("run-dir") != null) {
            Path dir = Path.of(extras.get("run-dir"));
            for (Map.Entry<String, Map<String, List<TrecRun.Entry>>> e : runsByMode.entrySet()) {
                TrecRun.write(dir.resolve(e.getKey() + ".run"), ordered(e.getValue(), queries), "pipeline-" + e.getKey());
            }
            TrecRun.write(dir.resolve(LUCENE + ".run"), luceneRun, LUCENE);
            System.err.println("wrote TREC runs of " + runsByMode.keySet() + " and " + LUCENE + " to " + dir);
        }
        if (extras.get("per-query") != null) {
            perMode.put(LUCENE, luceneMetrics);
            writePerQuery(Path.of(extras.get("per-query")), perMode);
            System.err.println("wrote per-query metrics to " + extras.get("per-query"));
        }
        if (extras.get("out") != null) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Object out = reports.size() == 1 ? reports.get(0) : reports;
            Files.write(Path.of(extras.get("out")), m.writeValueAsBytes(out));
            System.err.println("wrote " + extras.get("out"));
        }
        return 0;
    }

    /** The baseline's name in reports, run files and per-query files. */
    static final String LUCENE = "lucene-bm25";

    /** {@code --cutoffs 5,10,100}: every k ≥ 1. */
    static List<Integer> parseCutoffs(String value) {
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            try {
                out.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--cutoffs: '" + part + "' is not a whole number (e.g. 10,100)");
            }
        }
        MetricSummary.names(out); // refuses k < 1 and an empty list
        return out;
    }

    /** The default report (nDCG@10, Recall@100, ...) without --cutoffs; every @k metric at each k with it. */
    static MetricSummary summarize(Map<String, List<String>> rankings, Qrels qrels, List<Integer> cutoffs) {
        return cutoffs == null ? MetricSummary.of(rankings, qrels) : MetricSummary.of(rankings, qrels, cutoffs);
    }

    /** The run's queries in the collection's order (answers arrive in any order). */
    private static Map<String, List<TrecRun.Entry>> ordered(Map<String, List<TrecRun.Entry>> run, List<Query> queries) {
        Map<String, List<TrecRun.Entry>> out = new LinkedHashMap<>();
        for (Query q : queries) {
            if (run.containsKey(q.id)) {
                out.put(q.id, run.get(q.id));
            }
        }
        return out;
    }

    /**
     * A tab-separated table with a header: {@code run, query, <metric>...}, one line per run and judged query
     * (the queries each mean averages over), so a mean can be recomputed and a difference traced to its queries.
     */
    static void writePerQuery(Path file, Map<String, MetricSummary> runs) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        List<String> names = null;
        for (Map.Entry<String, MetricSummary> run : runs.entrySet()) {
            if (names == null) {
                names = List.copyOf(run.getValue().metrics().keySet());
                lines.add("run\tquery\t" + String.join("\t", names));
            }
            for (Map.Entry<String, Map<String, Double>> q : run.getValue().perQuery().entrySet()) {
                StringBuilder sb = new StringBuilder(run.getKey()).append('\t').append(q.getKey());
                for (String n : names) {
                    sb.append('\t').append(String.format(java.util.Locale.ROOT, "%.6f", q.getValue().get(n)));
                }
                lines.add(sb.toString());
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, lines);
    }

    /** Bytes per document of each representation, from the job's own state statistics. */
    static Map<String, Object> indexSizes(IndexStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        double n = Math.max(1, s.documents);
        m.put("postings_per_doc", s.postingBytes / n);
        m.put("document_store_per_doc", s.storeBytes / n);
        m.put("dense_per_doc", s.denseBytes / n);
        m.put("tokens_per_doc", s.tokenBytes / n);
        m.put("token_vectors_per_doc", s.tokens / n);
        m.put("bytes_per_token", s.tokens == 0 ? 0.0 : s.tokenBytes / (double) s.tokens);
        return m;
    }

    /** Runs every query once in closed loop; fills latency and partial counts into {@code report}. */
    private static Map<String, List<TrecRun.Entry>> runQueries(PipelineClient client, List<Query> queries, ModeRun m,
            int depth, int concurrency, Map<String, Object> report) throws Exception {
        Map<String, List<TrecRun.Entry>> rankings = new ConcurrentHashMap<>();
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicInteger partials = new AtomicInteger();
        List<Double> lat = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ProgressBar bar = new ProgressBar(m.name(), queries.size())) {
            AtomicInteger done = new AtomicInteger();
            for (Query q : queries) {
                if (!inFlight.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no query answered within 120 s");
                }
                long sent = System.nanoTime();
                Query wire = new Query(m.name() + "/" + q.id, q.text, depth, m.mode(), q.op);
                wire.fusion = m.fusion();
                client.ask(wire).whenComplete((r, e) -> {
                    if (r != null) {
                        lat.add((System.nanoTime() - sent) / 1e6);
                        rankings.put(q.id, TrecRun.scoresFollowingRank(
                                r.hits.stream().map(h -> new TrecRun.Entry(h.docId, h.score)).toList()));
                        if (r.partial) {
                            partials.incrementAndGet();
                        }
                    }
                    inFlight.release();
                    bar.set(done.incrementAndGet());
                });
            }
            if (!inFlight.tryAcquire(concurrency, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("queries still unanswered after 120 s");
            }
        }
        double[] sorted = lat.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Double> latency = new LinkedHashMap<>();
        latency.put("p50", percentile(sorted, 50));
        latency.put("p95", percentile(sorted, 95));
        latency.put("p99", percentile(sorted, 99));
        report.put("queries_answered", rankings.size());
        report.put("partial_results", partials.get());
        report.put("latency_ms", latency);
        return rankings;
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private static void printTable(Map<String, Object> report, MetricSummary run, MetricSummary lucene) {
        System.out.printf("%n%s  (%s, %s shards, %s queries, dense model %s)%n", report.get("dataset"),
                report.get("mode"), report.get("shards"), report.get("queries"), report.get("dense_model"));
        System.out.printf("%-12s %10s %12s %8s%n", "metric", "pipeline", "lucene-bm25", "diff");
        for (String key : run.metrics().keySet()) {
            double a = run.metrics().get(key);
            double b = lucene.metrics().get(key);
            System.out.printf("%-12s %10.4f %12.4f %+8.4f%n", key, a, b, a - b);
        }
        System.out.printf("top-10 overlap with Lucene: %.4f%n", (Double) report.get("top10_overlap_with_baseline"));
        @SuppressWarnings("unchecked")
        Map<String, Double> lat = (Map<String, Double>) report.get("latency_ms");
        System.out.printf("query latency ms (concurrency %s): p50 %.1f  p95 %.1f  p99 %.1f%n",
                report.get("query_concurrency"), lat.get("p50"), lat.get("p95"), lat.get("p99"));
        System.out.printf("ingest: %.1f s (%.0f docs/s); partial results: %s; answered %s/%s%n",
                (Double) report.get("ingest_seconds"), (Double) report.get("ingest_docs_per_second"),
                report.get("partial_results"), report.get("queries_answered"), report.get("queries"));
        System.out.printf("index bytes: %s%n", report.get("index_bytes"));
    }

}
