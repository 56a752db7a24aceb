package dev.streamretrieval.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.evaluation.LuceneBaseline;
import dev.streamretrieval.jobs.evaluation.RankingMetrics;
import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.encoding.DenseEncoder;
import dev.streamretrieval.operators.encoding.NeuralOptions;
import dev.streamretrieval.operators.index.DenseResult;
import dev.streamretrieval.operators.index.IvfIndex;
import dev.streamretrieval.operators.index.IvfSearcher;
import dev.streamretrieval.operators.index.IvfStorage;
import dev.streamretrieval.operators.index.TopK;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code bin/hybrid dense-index}: the approximate (IVF) dense index against the exact scan on real encoded vectors,
 * without Kafka or Flink (the stores are the job's plain classes over heap storage).
 *
 * <ul>
 *   <li>per collection, its documents split over {@code --shards} shard indexes by id hash (the same sizes as the
 *   job's shards): recall@100 of the merged IVF top 100 against the exact one, dense nDCG@10, and hybrid nDCG@10
 *   (RRF, k = 60, of the Lucene BM25 top 100 and the merged dense top 100: the job's hybrid with its default depths,
 *   BM25 from Lucene, whose scores equal the job's) with each index, per nprobe;</li>
 *   <li>per size in {@code --sizes}: one shard of that many vectors grown from the collection's real vectors (each
 *   new vector is normalise(x_i + λ·x_j + noise) for random documents i, j, λ ∈ [0, 0.5), noise N(0, 0.02²) per
 *   dimension, so the new vectors stay near the span of the real ones), queried with the real query vectors:
 *   recall@100, the recall of the exact top 13 (a shard's share of a global top 100 over 8 shards) and thread CPU
 *   per query of the IVF search and of the exact scan.</li>
 * </ul>
 * Encoded vectors can be kept in {@code --cache-dir} so that a second run skips the encoder.
 */
public final class DenseIndexEval {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final DenseCodec CODEC = DenseCodec.FLOAT32;
    private static final int DEPTH = 100;
    private static final long[] NONE = new long[0];
    /**
     * A job with 8 shards merges their top-100 lists: a shard's share of the global top 100 is its exact top
     * ~100/8 = 13, so the global recall@100 is the recall of each shard's exact top 13 within its IVF top 100.
     */
    private static final int SHARE_OF_8 = 13;

    /** --max-list: the IVF's maxListSize (the job's --ivf-max-list). */
    private static int maxList = IvfIndex.DEFAULT_MAX_LIST_SIZE;

    private DenseIndexEval() {}

    public static int run(List<String> args) throws Exception {
        List<Path> datasets = new ArrayList<>();
        int[] sizes = {};
        int[] nprobes = {4, 8, 16, 32};
        int shards = 8;
        int maxQueries = 300;
        Path cacheDir = null;
        Path out = null;
        for (int i = 0; i < args.size(); i++) {
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (args.get(i)) {
                case "--dataset" -> {
                    for (String d : value.split(",")) {
                        datasets.add(Path.of(d));
                    }
                }
                case "--sizes" -> sizes = ints(value);
                case "--nprobe" -> nprobes = ints(value);
                case "--shards" -> shards = Integer.parseInt(value);
                case "--max-list" -> maxList = Integer.parseInt(value);
                case "--queries" -> maxQueries = Integer.parseInt(value);
                case "--cache-dir" -> cacheDir = Path.of(value);
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("dense-index: unknown argument '" + args.get(i) + "'");
            }
            i++;
        }
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException("dense-index needs --dataset BEIR_FOLDER[,BEIR_FOLDER...]");
        }
        List<Object> results = new ArrayList<>();
        for (Path dataset : datasets) {
            BeirCollection c = BeirCollection.load(dataset);
            List<Query> queries = c.queries().subList(0, Math.min(maxQueries, c.queries().size()));
            float[][] docs = vectors(c.name() + "-docs", passages(c.documents()), false, cacheDir);
            List<String> queryTexts = new ArrayList<>();
            for (Query q : queries) {
                queryTexts.add(q.text);
            }
            float[][] qs = vectors(c.name() + "-queries-" + queries.size(), queryTexts, true, cacheDir);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("dataset", c.name());
            r.put("documents", docs.length);
            r.put("queries", qs.length);
            r.put("collection", collection(c, queries, docs, qs, shards, nprobes));
            List<Object> grown = new ArrayList<>();
            for (int size : sizes) {
                grown.add(grown(docs, qs, size, nprobes));
            }
            r.put("grown_single_shard", grown);
            results.add(r);
            System.out.println(json(r));
        }
        if (out != null) {
            Files.writeString(out, json(results));
        }
        return 0;
    }

    private static int[] ints(String csv) {
        String[] parts = csv.split(",");
        int[] v = new int[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Integer.parseInt(parts[i].trim());
        }
        return v;
    }

    private static String json(Object o) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o);
    }

    private static List<String> passages(List<Document> docs) {
        List<String> texts = new ArrayList<>(docs.size());
        for (Document d : docs) {
            texts.add(Document.indexableText(d.title, d.text));
        }
        return texts;
    }

    /** Encodes with the job's default dense model (or reads the cache written by an earlier run). */
    private static float[][] vectors(String name, List<String> texts, boolean queries, Path cacheDir) throws IOException {
        NeuralOptions n = new NeuralOptions();
        Path cache = cacheDir == null ? null : cacheDir.resolve(name + "-" + n.denseModel + ".f32");
        if (cache != null && Files.exists(cache)) {
            try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(cache)))) {
                int count = in.readInt();
                int dim = in.readInt();
                if (count == texts.size()) {
                    float[][] v = new float[count][dim];
                    for (float[] row : v) {
                        for (int i = 0; i < dim; i++) {
                            row[i] = in.readFloat();
                        }
                    }
                    return v;
                }
            }
        }
        long t0 = System.nanoTime();
        float[][] v;
        try (DenseEncoder encoder = DenseEncoder.open(n.denseSpec(), n.intraOpThreads, n.batchSize)) {
            v = queries ? encoder.encodeQueries(texts) : encoder.encodePassages(texts);
        }
        System.err.printf("encoded %d %s in %.1f s%n", texts.size(), name, (System.nanoTime() - t0) / 1e9);
        if (cache != null) {
            Files.createDirectories(cacheDir);
            try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(cache)))) {
                o.writeInt(v.length);
                o.writeInt(v.length == 0 ? 0 : v[0].length);
                for (float[] row : v) {
                    for (float x : row) {
                        o.writeFloat(x);
                    }
                }
            }
        }
        return v;
    }

    /** One shard's vectors both ways: the IVF index and the exact scan's contiguous (ordinal, codec bytes) entries. */
    private static final class Shard {
        final IvfIndex ivf = new IvfIndex(IvfStorage.onHeap(), CODEC, maxList);
        final IvfSearcher searcher = new IvfSearcher(ivf);
        final List<Long> ordinals = new ArrayList<>();
        final List<byte[]> encoded = new ArrayList<>();
        byte[] exact;
        int stride;

        void add(long ordinal, float[] v) throws Exception {
            byte[] bytes = CODEC.encode(v);
            ivf.add(ordinal, bytes);
            ordinals.add(ordinal);
            encoded.add(bytes);
        }

        /** Lays the exact scan's vectors out as the exact index's blocks do: ordinal, then the codec's bytes. */
        void seal() {
            stride = encoded.isEmpty() ? 8 : 8 + encoded.get(0).length;
            exact = new byte[encoded.size() * stride];
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(exact).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < encoded.size(); i++) {
                b.putLong(i * stride, ordinals.get(i));
                System.arraycopy(encoded.get(i), 0, exact, i * stride + 8, encoded.get(i).length);
            }
            encoded.clear();
        }

        DenseResult exactTop(float[] q, int k) {
            TopK top = new TopK(k);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(exact).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int n = exact.length / stride;
            for (int i = 0; i < n; i++) {
                top.offer(b.getLong(i * stride), CODEC.dot(q, exact, i * stride + 8));
            }
            return top.drain(new float[0], n);
        }
    }

    private static Map<String, Object> collection(BeirCollection c, List<Query> queries, float[][] docs,
            float[][] qs, int shardCount, int[] nprobes) throws Exception {
        Shard[] shards = new Shard[shardCount];
        for (int s = 0; s < shardCount; s++) {
            shards[s] = new Shard();
        }
        List<Document> documents = c.documents();
        for (int d = 0; d < docs.length; d++) {
            shards[Math.floorMod(documents.get(d).id.hashCode(), shardCount)].add(d, docs[d]);
        }
        int lists = 0;
        for (Shard s : shards) {
            s.seal();
            lists += s.ivf.lists();
        }
        Map<String, List<String>> bm25;
        try (LuceneBaseline lucene = LuceneBaseline.build(documents, new TextAnalyzer(new AnalyzerOptions()), 0.9, 0.4)) {
            bm25 = lucene.searchAll(queries, DEPTH);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shards", shardCount);
        out.put("lists_total", lists);
        List<List<String>> exactRankings = new ArrayList<>();
        double exactDense = 0;
        double exactHybrid = 0;
        for (int q = 0; q < qs.length; q++) {
            DenseResult[] perShard = new DenseResult[shardCount];
            for (int s = 0; s < shardCount; s++) {
                perShard[s] = shards[s].exactTop(qs[q], DEPTH);
            }
            List<String> ranking = merge(perShard, documents);
            exactRankings.add(ranking);
            Map<String, Integer> grades = c.qrels().judgments(queries.get(q).id);
            exactDense += RankingMetrics.ndcgAt(ranking, grades, 10);
            exactHybrid += RankingMetrics.ndcgAt(rrf(bm25.get(queries.get(q).id), ranking), grades, 10);
        }
        out.put("exact_dense_ndcg_at_10", round(exactDense / qs.length));
        out.put("exact_hybrid_ndcg_at_10", round(exactHybrid / qs.length));
        List<Object> runs = new ArrayList<>();
        for (int nprobe : nprobes) {
            double recall = 0;
            double dense = 0;
            double hybrid = 0;
            for (int q = 0; q < qs.length; q++) {
                DenseResult[] perShard = new DenseResult[shardCount];
                for (int s = 0; s < shardCount; s++) {
                    perShard[s] = shards[s].searcher.search(qs[q], DEPTH, nprobe, NONE);
                }
                List<String> ranking = merge(perShard, documents);
                List<String> exact = exactRankings.get(q);
                recall += ranking.stream().filter(exact::contains).count() / (double) Math.max(1, exact.size());
                Map<String, Integer> grades = c.qrels().judgments(queries.get(q).id);
                dense += RankingMetrics.ndcgAt(ranking, grades, 10);
                hybrid += RankingMetrics.ndcgAt(rrf(bm25.get(queries.get(q).id), ranking), grades, 10);
            }
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("nprobe", nprobe);
            run.put("recall_at_100", round(recall / qs.length));
            run.put("dense_ndcg_at_10", round(dense / qs.length));
            run.put("hybrid_ndcg_at_10", round(hybrid / qs.length));
            runs.add(run);
        }
        out.put("ivf", runs);
        return out;
    }

    /** The shards' top lists merged into the global top {@link #DEPTH} (score descending, then ordinal). */
    private static List<String> merge(DenseResult[] perShard, List<Document> documents) {
        TopK all = new TopK(DEPTH);
        for (DenseResult t : perShard) {
            for (int i = 0; i < t.ordinals().length; i++) {
                all.offer(t.ordinals()[i], t.scores()[i]);
            }
        }
        List<String> ids = new ArrayList<>();
        for (long ordinal : all.drain(new float[0], 0).ordinals()) {
            ids.add(documents.get((int) ordinal).id);
        }
        return ids;
    }

    /** Reciprocal rank fusion, k = 60 (the job's default), of two rankings; ties by document id. */
    private static List<String> rrf(List<String> a, List<String> b) {
        Map<String, Double> fused = new HashMap<>();
        for (List<String> list : List.of(a == null ? List.<String>of() : a, b)) {
            for (int r = 0; r < list.size(); r++) {
                fused.merge(list.get(r), 1.0 / (60 + r + 1), Double::sum);
            }
        }
        List<String> ids = new ArrayList<>(fused.keySet());
        ids.sort((x, y) -> fused.get(x).equals(fused.get(y)) ? x.compareTo(y) : Double.compare(fused.get(y), fused.get(x)));
        return ids.subList(0, Math.min(10, ids.size()));
    }

    private static Map<String, Object> grown(float[][] docs, float[][] qs, int size, int[] nprobes) throws Exception {
        Random random = new Random(42);
        Shard shard = new Shard();
        int dim = docs[0].length;
        long t0 = System.nanoTime();
        for (int n = 0; n < size; n++) {
            float[] v;
            if (n < docs.length) {
                v = docs[n];
            } else {
                float[] a = docs[random.nextInt(docs.length)];
                float[] b = docs[random.nextInt(docs.length)];
                float lambda = random.nextFloat() * 0.5f;
                v = new float[dim];
                double norm = 0;
                for (int i = 0; i < dim; i++) {
                    v[i] = a[i] + lambda * b[i] + (float) random.nextGaussian() * 0.02f;
                    norm += v[i] * v[i];
                }
                float k = (float) (1 / Math.sqrt(norm));
                for (int i = 0; i < dim; i++) {
                    v[i] *= k;
                }
            }
            shard.add(n, v);
        }
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        shard.seal();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vectors", size);
        out.put("lists", shard.ivf.lists());
        out.put("ivf_build_seconds", round(buildSeconds));
        // the exact scan: its answers are the reference; its CPU time per query is measured after a warm-up pass
        List<DenseResult> exact = new ArrayList<>();
        for (float[] q : qs) {
            exact.add(shard.exactTop(q, DEPTH));
        }
        long cpu = THREADS.getCurrentThreadCpuTime();
        for (float[] q : qs) {
            shard.exactTop(q, DEPTH);
        }
        double exactCpu = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6 / qs.length;
        out.put("exact_cpu_ms_per_query", round(exactCpu));
        List<Object> runs = new ArrayList<>();
        for (int nprobe : nprobes) {
            double recall = 0;
            double recallOfShare = 0;
            for (int q = 0; q < qs.length; q++) {
                DenseResult approx = shard.searcher.search(qs[q], DEPTH, nprobe, NONE);
                recall += overlap(approx, exact.get(q), DEPTH);
                recallOfShare += overlap(approx, exact.get(q), SHARE_OF_8);
            }
            cpu = THREADS.getCurrentThreadCpuTime();
            for (float[] q : qs) {
                shard.searcher.search(q, DEPTH, nprobe, NONE);
            }
            double ivfCpu = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6 / qs.length;
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("nprobe", nprobe);
            run.put("recall_at_100", round(recall / qs.length));
            run.put("recall_of_exact_top_13_in_top_100", round(recallOfShare / qs.length));
            run.put("cpu_ms_per_query", round(ivfCpu));
            run.put("cpu_ratio_to_exact", round(ivfCpu / exactCpu));
            runs.add(run);
        }
        out.put("ivf", runs);
        System.err.println("grown " + size + ": " + out);
        return out;
    }

    /** The fraction of the exact top {@code top} found in the approximate list. */
    private static double overlap(DenseResult approx, DenseResult exact, int top) {
        java.util.Set<Long> want = new java.util.HashSet<>();
        for (int i = 0; i < Math.min(top, exact.ordinals().length); i++) {
            want.add(exact.ordinals()[i]);
        }
        int hit = 0;
        for (long o : approx.ordinals()) {
            hit += want.contains(o) ? 1 : 0;
        }
        return hit / (double) Math.max(1, want.size());
    }

    private static double round(double x) {
        return Math.round(x * 10000) / 10000.0;
    }
}
