package dev.streamretrieval.jobs.bench;

import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.evaluation.InMemoryShards;
import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.query.QueryOptions;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BM25 stage CPU per query of the shards' search code against Lucene, without Kafka and Flink: the collection is
 * indexed into S in-memory shards as the job routes and analyses it ({@link InMemoryShards}), each judged query
 * runs on every shard at the job's per-shard depth for top-k, and the thread CPU of the S shard searches
 * (candidates with ids and titles included) is summed, as the job's {@code shard_search_cpu_sum} stage sums it.
 * The shards' search as the job runs it, block-max wherever it can skip, and exhaustive scoring are timed,
 * after warm-up passes (which also fill the posting cache, as a running job's hot terms are). Lucene's side is {@link LuceneTiming} (search + ids,
 * top-k). Usage: {@code Bm25CpuComparison DATASET_DIR... [--shards 8] [--k 100] [--passes 5] [--copies 1]}
 * ({@code --copies N} indexes the corpus N times, for larger shards with the same term statistics).
 */
public final class Bm25CpuComparison {
    private Bm25CpuComparison() {}

    public static void main(String[] args) throws Exception {
        List<Path> datasets = new ArrayList<>();
        int shards = 8;
        int k = 100;
        int passes = 5;
        int copies = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shards" -> shards = Integer.parseInt(args[++i]);
                case "--k" -> k = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--copies" -> copies = Integer.parseInt(args[++i]);
                default -> datasets.add(Path.of(args[i]));
            }
        }
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException("usage: Bm25CpuComparison DATASET_DIR... [--shards S] [--k K] [--passes N]");
        }
        for (Path dataset : datasets) {
            System.out.println(run(BeirCollection.load(dataset), shards, k, passes, copies));
        }
    }

    static Map<String, Object> run(BeirCollection collection, int shardCount, int k, int passes, int copies)
            throws Exception {
        List<Document> documents = new ArrayList<>(collection.documents());
        for (int c = 1; c < copies; c++) { // a larger collection with the same term statistics (ids made unique)
            for (Document d : collection.documents()) {
                documents.add(Document.upsert(d.id + "#" + c, d.title, d.text, null));
            }
        }
        AnalyzerOptions analyzerOptions = new AnalyzerOptions();
        TextAnalyzer analyzer = new TextAnalyzer(analyzerOptions);
        double k1 = 0.9;
        double b = 0.4;
        InMemoryShards shards = new InMemoryShards(documents, analyzer, new Bm25(k1, b, true), shardCount);
        int depth = new QueryOptions().shardDepth(k);
        List<ShardQuery> queries = new ArrayList<>();
        for (Query q : collection.queries()) {
            ShardQuery sq = shards.bm25Query(q.id, q.text, depth);
            if (sq.terms.length > 0) {
                queries.add(sq);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", collection.name());
        out.put("documents", documents.size());
        out.put("queries", queries.size());
        out.put("shards", shardCount);
        out.put("k", k);
        out.put("shard_depth", depth);
        Samples job = time(shards, queries, InMemoryShards.Bm25Path.JOB, passes);
        Samples blockMax = time(shards, queries, InMemoryShards.Bm25Path.BLOCK_MAX, passes);
        Samples exhaustive = time(shards, queries, InMemoryShards.Bm25Path.EXHAUSTIVE, passes);
        out.put("cpu_ms_job", job.summary());
        out.put("cpu_ms_block_max", blockMax.summary());
        out.put("cpu_ms_exhaustive", exhaustive.summary());
        Map<String, Object> lucene = LuceneTiming.run(documents, collection.queries(), analyzer, k1, b,
                k, passes);
        out.put("lucene", lucene);
        double luceneCpu = mean(lucene.get("cpu_ms_search_and_ids"));
        out.put("job_ratio_to_lucene", Samples.round(job.mean() / luceneCpu));
        out.put("block_max_ratio_to_lucene", Samples.round(blockMax.mean() / luceneCpu));
        out.put("exhaustive_ratio_to_lucene", Samples.round(exhaustive.mean() / luceneCpu));
        return out;
    }

    /** Per query: thread CPU (ms) of its search on every shard, summed; 3 warm-up passes, then {@code passes}. */
    private static Samples time(InMemoryShards shards, List<ShardQuery> queries, InMemoryShards.Bm25Path path,
            int passes) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        Samples cpu = new Samples();
        for (int pass = 0; pass < 3 + passes; pass++) {
            for (ShardQuery q : queries) {
                long c0 = threads.getCurrentThreadCpuTime();
                for (int s = 0; s < shards.shardCount(); s++) {
                    sink += shards.search(s, q, path).candidates.length;
                }
                long c1 = threads.getCurrentThreadCpuTime();
                if (pass >= 3) {
                    cpu.add((c1 - c0) / 1e6);
                }
            }
        }
        if (sink < 0) {
            throw new AssertionError(); // keeps the searches observable
        }
        return cpu;
    }

    private static double mean(Object summary) {
        return summary instanceof Map<?, ?> m && m.get("mean") instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
