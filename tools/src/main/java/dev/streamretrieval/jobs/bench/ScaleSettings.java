package dev.streamretrieval.jobs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code scale} command's own options (everything else is a job option). */
final class ScaleSettings {
    /** name → default; parsed from --name value. */
    static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dataset", null);
        m.put("sizes", "10000,100000,1000000");
        m.put("out-dir", "scale-out");
        m.put("rate", "20");
        m.put("queries", "200");
        m.put("warmup-queries", "20");
        m.put("bm25-cpu-queries", "100");
        m.put("recall-queries", "50");
        m.put("sample-docs", "2000");
        m.put("seed", "42");
        m.put("taskmanager-heap", "1g");
        m.put("managed-memory", "256m");
        m.put("lucene-passes", "3");
        m.put("kill-taskmanager", "true");
        m.put("keep-work", "false");
        return m;
    }

    static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        DESCRIPTIONS.put("dataset", "BEIR folder the synthetic collection is grown from, or 'sample' (required)");
        DESCRIPTIONS.put("sizes", "collection sizes, one fresh broker, cluster and job each (default 10000,100000,1000000)");
        DESCRIPTIONS.put("out-dir", "where scale-<dataset>.json and scale-<dataset>.png go (default scale-out)");
        DESCRIPTIONS.put("rate", "offered query rate of the latency runs, queries/s (default 20)");
        DESCRIPTIONS.put("queries", "queries per mode in the latency runs (real queries of the dataset, repeated as needed; default 200)");
        DESCRIPTIONS.put("warmup-queries", "queries sent before measuring a mode (default 20)");
        DESCRIPTIONS.put("bm25-cpu-queries", "queries of the sequential BM25 top-100 pass compared with Lucene (default 100)");
        DESCRIPTIONS.put("recall-queries", "queries of the dense recall@100 measurement against the exact scan (default 50)");
        DESCRIPTIONS.put("sample-docs", "real documents encoded once with the dense model; synthetic vectors are perturbed mixtures of these (default 2000)");
        DESCRIPTIONS.put("seed", "seed of the synthetic collection (default 42)");
        DESCRIPTIONS.put("taskmanager-heap", "task heap of each TaskManager JVM (default 1g)");
        DESCRIPTIONS.put("managed-memory", "managed (RocksDB) memory of each TaskManager (default 256m)");
        DESCRIPTIONS.put("lucene-passes", "timed passes over the queries for Lucene (default 3)");
        DESCRIPTIONS.put("kill-taskmanager", "measure the restore after a TaskManager is SIGKILLed (default true)");
        DESCRIPTIONS.put("keep-work", "keep the per-size work folders (broker, cluster, RocksDB, checkpoints, Lucene) (default false)");
    }

    String dataset;
    List<Long> sizes;
    String outDir;
    double rate;
    int queries;
    int warmupQueries;
    int bm25CpuQueries;
    int recallQueries;
    int sampleDocs;
    long seed;
    String taskManagerHeap;
    String managedMemory;
    int lucenePasses;
    boolean killTaskManager;
    boolean keepWork;

    static ScaleSettings from(Map<String, String> m) {
        ScaleSettings s = new ScaleSettings();
        s.dataset = m.get("dataset");
        if (s.dataset == null) {
            throw new IllegalArgumentException("scale needs --dataset BEIR_FOLDER (or --dataset sample)");
        }
        try {
            s.sizes = new ArrayList<>();
            for (String size : m.get("sizes").split(",")) {
                s.sizes.add(Long.parseLong(size.strip().replace("_", "")));
            }
            s.outDir = m.get("out-dir");
            s.rate = Double.parseDouble(m.get("rate"));
            s.queries = Integer.parseInt(m.get("queries"));
            s.warmupQueries = Integer.parseInt(m.get("warmup-queries"));
            s.bm25CpuQueries = Integer.parseInt(m.get("bm25-cpu-queries"));
            s.recallQueries = Integer.parseInt(m.get("recall-queries"));
            s.sampleDocs = Integer.parseInt(m.get("sample-docs"));
            s.seed = Long.parseLong(m.get("seed"));
            s.lucenePasses = Integer.parseInt(m.get("lucene-passes"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scale option needs a number: " + e.getMessage());
        }
        s.taskManagerHeap = m.get("taskmanager-heap");
        s.managedMemory = m.get("managed-memory");
        s.killTaskManager = Boolean.parseBoolean(m.get("kill-taskmanager"));
        s.keepWork = Boolean.parseBoolean(m.get("keep-work"));
        if (s.sizes.isEmpty() || s.sizes.stream().anyMatch(n -> n < 1) || s.rate <= 0 || s.queries < 1
                || s.warmupQueries < 0 || s.bm25CpuQueries < 1 || s.recallQueries < 1 || s.sampleDocs < 1
                || s.lucenePasses < 1) {
            throw new IllegalArgumentException("scale sizes, rates and counts must be positive");
        }
        return s;
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sizes", sizes);
        m.put("offered_qps", rate);
        m.put("queries_per_mode", queries);
        m.put("warmup_queries", warmupQueries);
        m.put("bm25_cpu_queries", bm25CpuQueries);
        m.put("recall_queries", recallQueries);
        m.put("sample_docs_encoded", sampleDocs);
        m.put("seed", seed);
        m.put("taskmanager_heap", taskManagerHeap);
        m.put("managed_memory", managedMemory);
        m.put("lucene_passes", lucenePasses);
        m.put("kill_taskmanager", killTaskManager);
        return m;
    }
}
