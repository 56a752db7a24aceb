package dev.streamretrieval.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code bench}: measures the pipeline side by side with the limits of the machine it runs on, in one run, and
 * writes {@code bench-<dataset>.json} and {@code pareto-<dataset>.png} to {@code --out-dir}.
 *
 * <ol>
 *   <li>encode limit: the default model in-process, no Flink or Kafka ({@link EncodeLimit});</li>
 *   <li>ingest through Kafka until every document is indexed (the job's stats query) and a checkpoint completed;</li>
 *   <li>BM25 stage CPU per query (thread CPU of the shard searches, summed) against Lucene's IndexSearcher;</li>
 *   <li>latency percentiles per mode, open loop at a fraction of the measured max throughput, with the stage
 *       timings the job reports in {@code timings_ms};</li>
 *   <li>freshness under steady ingest ({@link Freshness});</li>
 *   <li>index size: state bytes per document per representation, RocksDB on disk, checkpoint;</li>
 *   <li>the MaxSim kernel per codec ({@link KernelTiming}; the JMH version is in {@code benchmarks/});</li>
 *   <li>nDCG@10 against p50 latency for every mode/codec configuration ({@link ParetoPlot}).</li>
 * </ol>
 * Every codec configuration gets its own embedded broker and MiniCluster, one after the other.
 */
public final class BenchCommand {
    private BenchCommand() {}

    /** The bench's own options (name → description), for {@code bin/hybrid bench --help}. */
    public static Map<String, String> optionDescriptions() {
        return java.util.Collections.unmodifiableMap(BenchSettings.DESCRIPTIONS);
    }

    public static int run(List<String> args) throws Exception {
        Map<String, String> extras = BenchSettings.defaults();
        // The job's own defaults throughout (checkpoints every 5 s included): with 1-s checkpoints the large
        // RocksDB state of the token vectors made freshness collapse on nfcorpus (p50 4.7 s instead of 60 ms).
        List<String> all = new ArrayList<>(args);
        List<String> positional = new ArrayList<>();
        JobOptions base = JobOptions.parse(all, positional, Set.of(), extras);
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("bench: unexpected arguments " + positional);
        }
        BenchSettings s = BenchSettings.from(extras);
        if (base.bootstrapServers != null) {
            throw new IllegalArgumentException("bench starts an embedded broker per configuration; --bootstrap-servers is not supported");
        }
        if (!base.neural.enabled()) {
            throw new IllegalArgumentException("bench measures the neural modes too; it needs a dense model (not --dense-model none)");
        }
        List<String[]> configs = new ArrayList<>();
        for (String c : s.configs.split(",")) {
            String[] pair = c.strip().split("/");
            if (pair.length != 2) {
                throw new IllegalArgumentException("--configs: '" + c + "' is not DENSE_CODEC/TOKEN_CODEC (e.g. float32/float16)");
            }
            configs.add(pair);
        }
        List<BenchMode> modes = Arrays.stream(s.modes.split(",")).map(String::strip).map(BenchMode::parse).toList();

        BeirCollection collection = s.dataset.equals("sample") ? BeirCollection.sample()
                : BeirCollection.load(Path.of(s.dataset));
        List<Document> docs = collection.documents();
        List<Query> queries = collection.queries();
        List<Query> measured = queries.subList(0, Math.min(queries.size(), s.maxQueries));
        Path outDir = Path.of(s.outDir).toAbsolutePath();
        Files.createDirectories(outDir);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("dataset", collection.name());
        report.put("documents", docs.size());
        report.put("queries", measured.size());
        report.put("shards", base.shards);
        report.put("dense_model", base.neural.denseModel);
        report.put("machine", machine());
        report.put("settings", s.asMap());
        System.err.printf("bench %s: %d documents, %d queries, configs %s, modes %s; machine %s%n", collection.name(),
                docs.size(), measured.size(), s.configs, s.modes, report.get("machine"));

        System.err.println("7 MaxSim kernel (in-process timed loop) ...");
        Map<String, Object> kernel = KernelTiming.run(s.kernelSeconds);

        System.err.println("1 encode limit (ONNX Runtime in-process) ...");
        Map<String, Object> encode = EncodeLimit.run(base.neural, docs.subList(0, Math.min(docs.size(), s.encodeDocs)));
        System.err.println("  " + encode);

        List<ConfigRun> runs = new ArrayList<>();
        String[] first = configs.get(0);
        for (int i = 0; i < configs.size(); i++) {
            String[] c = configs.get(i);
            JobOptions o = JobOptions.parse(all, new ArrayList<>(), Set.of(), BenchSettings.defaults());
            o.neural.denseCodec = c[0];
            o.neural.tokenCodec = c[1];
            Path work = outDir.resolve("work").resolve(i + "-" + c[0] + "-" + c[1]);
            deleteRecursively(work);
            o.workDir = work.toString();
            o.flinkConfiguration.putIfAbsent("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
            o.queriesStart = "earliest";
            o.validate();
            List<BenchMode> these = i == 0 ? modes : modes.stream()
                    .filter(m -> (m.usesDense() && !c[0].equals(first[0])) || (m.usesTokens() && !c[1].equals(first[1])))
                    .toList();
            runs.add(ConfigRun.run(o, s, docs, measured, collection.qrels(), these, i == 0));
            if (!s.keepWork) {
                deleteRecursively(work);
            }
        }

        System.err.println("1 encode limit, second measurement ...");
        EncodeLimit.remeasure(base.neural, docs.subList(0, Math.min(docs.size(), s.encodeDocs)), encode);
        System.err.println("3 Lucene IndexSearcher timing ...");
        Map<String, Object> lucene = LuceneTiming.run(docs, measured, new TextAnalyzer(base.analyzer), base.k1, base.b,
                s.bm25Depth, s.lucenePasses);

        ConfigRun primary = runs.get(0);
        double onnx = (Double) encode.get("onnx_docs_per_second");
        double ingestRate = (Double) primary.ingest.get("docs_per_second");
        Map<String, Object> s1 = encode;
        Map<String, Object> s2 = new LinkedHashMap<>(primary.ingest);
        s2.put("config", primary.name);
        s2.put("ratio_to_onnx", Samples.round(ingestRate / onnx));
        s2.put("ratio_to_in_process_encoder", Samples.round(ingestRate / (Double) encode.get("encoder_docs_per_second")));
        List<Map<String, Object>> otherIngest = new ArrayList<>();
        for (ConfigRun r : runs.subList(1, runs.size())) {
            Map<String, Object> m = new LinkedHashMap<>(r.ingest);
            m.put("config", r.name);
            otherIngest.add(m);
        }
        s2.put("other_configs", otherIngest);

        Map<String, Object> s3 = new LinkedHashMap<>();
        s3.put("pipeline", primary.bm25Pipeline);
        s3.put("lucene", lucene);
        double pipeCpu = mean(primary.bm25Pipeline.get("cpu_ms_shard_search_sum"));
        double luceneCpu = mean(lucene.get("cpu_ms_search_and_ids"));
        double luceneSearchCpu = mean(lucene.get("cpu_ms_search"));
        s3.put("cpu_ratio", Samples.round(pipeCpu / luceneCpu));
        s3.put("cpu_ratio_to_search_only", Samples.round(pipeCpu / luceneSearchCpu));
        s3.put("wall_ratio_slowest_shard", Samples.round(mean(primary.bm25Pipeline.get("wall_ms_shard_search_max"))
                / mean(lucene.get("wall_ms_search_and_ids"))));

        List<Map<String, Object>> s4 = new ArrayList<>();
        List<Map<String, Object>> s6 = new ArrayList<>();
        List<ParetoPlot.Point> points = new ArrayList<>();
        for (ConfigRun r : runs) {
            s4.addAll(r.modes);
            Map<String, Object> size = new LinkedHashMap<>();
            size.put("config", r.name);
            size.putAll(r.sizes);
            s6.add(size);
            for (Map<String, Object> m : r.modes) {
                points.add(new ParetoPlot.Point(r.name, (String) m.get("mode"), ((Number) m.get("nDCG@10")).doubleValue(),
                        p(m, "p50")));
            }
        }
        Path png = outDir.resolve("pareto-" + collection.name() + ".png");
        ParetoPlot.write(points, "nDCG@10 vs p50 latency: " + collection.name() + " (" + docs.size() + " docs, "
                + measured.size() + " queries, " + Runtime.getRuntime().availableProcessors() + " cores)", png);
        List<ParetoPlot.Point> front = ParetoPlot.frontier(points);
        List<Map<String, Object>> s8points = new ArrayList<>();
        for (ParetoPlot.Point pt : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("config", pt.config());
            m.put("mode", pt.mode());
            m.put("nDCG@10", pt.ndcg());
            m.put("p50_ms", pt.p50());
            m.put("pareto", front.contains(pt));
            s8points.add(m);
        }
        Map<String, Object> s8 = new LinkedHashMap<>();
        s8.put("points", s8points);
        s8.put("png", png.getFileName().toString());

        report.put("1_encode_limit", s1);
        report.put("2_ingest", s2);
        report.put("3_bm25_vs_lucene", s3);
        report.put("4_query_latency", s4);
        report.put("5_freshness", primary.freshness);
        report.put("6_index_size", s6);
        report.put("7_maxsim_kernel", kernel);
        report.put("8_pareto", s8);
        report.put("targets", targets(s2, s3, s4, primary.freshness, kernel, primary.name));
        report.put("machine_at_end", machine());

        Path json = outDir.resolve("bench-" + collection.name() + ".json");
        Files.write(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report));
        System.out.println(table(report));
        System.err.println("wrote " + json + " and " + png);
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static double mean(Object summary) {
        if (!(summary instanceof Map<?, ?> m) || !(m.get("mean") instanceof Number n)) {
            return Double.NaN;
        }
        return n.doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static double p(Map<String, Object> mode, String pct) {
        return ((Number) ((Map<String, Object>) mode.get("latency_ms")).get(pct)).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static double stage(Map<String, Object> mode, String stage) {
        Object st = ((Map<String, Object>) mode.get("stages_ms")).get(stage);
        if (st instanceof Map<?, ?> m && m.get("p50") instanceof Number n) {
            return n.doubleValue();
        }
        return Double.NaN;
    }

    private static List<Map<String, Object>> targets(Map<String, Object> ingest, Map<String, Object> bm25,
            List<Map<String, Object>> latency, Map<String, Object> freshness, Map<String, Object> kernel,
            String primary) {
        List<Map<String, Object>> t = new ArrayList<>();
        double ingestRatio = (Double) ingest.get("ratio_to_onnx");
        t.add(target("ingest >= 0.85x raw ONNX encode rate", ingestRatio, ingestRatio >= 0.85, "x"));
        double cpu = (Double) bm25.get("cpu_ratio");
        t.add(target("BM25 stage CPU per query <= 1.5x Lucene", cpu, cpu <= 1.5, "x"));
        for (String codec : List.of("float16", "int8", "binary")) {
            @SuppressWarnings("unchecked")
            double ms = ((Number) ((Map<String, Object>) kernel.get(codec)).get("ms_per_100_candidates")).doubleValue();
            double limit = codec.equals("binary") ? 2.0 : 10.0;
            t.add(target("MaxSim " + codec + ", 100 candidates, one thread <= " + (codec.equals("binary") ? "2 ms (well below 10)" : "10 ms"),
                    ms, ms <= limit, "ms"));
        }
        for (Map<String, Object> m : latency) {
            if (m.get("mode").equals("full") && m.get("config").equals(primary)) {
                double p99 = p(m, "p99");
                t.add(target("hybrid+MaxSim (full, " + primary + ") p99 <= 150 ms at " + m.get("offered_qps")
                        + " q/s (50% of max)", p99, p99 <= 150, "ms"));
            }
        }
        if (freshness != null) {
            @SuppressWarnings("unchecked")
            Object p99 = ((Map<String, Object>) freshness.get("freshness_ms")).get("p99");
            double v = p99 instanceof Number n ? n.doubleValue() : Double.NaN;
            t.add(target("freshness p99 <= 500 ms at 50% of max ingest", v, v <= 500, "ms"));
        }
        return t;
    }

    private static Map<String, Object> target(String name, double measured, boolean met, String unit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", name);
        m.put("measured", Samples.round(measured));
        m.put("unit", unit);
        m.put("met", met);
        return m;
    }

    /** The machine as the report describes it: cores, CPU model, memory, load, other evaluation runs. */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        m.put("load_average_1m", Samples.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        m.put("other_eval_or_bench_processes", otherRuns());
        return m;
    }

    /** Other JVMs running the CLI's eval or bench here (from /proc: ProcessHandle cuts command lines at 4 KiB). */
    private static long otherRuns() {
        long self = ProcessHandle.current().pid();
        long n = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains("cli.Main eval") || cmd.contains("cli.Main bench")) {
                        n++;
                    }
                } catch (IOException | RuntimeException e) {
                    // gone or not readable
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return n;
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(x);
            }
        }
    }

    // ------------------------------------------------------------------ the printed table

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> machine = (Map<String, Object>) r.get("machine");
        Map<String, Object> machineEnd = (Map<String, Object>) r.get("machine_at_end");
        b.append(f("%n### bench: %s (%s documents, %s queries, %s shards, %s)%n%n", r.get("dataset"), r.get("documents"),
                r.get("queries"), r.get("shards"), r.get("dense_model")));
        b.append(f("Machine: %s cores, %s, %s; load average %s at start, %s at end; other eval/bench processes: %s at start, %s at end.%n%n",
                machine.get("cores"), machine.get("cpu"), machine.get("java"), machine.get("load_average_1m"),
                machineEnd.get("load_average_1m"), machine.get("other_eval_or_bench_processes"),
                machineEnd.get("other_eval_or_bench_processes")));

        Map<String, Object> e = (Map<String, Object>) r.get("1_encode_limit");
        Map<String, Object> in = (Map<String, Object>) r.get("2_ingest");
        Map<String, Object> bm = (Map<String, Object>) r.get("3_bm25_vs_lucene");
        Map<String, Object> pipe = (Map<String, Object>) bm.get("pipeline");
        Map<String, Object> luc = (Map<String, Object>) bm.get("lucene");
        Map<String, Object> fr = (Map<String, Object>) r.get("5_freshness");
        b.append("| # | measurement | result |\n|---|---|---|\n");
        b.append(f("| 1 | encode limit (%s, batch %s, %s intra-op threads, in-process) | ONNX Runtime alone **%.1f docs/s** (best of %s before and %s after the pipelines); the job's encode function in-process %.1f docs/s (%s tokens/doc) |%n",
                e.get("model"), e.get("batch_size"), e.get("intra_op_threads"), e.get("onnx_docs_per_second"),
                e.get("onnx_docs_per_second_first"), e.get("onnx_docs_per_second_second"),
                e.get("encoder_docs_per_second"), e.get("mean_tokens_per_doc")));
        b.append(f("| 2 | ingest through Kafka, first produce → all indexed + checkpoint (%s) | **%.1f docs/s** (%.1f to indexed; %s s + checkpoint at %s s) = **%.2f×** (1), %.2f× the in-process encoder |%n",
                in.get("config"), in.get("docs_per_second"), in.get("docs_per_second_indexed"), in.get("indexed_seconds"),
                in.get("indexed_and_checkpointed_seconds"), in.get("ratio_to_onnx"), in.get("ratio_to_in_process_encoder")));
        b.append(f("| 3 | BM25 stage, top-%s, CPU per query (mean) | shards %.3f ms (thread CPU summed over %s shards) vs Lucene %.3f ms (search + ids; %.3f search only) = **%.2f×**; wall: slowest shard %.3f ms vs Lucene %.3f ms |%n",
                pipe.get("depth"), mean(pipe.get("cpu_ms_shard_search_sum")), pipe.get("shards"),
                mean(luc.get("cpu_ms_search_and_ids")), mean(luc.get("cpu_ms_search")), bm.get("cpu_ratio"),
                mean(pipe.get("wall_ms_shard_search_max")), mean(luc.get("wall_ms_search_and_ids"))));
        if (fr != null) {
            Map<String, Object> fm = (Map<String, Object>) fr.get("freshness_ms");
            Map<String, Object> rt = (Map<String, Object>) fr.get("query_round_trip_ms");
            b.append(f("| 5 | freshness at %s docs/s (%.0f%% of ingest), %s documents | p50 **%s ms**, p99 **%s ms** (found %s/%s; search round trip p50 %s ms) |%n",
                    fr.get("offered_docs_per_second"), 100 * (Double) fr.get("fraction_of_max_ingest"),
                    fr.get("documents_produced"), fm.get("p50"), fm.get("p99"), fr.get("documents_found"),
                    fr.get("documents_produced"), rt.get("p50")));
        }
        Map<String, Object> k = (Map<String, Object>) r.get("7_maxsim_kernel");
        b.append(f("| 7 | MaxSim kernel, 32 query tokens × 100 candidates × ~200 tokens × 384 dims, one thread (median wall; CPU) | float16 **%s ms** (%s), int8 **%s ms** (%s), binary **%s ms** (%s) per query of 100 candidates |%n",
                ((Map<String, Object>) k.get("float16")).get("ms_per_100_candidates"),
                ((Map<String, Object>) k.get("float16")).get("cpu_ms_per_100_candidates_median"),
                ((Map<String, Object>) k.get("int8")).get("ms_per_100_candidates"),
                ((Map<String, Object>) k.get("int8")).get("cpu_ms_per_100_candidates_median"),
                ((Map<String, Object>) k.get("binary")).get("ms_per_100_candidates"),
                ((Map<String, Object>) k.get("binary")).get("cpu_ms_per_100_candidates_median")));
        Map<String, Object> k128 = (Map<String, Object>) k.get("at_" + KernelTiming.COLBERT_DIM + "_dims");
        b.append(f("| 7b | the same kernel at %d dims (ColBERT's projection size; not our model) | float16 %s ms, int8 %s ms, binary %s ms |%n",
                KernelTiming.COLBERT_DIM,
                ((Map<String, Object>) k128.get("float16")).get("ms_per_100_candidates"),
                ((Map<String, Object>) k128.get("int8")).get("ms_per_100_candidates"),
                ((Map<String, Object>) k128.get("binary")).get("ms_per_100_candidates")));

        b.append("\n**4 · Query latency** (client-measured, produce → result read back; open loop at the offered rate; "
                + "stage columns are p50 of the job's `timings_ms`)\n\n");
        b.append("| config | mode | max q/s (closed, " + ((Map<String, Object>) r.get("settings")).get("closed_loop_concurrency")
                + " in flight) | offered q/s | p50 | p95 | p99 ms | query encode | shard search (slowest) | shard CPU (sum) | MaxSim (slowest shard) | gather | cross-encoder | answered |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> m : (List<Map<String, Object>>) r.get("4_query_latency")) {
            b.append(f("| %s | %s | %s | %s | %.1f | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s/%s |%n", m.get("config"), m.get("mode"),
                    m.get("max_qps_closed_loop"), m.get("offered_qps"), p(m, "p50"), p(m, "p95"), p(m, "p99"),
                    ms(stage(m, "query_encode")), ms(stage(m, "shard_search_max")), ms(stage(m, "shard_search_cpu_sum")),
                    ms(stage(m, "maxsim_max")), ms(stage(m, "gather")), ms(stage(m, "cross_encoder")),
                    m.get("answered"), m.get("queries")));
        }

        b.append("\n**6 · Index size** (bytes per document; state payload from the job's stats, on-disk from the folders)\n\n");
        b.append("| config | postings | document store | dense | token vectors (tokens/doc) | payload total | RocksDB on disk | checkpoint |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> m : (List<Map<String, Object>>) r.get("6_index_size")) {
            b.append(f("| %s | %.0f | %.0f | %.0f | %.0f (%.0f) | %.0f | %.0f (%.1f MB) | %.0f (%.1f MB) |%n", m.get("config"),
                    m.get("postings_bytes_per_doc"), m.get("document_store_bytes_per_doc"), m.get("dense_bytes_per_doc"),
                    m.get("token_bytes_per_doc"), m.get("token_vectors_per_doc"), m.get("state_payload_bytes_per_doc"),
                    m.get("rocksdb_on_disk_bytes_per_doc"), ((Number) m.get("rocksdb_on_disk_bytes")).doubleValue() / 1e6,
                    m.get("checkpoint_bytes_per_doc"), ((Number) m.get("checkpoint_bytes")).doubleValue() / 1e6));
        }

        b.append("\n**8 · Pareto** (nDCG@10 against p50; * = on the frontier)\n\n| config | mode | nDCG@10 | p50 ms | frontier |\n|---|---|---|---|---|\n");
        for (Map<String, Object> m : (List<Map<String, Object>>) ((Map<String, Object>) r.get("8_pareto")).get("points")) {
            b.append(f("| %s | %s | %.4f | %.1f | %s |%n", m.get("config"), m.get("mode"), m.get("nDCG@10"), m.get("p50_ms"),
                    Boolean.TRUE.equals(m.get("pareto")) ? "*" : ""));
        }

        b.append("\n**Targets**\n\n| target | measured | met |\n|---|---|---|\n");
        for (Map<String, Object> t : (List<Map<String, Object>>) r.get("targets")) {
            b.append(f("| %s | %s %s | %s |%n", t.get("target"), t.get("measured"), t.get("unit"),
                    Boolean.TRUE.equals(t.get("met")) ? "yes" : "**no**"));
        }
        return b.toString();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "–" : f("%.2f", v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
