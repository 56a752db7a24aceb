package dev.streamretrieval.jobs.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The bench's own options (everything else is a job option). */
final class BenchSettings {
    /** name → default; parsed from --name value. */
    static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dataset", null);
        m.put("out-dir", "bench-out");
        m.put("configs", "float32/float16,int8/int8,float32/binary");
        m.put("modes", "bm25,dense,hybrid,hybrid-linear,full");
        m.put("k", "10");
        m.put("bm25-depth-lucene", "100");
        m.put("max-queries", "100000");
        m.put("warmup-queries", "20");
        m.put("max-qps-queries", "200");
        m.put("concurrency", "8");
        m.put("load-fraction", "0.5");
        m.put("freshness-seconds", "30");
        m.put("freshness-fraction", "0.5");
        m.put("encode-docs", "100000000");
        m.put("kernel-seconds", "3");
        m.put("lucene-passes", "5");
        m.put("keep-work", "false");
        return m;
    }

    static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        DESCRIPTIONS.put("dataset", "BEIR folder, or 'sample' for the shipped sample collection (required)");
        DESCRIPTIONS.put("out-dir", "where bench-<dataset>.json and pareto-<dataset>.png go (default bench-out)");
        DESCRIPTIONS.put("configs", "dense/token codec pairs, one pipeline each; the first runs every mode and sections 3 and 5 (default float32/float16,int8/int8,float32/binary)");
        DESCRIPTIONS.put("modes", "modes of the first configuration; later ones run only the modes their codecs change (default bm25,dense,hybrid,hybrid-linear,full)");
        DESCRIPTIONS.put("k", "hits per query in the latency runs (default 10)");
        DESCRIPTIONS.put("bm25-depth-lucene", "top-k of the BM25-vs-Lucene pass (default 100)");
        DESCRIPTIONS.put("max-queries", "judged queries used per mode (default all)");
        DESCRIPTIONS.put("warmup-queries", "queries sent before measuring a mode (default 20)");
        DESCRIPTIONS.put("max-qps-queries", "queries of the closed-loop max-throughput run (default 200)");
        DESCRIPTIONS.put("concurrency", "queries in flight in the closed loop (default 8)");
        DESCRIPTIONS.put("load-fraction", "open-loop rate as a fraction of the max throughput (default 0.5)");
        DESCRIPTIONS.put("freshness-seconds", "steady-ingest duration of the freshness run (default 30)");
        DESCRIPTIONS.put("freshness-fraction", "freshness ingest rate as a fraction of the measured ingest rate (default 0.5)");
        DESCRIPTIONS.put("encode-docs", "documents of the raw encode run (default all)");
        DESCRIPTIONS.put("kernel-seconds", "measuring time per codec of the MaxSim kernel loop (default 3)");
        DESCRIPTIONS.put("lucene-passes", "timed passes over the queries for Lucene (default 5)");
        DESCRIPTIONS.put("keep-work", "keep the per-configuration work folders (broker, RocksDB, checkpoints) (default false)");
    }

    String dataset;
    String outDir;
    String configs;
    String modes;
    int k;
    int bm25Depth;
    int maxQueries;
    int warmupQueries;
    int maxQpsQueries;
    int concurrency;
    double loadFraction;
    double freshnessSeconds;
    double freshnessFraction;
    int encodeDocs;
    double kernelSeconds;
    int lucenePasses;
    boolean keepWork;

    static BenchSettings from(Map<String, String> m) {
        BenchSettings s = new BenchSettings();
        s.dataset = m.get("dataset");
        if (s.dataset == null) {
            throw new IllegalArgumentException("bench needs --dataset BEIR_FOLDER (or --dataset sample)");
        }
        try {
            s.outDir = m.get("out-dir");
            s.configs = m.get("configs");
            s.modes = m.get("modes");
            s.k = Integer.parseInt(m.get("k"));
            s.bm25Depth = Integer.parseInt(m.get("bm25-depth-lucene"));
            s.maxQueries = Integer.parseInt(m.get("max-queries"));
            s.warmupQueries = Integer.parseInt(m.get("warmup-queries"));
            s.maxQpsQueries = Integer.parseInt(m.get("max-qps-queries"));
            s.concurrency = Integer.parseInt(m.get("concurrency"));
            s.loadFraction = Double.parseDouble(m.get("load-fraction"));
            s.freshnessSeconds = Double.parseDouble(m.get("freshness-seconds"));
            s.freshnessFraction = Double.parseDouble(m.get("freshness-fraction"));
            s.encodeDocs = Integer.parseInt(m.get("encode-docs"));
            s.kernelSeconds = Double.parseDouble(m.get("kernel-seconds"));
            s.lucenePasses = Integer.parseInt(m.get("lucene-passes"));
            s.keepWork = Boolean.parseBoolean(m.get("keep-work"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bench option needs a number: " + e.getMessage());
        }
        if (s.k < 1 || s.maxQueries < 1 || s.concurrency < 1 || s.loadFraction <= 0 || s.maxQpsQueries < 1
                || s.freshnessSeconds <= 0 || s.freshnessFraction <= 0 || s.lucenePasses < 1) {
            throw new IllegalArgumentException("bench sizes, rates and fractions must be positive");
        }
        return s;
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configs", configs);
        m.put("modes", modes);
        m.put("k", k);
        m.put("bm25_depth_lucene", bm25Depth);
        m.put("max_queries", maxQueries);
        m.put("max_qps_queries", maxQpsQueries);
        m.put("closed_loop_concurrency", concurrency);
        m.put("load_fraction", loadFraction);
        m.put("freshness_seconds", freshnessSeconds);
        m.put("freshness_fraction", freshnessFraction);
        m.put("kernel_seconds", kernelSeconds);
        m.put("lucene_passes", lucenePasses);
        return m;
    }
}
