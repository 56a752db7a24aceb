package dev.streamretrieval.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.operators.encoding.DenseEncoder;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code scale}: how latency, CPU, state, checkpoint and recovery grow with the number of documents. Grows a
 * synthetic collection ({@link ScaleCorpus}) from a real BEIR folder to each of {@code --sizes} and measures each
 * size on its own broker and local cluster ({@link ScaleRun}); writes {@code scale-<dataset>.json} and the log-log
 * plot {@code scale-<dataset>.png} after every size, so a long run leaves its finished sizes behind.
 *
 * <p>Vectors come with the documents and queries ({@code vector} field), so the encoder is measured by
 * {@code bench}, not here: the real documents sampled for the synthetic vectors and the real queries are
 * encoded once, in this JVM, by the job's dense model.
 */
public final class ScaleCommand {
    private ScaleCommand() {}

    /** The scale run's own options (name → description), for {@code bin/hybrid scale --help}. */
    public static Map<String, String> optionDescriptions() {
        return java.util.Collections.unmodifiableMap(ScaleSettings.DESCRIPTIONS);
    }

    public static int run(List<String> args) throws Exception {
        Map<String, String> extras = ScaleSettings.defaults();
        List<String> positional = new ArrayList<>();
        JobOptions base = JobOptions.parse(args, positional, Set.of(), extras);
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("scale: unexpected arguments " + positional);
        }
        ScaleSettings s = ScaleSettings.from(extras);
        if (base.bootstrapServers != null) {
            throw new IllegalArgumentException("scale starts an embedded broker per size; --bootstrap-servers is not supported");
        }
        if (!base.neural.enabled()) {
            throw new IllegalArgumentException("scale measures dense and hybrid retrieval; it needs a dense model (not --dense-model none)");
        }
        long startedAt = System.nanoTime();
        BeirCollection collection = s.dataset.equals("sample") ? BeirCollection.sample()
                : BeirCollection.load(Path.of(s.dataset));
        List<Document> sources = collection.documents().stream()
                .filter(d -> !d.indexableText().isBlank()).toList();
        List<Query> real = collection.queries().stream().filter(q -> q.text != null && !q.text.isBlank()).toList();
        if (sources.isEmpty() || real.isEmpty()) {
            throw new IllegalArgumentException("scale: " + s.dataset + " has no documents or no judged queries with text");
        }
        Path outDir = Path.of(s.outDir).toAbsolutePath();
        Files.createDirectories(outDir);

