package dev.streamretrieval.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.projection.EncodedCollection;
import dev.streamretrieval.jobs.projection.TrainProjectionCommand;
import dev.streamretrieval.operators.encoding.TokenProjection;
import dev.streamretrieval.operators.index.ColbertSearcher;
import dev.streamretrieval.operators.index.ResidualStorage;
import dev.streamretrieval.operators.index.ResidualTokenStore;
import dev.streamretrieval.operators.index.ShardCounters;
import dev.streamretrieval.operators.index.state.HeapKeyValueState;
import dev.streamretrieval.operators.index.state.KeyValueState;
import dev.streamretrieval.operators.ingest.ShardRouter;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code bin/hybrid colbert-bench}: the colbert mode's recall against exhaustive MaxSim and its CPU per query, per
 * corpus size and setting, on real token vectors and the job's own classes ({@link ResidualTokenStore},
 * {@link ColbertSearcher}) over heap state, without Kafka or Flink, so that a grid of settings takes minutes.
 *
 * <p><b>Token vectors</b>: the token encoder's output for the documents {@code train-projection} encodes (each judged
 * query's BM25 top 30 and the training positives; its cache in {@code --cache-dir} is read, else the encoder runs and
 * writes it) and for every judged query, through the job's {@code --token-projection}, sent to the shards as float16
 * (the residual codecs' wire form) exactly as the job stores them.
 *
 * <p><b>Growing the corpus</b> ({@code --sizes}, total documents over {@code --shards} shards): the real encoded
 * documents come first, in collection order; synthetic document i (id {@code syn-i}) then takes a primary real
 * document and its token count, and is made of runs of 4–15 consecutive token vectors, half of the runs from the
 * primary (continuing where its last run ended), the others from a random position of any real document (as
 * {@code scale} makes its texts from runs of words); each vector gets Gaussian noise of norm ≈ {@code --noise}
 * (default 0.02) and is L2-normalised again, so no two tokens are equal while the vectors stay real ones. Documents go
 * to shards by the job's {@link ShardRouter}; each shard trains its codebook on its first {@code --token-train-tokens}
 * tokens, as in the job (drift re-trains included).
 *
 * <p><b>Per query</b> (the real judged queries, at most {@code --queries}): every shard searched as the job does
 * (depth {@code max(2k, k + 20)} at the job's defaults, candidates at least that depth), the shards' answers merged by MaxSim; recall@10
 * and @100 of the merged list against the merged exhaustive answer ({@link ColbertSearcher#searchExhaustively},
 * every document scored exactly on the same compressed vectors); thread CPU summed over the shards (one thread, so
 * it is the CPU a query costs the job's shards) and the most any shard took; state reads per query.
 */
public final class ColbertBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ColbertBench() {}

    /** The command's own options. */
    private static final List<JobOptions.Extra> OPTIONS = List.of(
            new JobOptions.Extra("data-dir", null,
                    "folder holding the BEIR collections (default ../shared/data next to the project root)"),
            new JobOptions.Extra("collections", "cisi,cranfield,nfcorpus", "collections to measure"),
            new JobOptions.Extra("cache-dir", "target/projection-cache",
                    "the encoded token states (train-projection's cache)"),
            new JobOptions.Extra("sizes", "0,10000", "total documents per run, 0 = the real encoded documents only"),
            new JobOptions.Extra("nprobes", null,
                    "colbert nprobe values measured, e.g. 2,4,8 (default the job's --colbert-nprobe)"),
            new JobOptions.Extra("candidate-counts", null,
                    "colbert candidates values measured, e.g. 64,256 (default the job's --colbert-candidates)"),
            new JobOptions.Extra("train-token-counts", null,
                    "token-train-tokens values measured, e.g. 8192,32768 (default the job's --token-train-tokens)"),
            new JobOptions.Extra("k", "100", "hits asked for per query, e.g. 10,100"),
            new JobOptions.Extra("queries", "100", "judged queries used at most per collection"),
            new JobOptions.Extra("timed-queries", "20", "of those, queries whose whole search is timed per setting"),
            new JobOptions.Extra("noise", "0.02", "norm of the noise added to the synthetic documents' token vectors"),
            new JobOptions.Extra("seed", "7", "seed of the synthetic documents"),
            new JobOptions.Extra("out", null, "write the results as JSON"));

    /** The command's own options (name → description), for --help. */
    public static Map<String, String> optionDescriptions() {
        return JobOptions.Extra.descriptions(OPTIONS);
    }

    /** One measured setting. */
    record Setting(int k, int nprobe, int candidates) {}

    public static int run(List<String> args) throws Exception {
        Map<String, String> extras = JobOptions.Extra.defaults(OPTIONS);
        List<String> positional = new ArrayList<>();
        JobOptions o = JobOptions.parse(args, positional, Set.of(), extras);
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("colbert-bench: unexpected arguments " + positional);
        }
        if (!o.neural.tokensEnabled()) {
            throw new IllegalArgumentException("colbert-bench needs token vectors (a dense model and --token-model)");
        }
        TokenCodec codec = TokenCodec.parse(o.neural.tokenCodec);
        if (codec.residualBits() == 0) {
            throw new IllegalArgumentException("the colbert mode needs --token-codec residual2 or residual1, got "
                    + o.neural.tokenCodec);
        }
        Path dataDir = extras.get("data-dir") != null ? Path.of(extras.get("data-dir"))
                : TrainProjectionCommand.sharedData();
        Path cacheDir = Path.of(extras.get("cache-dir"));
        int[] sizes = ints(extras.get("sizes"));
        int[] nprobes = extras.get("nprobes") == null ? new int[] {o.query.colbertNprobe} : ints(extras.get("nprobes"));
        int[] cands = extras.get("candidate-counts") == null ? new int[] {o.query.colbertCandidates}
                : ints(extras.get("candidate-counts"));
        int[] trainTokens = extras.get("train-token-counts") == null ? new int[] {o.neural.tokenTrainTokens}
                : ints(extras.get("train-token-counts"));
        int[] ks = ints(extras.get("k"));
        int maxQueries = Integer.parseInt(extras.get("queries"));
        int timedQueries = Integer.parseInt(extras.get("timed-queries"));
        double noise = Double.parseDouble(extras.get("noise"));
        long seed = Long.parseLong(extras.get("seed"));
        TokenProjection projection = o.neural.tokenProjection();
        List<Setting> settings = new ArrayList<>();
        for (int k : ks) {
            for (int p : nprobes) {
                for (int c : cands) {
                    settings.add(new Setting(k, p, c));
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "bin/hybrid colbert-bench " + String.join(" ", args));
        report.put("machine", machine());
        List<Object> runs = new ArrayList<>();
        report.put("runs", runs);
        System.out.println("| collection | documents | shards | train tokens | centroids/shard | k | nprobe | candidates "
                + "| recall@10 | recall@k (min) | docs probed | exact MaxSims | select CPU ms p50 / p99 "
                + "| search CPU ms p50 / p99 (all shards) | max shard ms p99 | exhaustive CPU ms p50 | load |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String name : extras.get("collections").split(",")) {
            Path folder = dataDir.resolve(name.strip());
            if (!Files.isRegularFile(folder.resolve("corpus.jsonl"))) {
                throw new IllegalArgumentException("collection " + folder + " has no corpus.jsonl");
            }
            BeirCollection collection = BeirCollection.load(folder);
            EncodedCollection encoded = EncodedCollection.loadPooled(collection, folder, o, cacheDir, 30, 0.2);
            Source source = Source.of(encoded, projection);
            List<float[][]> queries = new ArrayList<>();
            for (int q = 0; q < collection.queries().size() && queries.size() < maxQueries; q++) {
                float[][] t = encoded.queryRows(q);
                if (t.length > 0) {
                    queries.add(projection == null ? t : projection.apply(t));
                }
            }
            for (int size : sizes) {
                for (int tt : trainTokens) {
                    runs.addAll(measure(name, source, queries, size, tt, o.shards, o.query::shardDepth,
                            codec.residualBits(), settings, timedQueries, noise, seed));
                    write(extras.get("out"), report);
                }
            }
        }
        write(extras.get("out"), report);
        return 0;
    }

    /** The real documents' projected token vectors (encoded ones only) with their ids. */
    record Source(List<String> ids, List<float[][]> tokens) {
        static Source of(EncodedCollection e, TokenProjection projection) {
            List<String> ids = new ArrayList<>();
            List<float[][]> tokens = new ArrayList<>();
            for (int d = 0; d < e.documentCount(); d++) {
                if (!e.encoded(d)) {
                    continue;
                }
                float[][] t = e.documentRows(d);
                if (t.length == 0) {
                    continue;
                }
                ids.add(e.collection().documents().get(d).id);
                tokens.add(projection == null ? t : projection.apply(t));
            }
            return new Source(ids, tokens);
        }

        /** Synthetic document i (see the class comment). */
        float[][] synthetic(long i, double noise, long seed) {
            SplittableRandom r = new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L));
            float[][] primary = tokens.get(r.nextInt(tokens.size()));
            int dim = primary[0].length;
            float[][] out = new float[primary.length][];
            int fromPrimary = 0;
            boolean usePrimary = true;
            for (int at = 0; at < out.length;) {
                int run = Math.min(4 + r.nextInt(12), out.length - at);
                float[][] from;
                int start;
                if (usePrimary) {
                    from = primary;
                    start = fromPrimary % primary.length;
                } else {
                    from = tokens.get(r.nextInt(tokens.size()));
                    start = r.nextInt(from.length);
                }
                for (int j = 0; j < run; j++, at++) {
                    float[] x = from[(start + j) % from.length];
                    float[] y = new float[dim];
                    double norm = 0;
                    double sigma = noise / Math.sqrt(dim);
                    for (int d = 0; d < dim; d++) {
                        y[d] = (float) (x[d] + sigma * r.nextGaussian());
                        norm += (double) y[d] * y[d];
                    }
                    float inv = (float) (1 / Math.sqrt(norm));
                    for (int d = 0; d < dim; d++) {
                        y[d] *= inv;
                    }
                    out[at] = y;
                }
                if (usePrimary) {
                    fromPrimary += run;
                }
                usePrimary = !usePrimary;
            }
            return out;
        }
    }

    /** A heap state that counts its reads (the job's are RocksDB gets). */
    static final class Counting<K, V> implements KeyValueState<K, V> {
        private final HeapKeyValueState<K, V> heap = new HeapKeyValueState<>();
        static long reads;

        @Override
        public V get(K key) {
            reads++;
            return heap.get(key);
        }

        @Override
        public void put(K key, V value) {
            heap.put(key, value);
        }

        @Override
        public void remove(K key) {
            heap.remove(key);
        }
    }

    private static List<Map<String, Object>> measure(String name, Source source, List<float[][]> queries, int size,
            int trainTokens, int shards, java.util.function.IntUnaryOperator shardDepth, int bits, List<Setting> settings,
            int timedQueries,
            double noise, long seed) {
        long t0 = System.nanoTime();
        ShardRouter router = new ShardRouter(shards);
        ResidualTokenStore[] stores = new ResidualTokenStore[shards];
        ShardCounters[] counters = new ShardCounters[shards];
        long[] next = new long[shards];
        for (int s = 0; s < shards; s++) {
            stores[s] = new ResidualTokenStore(new Counting<>(), new ResidualStorage(new Counting<>(), new Counting<>(),
                    new Counting<>()), bits, trainTokens);
            counters[s] = new ShardCounters();
        }
        int total = size <= 0 ? source.ids().size() : size;
        long ingestCpu = 0;
        long tokens = 0;
        for (int i = 0; i < total; i++) {
            String id;
            float[][] t;
            if (i < source.ids().size()) {
                id = source.ids().get(i);
                t = source.tokens().get(i);
            } else {
                id = "syn-" + i;
                t = source.synthetic(i, noise, seed);
            }
            tokens += t.length;
            byte[] wire = TokenCodec.FLOAT16.encode(t);
            int s = router.shardOf(id);
            long c0 = THREADS.getCurrentThreadCpuTime();
            stores[s].add(s, next[s]++, wire, counters[s]);
            ingestCpu += THREADS.getCurrentThreadCpuTime() - c0;
            if ((i + 1) % 5000 == 0) {
                System.err.printf(Locale.ROOT, "[colbert-bench %s %d] ingested %d documents (%.0f s)%n", name, total,
                        i + 1, (System.nanoTime() - t0) / 1e9);
            }
        }
        // the reference at the largest k; a smaller k's reference is its prefix (the merge order is total)
        int maxK = settings.stream().mapToInt(Setting::k).max().orElse(10);
        int maxDepth = shardDepth.applyAsInt(maxK);
        int centroids = stores[0].codebook(0) == null ? 0 : stores[0].codebook(0).centroids();
        ColbertSearcher[] searchers = Arrays.stream(stores).map(ColbertSearcher::new).toArray(ColbertSearcher[]::new);
        // the reference: every document of every shard scored exactly on the same compressed vectors; the scores are
        // kept (ordinals are dense per shard), so a setting's answer is its selection ranked by them
        float[][][] exactScores = new float[queries.size()][shards][];
        long[][] exhaustive = new long[queries.size()][];
        double[] exhaustiveCpu = new double[queries.size()];
        for (int q = 0; q < queries.size(); q++) {
            ColbertSearcher.Result[] rs = new ColbertSearcher.Result[shards];
            long c0 = THREADS.getCurrentThreadCpuTime();
            for (int s = 0; s < shards; s++) {
                ColbertSearcher.Result all = searchers[s].searchExhaustively(s, queries.get(q), Integer.MAX_VALUE);
                exactScores[q][s] = new float[(int) next[s]];
                Arrays.fill(exactScores[q][s], Float.NEGATIVE_INFINITY);
                for (int i = 0; i < all.ordinals().length; i++) {
                    exactScores[q][s][(int) all.ordinals()[i]] = all.scores()[i];
                }
                int n = Math.min(maxDepth, all.ordinals().length);
                rs[s] = new ColbertSearcher.Result(Arrays.copyOf(all.ordinals(), n), Arrays.copyOf(all.scores(), n),
                        all.probed(), all.exact());
            }
            exhaustiveCpu[q] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
            exhaustive[q] = merge(rs, maxK);
        }
        System.err.printf(Locale.ROOT, "[colbert-bench %s %d] ingest (%d codebook re-trains) and exhaustive reference"
                + " done (%.0f s)%n", name, total, Arrays.stream(counters).mapToLong(c -> c.tokenCodebookRetrains).sum(),
                (System.nanoTime() - t0) / 1e9);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Setting st : settings) {
            int k = st.k();
            int depth = shardDepth.applyAsInt(k);
            ColbertSearcher.Params params = new ColbertSearcher.Params(st.nprobe(), Math.max(st.candidates(), depth));
            double[] r10 = new double[queries.size()];
            double[] r100 = new double[queries.size()];
            double[] selectCpu = new double[queries.size()];
            long probed = 0;
            long exact = 0;
            long reads = 0;
            for (int q = 0; q < queries.size(); q++) {
                ColbertSearcher.Result[] rs = new ColbertSearcher.Result[shards];
                long readsBefore = Counting.reads;
                for (int s = 0; s < shards; s++) {
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    ColbertSearcher.Selection sel = searchers[s].select(s, queries.get(q), params);
                    selectCpu[q] += (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
                    rs[s] = ranked(sel, exactScores[q][s], depth);
                    probed += sel.probed();
                    exact += sel.ordinals().length;
                }
                reads += Counting.reads - readsBefore;
                long[] got = merge(rs, k);
                r10[q] = recall(got, exhaustive[q], Math.min(10, k));
                r100[q] = recall(got, exhaustive[q], k);
            }
            // the whole search as the shard runs it, timed: warm-up over a few queries first (JIT), then
            // --timed-queries queries; each answer must equal the selection ranked by the reference's scores
            int timed = Math.min(timedQueries, queries.size());
            for (int q = 0; q < Math.min(3, timed); q++) {
                for (int s = 0; s < shards; s++) {
                    searchers[s].search(s, queries.get(q), depth, params);
                }
            }
            double[] cpu = new double[timed];
            double[] maxShard = new double[timed];
            for (int q = 0; q < timed; q++) {
                for (int s = 0; s < shards; s++) {
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    ColbertSearcher.Result r = searchers[s].search(s, queries.get(q), depth, params);
                    double ms = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
                    cpu[q] += ms;
                    maxShard[q] = Math.max(maxShard[q], ms);
                    ColbertSearcher.Result expected = ranked(searchers[s].select(s, queries.get(q), params),
                            exactScores[q][s], depth);
                    if (!Arrays.equals(r.ordinals(), expected.ordinals())) {
                        throw new IllegalStateException("colbert-bench: query " + q + " shard " + s + ": the search's"
                                + " answer differs from its selection ranked by the exhaustive scores");
                    }
                }
            }
            int n = queries.size();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("collection", name);
            m.put("documents", total);
            m.put("real_documents", Math.min(total, source.ids().size()));
            m.put("tokens_per_document", tokens / (double) total);
            m.put("query_tokens_mean", queries.stream().mapToInt(t -> t.length).average().orElse(0));
            m.put("shards", shards);
            m.put("train_tokens", trainTokens);
            m.put("centroids_per_shard", centroids);
            m.put("nprobe", st.nprobe());
            m.put("candidates", params.candidates());
            m.put("k", k);
            m.put("shard_depth", depth);
            m.put("queries", n);
            m.put("recall_at_10", mean(r10));
            m.put("recall_at_k", mean(r100));
            m.put("recall_at_k_min", Arrays.stream(r100).min().orElse(Double.NaN));
            m.put("docs_probed_per_query", probed / (double) n);
            m.put("exact_maxsim_per_query", exact / (double) n);
            m.put("state_reads_per_query_before_exact", reads / (double) n);
            m.put("select_cpu_ms_p50", percentile(selectCpu, 0.50));
            m.put("select_cpu_ms_p99", percentile(selectCpu, 0.99));
            m.put("timed_queries", timed);
            m.put("cpu_ms_p50", percentile(cpu, 0.50));
            m.put("cpu_ms_p99", percentile(cpu, 0.99));
            m.put("max_shard_ms_p99", percentile(maxShard, 0.99));
            m.put("exhaustive_cpu_ms_p50", percentile(exhaustiveCpu, 0.50));
            m.put("ingest_cpu_ms_per_document", ingestCpu / 1e6 / total);
            m.put("codebook_retrains", Arrays.stream(counters).mapToLong(c -> c.tokenCodebookRetrains).sum());
            m.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            out.add(m);
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %.3f | %.3f (%.2f) | %.0f | %.0f | "
                    + "%.1f / %.1f | %.1f / %.1f (%d q) | %.1f | %.0f | %.1f |%n", name, total, shards, trainTokens,
                    centroids, k, st.nprobe(), params.candidates(), mean(r10), mean(r100),
                    Arrays.stream(r100).min().orElse(Double.NaN), probed / (double) n, exact / (double) n,
                    percentile(selectCpu, 0.5), percentile(selectCpu, 0.99), percentile(cpu, 0.5),
                    percentile(cpu, 0.99), timed, percentile(maxShard, 0.99), percentile(exhaustiveCpu, 0.5),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        return out;
    }

    /** A selection ranked by known exact scores, as {@link ColbertSearcher#search} ranks it: score, then ordinal. */
    static ColbertSearcher.Result ranked(ColbertSearcher.Selection sel, float[] scores, int depth) {
        long[] o = sel.ordinals().clone();
        Long[] boxed = Arrays.stream(o).boxed().toArray(Long[]::new);
        Arrays.sort(boxed, (a, b) -> {
            float sa = scores[(int) (long) a];
            float sb = scores[(int) (long) b];
            return sa != sb ? Float.compare(sb, sa) : Long.compare(a, b);
        });
        int n = Math.min(depth, boxed.length);
        long[] outO = new long[n];
        float[] outS = new float[n];
        for (int r = 0; r < n; r++) {
            outO[r] = boxed[r];
            outS[r] = scores[(int) outO[r]];
        }
        return new ColbertSearcher.Result(outO, outS, sel.probed(), o.length);
    }

    /** The shards' answers merged as the gather ranks them: by MaxSim descending, then shard, then ordinal. */
    static long[] merge(ColbertSearcher.Result[] rs, int k) {
        List<long[]> all = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        for (int s = 0; s < rs.length; s++) {
            for (int i = 0; i < rs[s].ordinals().length; i++) {
                all.add(new long[] {s, rs[s].ordinals()[i]});
                scores.add(rs[s].scores()[i]);
            }
        }
        Integer[] order = new Integer[all.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(scores.get(b), scores.get(a));
            if (c != 0) {
                return c;
            }
            c = Long.compare(all.get(a)[0], all.get(b)[0]);
            return c != 0 ? c : Long.compare(all.get(a)[1], all.get(b)[1]);
        });
        int n = Math.min(k, order.length);
        long[] out = new long[n];
        for (int r = 0; r < n; r++) {
            long[] e = all.get(order[r]);
            out[r] = e[0] << 40 | e[1]; // shard and ordinal: a document's identity across shards
        }
        return out;
    }

    /** |got@n ∩ reference@n| / |reference@n|. */
    static double recall(long[] got, long[] reference, int n) {
        int m = Math.min(n, reference.length);
        if (m == 0) {
            return 1;
        }
        java.util.Set<Long> ref = new java.util.HashSet<>();
        for (int i = 0; i < m; i++) {
            ref.add(reference[i]);
        }
        int hit = 0;
        for (int i = 0; i < Math.min(n, got.length); i++) {
            hit += ref.contains(got[i]) ? 1 : 0;
        }
        return hit / (double) m;
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Nearest-rank percentile. */
    static double percentile(double[] v, double p) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)];
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("load_average_at_start", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        m.put("java", System.getProperty("java.version"));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        return m;
    }

    private static void write(String out, Map<String, Object> report) throws java.io.IOException {
        if (out != null) {
            Path p = Path.of(out);
            if (p.toAbsolutePath().getParent() != null) {
                Files.createDirectories(p.toAbsolutePath().getParent());
            }
            Files.writeString(p, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
    }
}
