package dev.streamretrieval.jobs.evaluation;

import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.index.ShardCounters;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.index.ShardIndex;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.ingest.PrepareDocuments;
import dev.streamretrieval.operators.ingest.ShardRouter;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.List;
import java.util.TreeMap;

/**
 * A collection indexed into S {@link ShardIndex}es on heap storage, routed and analysed as the job does (its
 * {@link ShardRouter}, {@link TextAnalyzer} and query-term counting), for checks and measurements of the shards'
 * search code without Flink and Kafka. With the posting cache warm, a RocksDB-backed shard does the same work.
 */
public final class InMemoryShards {
    private final TextAnalyzer analyzer;
    private final ShardIndex[] shards;
    private final ShardCounters[] counters;

    public InMemoryShards(List<Document> documents, TextAnalyzer analyzer, Bm25 bm25, int shardCount) {
        this.analyzer = analyzer;
        this.shards = new ShardIndex[shardCount];
        this.counters = new ShardCounters[shardCount];
        for (int s = 0; s < shardCount; s++) {
            shards[s] = new ShardIndex(ShardIndex.Storage.onHeap(), bm25, null, null, new Fusion("rrf", 60, 0.5));
            counters[s] = new ShardCounters();
        }
        ShardRouter router = new ShardRouter(shardCount);
        for (Document d : documents) {
            IndexRequest r = PrepareDocuments.analysed(d, router, analyzer);
            shards[r.shard].apply(r.shard, r, counters[r.shard]);
        }
    }

    public int shardCount() {
        return shards.length;
    }

    /** A bm25 query as the job plans it: distinct analysed terms with their counts, {@code depth} per shard. */
    public ShardQuery bm25Query(String id, String text, int depth) {
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (String t : analyzer.tokens(text == null ? "" : text)) {
            counts.merge(t, 1, Integer::sum);
        }
        ShardQuery q = new ShardQuery();
        q.requestId = id;
        q.queryId = id;
        q.op = QueryOp.SEARCH;
        q.mode = QueryMode.BM25;
        q.k = depth;
        q.shardDepth = depth;
        q.shardCount = shards.length;
        q.terms = counts.keySet().toArray(new String[0]);
        q.queryFreqs = counts.values().stream().mapToInt(Integer::intValue).toArray();
        return q;
    }

    /** How a bm25 query is answered: as the job's shards do, by block-max wherever it can skip, or exhaustively. */
    public enum Bm25Path { JOB, BLOCK_MAX, EXHAUSTIVE }

    /** Shard {@code s}'s answer to a bm25 query by the given path. */
    public ShardHits search(int s, ShardQuery q, Bm25Path path) {
        ShardHits hits = new ShardHits();
        switch (path) {
            case JOB -> shards[s].search(s, q, counters[s], hits);
            case BLOCK_MAX -> shards[s].searchBm25BlockMax(s, q, counters[s], hits);
            case EXHAUSTIVE -> shards[s].searchBm25Exhaustively(s, q, counters[s], hits);
        }
        return hits;
    }
}