        // the real documents whose vectors seed the synthetic ones: every k-th, so that the sample spans the folder
        int m = Math.min(s.sampleDocs, sources.size());
        int[] sampled = new int[m];
        List<String> texts = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            sampled[i] = (int) ((long) i * sources.size() / m);
            texts.add(sources.get(sampled[i]).indexableText());
        }
        List<Query> distinct = real.subList(0, Math.min(real.size(), Math.max(s.queries, s.recallQueries)));
        System.err.printf("scale %s: %d real documents, %d queries; encoding %d documents and %d queries with %s ...%n",
                collection.name(), sources.size(), real.size(), m, distinct.size(), base.neural.denseModel);
        float[][] baseVectors;
        float[][] queryVectors;
        long t0 = System.nanoTime();
        try (DenseEncoder encoder = DenseEncoder.open(base.neural.denseSpec(), base.neural.intraOpThreads,
                base.neural.batchSize)) {
            baseVectors = encoder.encodePassages(texts);
        }
        // queries as the job encodes them: by the query model of a two-tower pair, else by the same model
        try (DenseEncoder encoder = DenseEncoder.open(base.neural.querySpec(), base.neural.intraOpThreads,
                base.neural.batchSize)) {
            queryVectors = encoder.encodeQueries(distinct.stream().map(q -> q.text).toList());
        }
        for (float[] v : baseVectors) {
            normalise(v);
        }
        double encodeSeconds = (System.nanoTime() - t0) / 1e9;
        System.err.printf("encoded in %.1f s (%d dimensions)%n", encodeSeconds, baseVectors[0].length);
        ScaleCorpus corpus = new ScaleCorpus(sources, baseVectors, sampled, s.seed);

        List<Query> withVectors = new ArrayList<>(distinct.size());
        for (int i = 0; i < distinct.size(); i++) {
            Query q = Query.search(distinct.get(i).id, distinct.get(i).text, null);
            q.vector = queryVectors[i];
            withVectors.add(q);
        }
        List<Query> latencyQueries = new ArrayList<>(s.queries);
        for (int i = 0; i < s.queries; i++) {
            latencyQueries.add(withVectors.get(i % withVectors.size()));
        }
        List<Query> recallQueries = withVectors.subList(0, Math.min(withVectors.size(), s.recallQueries));
        float[][] recallVectors = new float[recallQueries.size()][];
        for (int i = 0; i < recallVectors.length; i++) {
            recallVectors[i] = queryVectors[i];
        }

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("dataset", collection.name());
        report.put("started", Instant.now().toString());
        report.put("machine", BenchCommand.machine());
        report.put("settings", s.asMap());
        report.put("job_arguments", jobArguments(args));
        Map<String, Object> method = new LinkedHashMap<>();
        method.put("source_documents", sources.size());
        method.put("encoded_documents", m);
        method.put("dense_model", base.neural.denseModel);
        method.put("dimensions", corpus.dimension());
        method.put("encode_seconds", Samples.round(encodeSeconds));
        method.put("text", "runs of 4-15 consecutive words, share " + ScaleCorpus.PRIMARY_SHARE
                + " from the primary source document, the rest from any; the primary's length in words");
        method.put("vector", "normalise(0.8 e[primary] + 0.2 e[other] + N(0, sigma^2/dim)), sigma = " + ScaleCorpus.NOISE
                + ", 6 decimals");
        method.put("queries", "real queries of the dataset with their encoded vectors (the job's query encoder is skipped)");
        method.put("cluster", "local cluster of separate JVMs: 1 JobManager + one 1-slot TaskManager per unit of parallelism");
        report.put("method", method);
        List<Map<String, Object>> sizes = new ArrayList<>();
        report.put("sizes", sizes);

        String name = collection.name();
        Path json = outDir.resolve("scale-" + name + ".json");
        Path png = outDir.resolve("scale-" + name + ".png");
        for (long n : s.sizes) {
            JobOptions o = JobOptions.parse(args, new ArrayList<>(), Set.of(), ScaleSettings.defaults());
            if (o.parallelism == null) {
                o.parallelism = 2;
            }
            Path work = outDir.resolve("work").resolve(Long.toString(n));
            BenchCommand.deleteRecursively(work);
            Files.createDirectories(work);
            o.workDir = work.toString();
            o.queriesStart = "earliest";
            o.validate();
            System.err.printf("%n== %,d documents (%s) ==%n", n, work);
            sizes.add(ScaleRun.run(o, s, corpus, n, work, latencyQueries, recallQueries, recallVectors));
            if (!s.keepWork) {
                BenchCommand.deleteRecursively(work);
            }
            report.put("machine_at_end", BenchCommand.machine());
            report.put("seconds", Samples.round((System.nanoTime() - startedAt) / 1e9));
            Files.write(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report));
            plot(sizes, name, png);
            System.err.println("wrote " + json + " and " + png);
        }
        System.out.println(table(report));
        return 0;
    }

    /** The job options given on the command line (the scale options removed), as the report records them. */
    private static List<String> jobArguments(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String key = a.startsWith("--") ? a.substring(2).split("=", 2)[0] : null;
            if (key != null && ScaleSettings.DESCRIPTIONS.containsKey(key)) {
                if (!a.contains("=")) {
                    i++;
                }
                continue;
            }
            out.add(a);
        }
        return out;
    }

    private static void normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        n = Math.sqrt(n);
        if (n > 0) {
            for (int d = 0; d < v.length; d++) {
                v[d] /= (float) n;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static double at(Map<String, Object> m, String... path) {
        Object x = m;
        for (String p : path) {
            if (!(x instanceof Map<?, ?> map)) {
                return Double.NaN;
            }
            x = map.get(p);
        }
        return x instanceof Number num ? num.doubleValue() : Double.NaN;
    }

    private static double[] series(List<Map<String, Object>> sizes, String... path) {
        double[] v = new double[sizes.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = at(sizes.get(i), path);
        }
        return v;
    }

    static void plot(List<Map<String, Object>> sizes, String name, Path png) throws Exception {
        long[] n = sizes.stream().mapToLong(m -> ((Number) m.get("documents")).longValue()).toArray();
        List<ScalePlot.Panel> panels = new ArrayList<>();
        ScalePlot.Panel p99 = new ScalePlot.Panel("p99 latency (ms)");
        ScalePlot.Panel p50 = new ScalePlot.Panel("p50 latency (ms)");
        ScalePlot.Panel cpu = new ScalePlot.Panel("shard CPU per query (ms)");
        for (String mode : ScaleRun.MODES) {
            p99.add(mode, series(sizes, "modes", mode, "p99_ms"));
            p50.add(mode, series(sizes, "modes", mode, "p50_ms"));
            cpu.add(mode, series(sizes, "modes", mode, "cpu_ms_per_query"));
        }
        cpu.add("bm25 top-100", series(sizes, "bm25_vs_lucene", "pipeline_cpu_ms_shard_search_sum", "mean"));
        cpu.add("Lucene top-100", series(sizes, "bm25_vs_lucene", "lucene", "cpu_ms_search_and_ids", "mean"));
        panels.add(p99);
        panels.add(p50);
        panels.add(cpu);
        panels.add(new ScalePlot.Panel("bytes per document")
                .add("state", series(sizes, "bytes_per_document", "state"))
                .add("RocksDB", series(sizes, "bytes_per_document", "rocksdb"))
                .add("checkpoint", series(sizes, "bytes_per_document", "checkpoint")));
        panels.add(new ScalePlot.Panel("checkpoint and restore (s)")
                .add("checkpoint", series(sizes, "checkpoint_seconds"))
                .add("restore after TM kill", series(sizes, "restore_seconds")));
        panels.add(new ScalePlot.Panel("ingest (documents/s)")
                .add("indexed + checkpointed", series(sizes, "ingest_docs_per_second")));
        Map<String, Object> first = sizes.get(0);
        ScalePlot.write(n, panels, String.format(Locale.ROOT, "scale: %s grown synthetically, parallelism %s, %s shards, %s cores",
                name, first.get("parallelism"), first.get("shards"), Runtime.getRuntime().availableProcessors()), png);
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> report) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n**scale %s** (%s)%n%n", report.get("dataset"), report.get("machine")));
        b.append("| documents | docs/subtask | ingest docs/s | bm25 p50/p99 ms | dense p50/p99 ms | hybrid p50/p99 ms "
                + "| shard CPU ms/query bm25/dense/hybrid | BM25 CPU ÷ Lucene | dense recall@100 | bytes/doc state/RocksDB/checkpoint "
                + "| checkpoint s | restore s |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> m : (List<Map<String, Object>>) report.get("sizes")) {
            b.append(String.format(Locale.ROOT, "| %,d | %s | %.0f | %s | %s | %s | %.2f / %.2f / %.2f | %.2f | %.4f | %.0f / %.0f / %.0f | %.2f | %s |%n",
                    ((Number) m.get("documents")).longValue(), m.get("documents_per_subtask"),
                    at(m, "ingest_docs_per_second"), pair(m, "bm25"), pair(m, "dense"), pair(m, "hybrid"),
                    at(m, "modes", "bm25", "cpu_ms_per_query"), at(m, "modes", "dense", "cpu_ms_per_query"),
                    at(m, "modes", "hybrid", "cpu_ms_per_query"), at(m, "bm25_cpu_ratio_to_lucene"),
                    at(m, "dense_recall_at_100"), at(m, "bytes_per_document", "state"),
                    at(m, "bytes_per_document", "rocksdb"), at(m, "bytes_per_document", "checkpoint"),
                    at(m, "checkpoint_seconds"), m.containsKey("restore_seconds") ? m.get("restore_seconds") : "–"));
        }
        return b.toString();
    }

    private static String pair(Map<String, Object> m, String mode) {
        return String.format(Locale.ROOT, "%.1f / %.1f", at(m, "modes", mode, "p50_ms"), at(m, "modes", mode, "p99_ms"));
    }
}
