package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.analysis.TermVector;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shard index on the RocksDB backend through Flink's operator test harness. */
class IndexAndSearchShardsTest {
    private static final TextAnalyzer ANALYZER = new TextAnalyzer(new AnalyzerOptions());
    private static final Bm25 BM25 = new Bm25(0.9, 0.4, true);

    private KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> harness;

    private static KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> newHarness()
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new IndexAndSearchShards(BM25)),
                r -> r.shard, q -> q.shard, Types.INT);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static IndexRequest upsert(String id, String text, Long version) {
        TermVector tv = ANALYZER.termVector(text);
        IndexRequest r = new IndexRequest();
        r.shard = 0;
        r.docId = id;
        r.op = DocumentOp.UPSERT;
        r.version = version;
        r.title = "title of " + id;
        r.text = text;
        r.terms = tv.terms;
        r.freqs = tv.freqs;
        r.length = tv.length;
        return r;
    }

    static IndexRequest delete(String id, Long version) {
        IndexRequest r = new IndexRequest();
        r.shard = 0;
        r.docId = id;
        r.op = DocumentOp.DELETE;
        r.version = version;
        return r;
    }

    private int queries;

    private ShardHits search(String text, int depth) throws Exception {
        TreeMap<String, Integer> counts = new TreeMap<>();
        ANALYZER.tokens(text).forEach(t -> counts.merge(t, 1, Integer::sum));
        ShardQuery q = new ShardQuery();
        q.requestId = "r" + (++queries);
        q.queryId = q.requestId;
        q.shard = 0;
        q.shardCount = 1;
        q.op = QueryOp.SEARCH;
        q.mode = QueryMode.BM25;
        q.k = depth;
        q.shardDepth = depth;
        q.terms = counts.keySet().toArray(new String[0]);
        q.queryFreqs = counts.values().stream().mapToInt(Integer::intValue).toArray();
        int before = harness.extractOutputValues().size();
        harness.processElement2(q, 0L);
        List<ShardHits> out = harness.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return out.get(out.size() - 1);
    }

    private ShardCounters stats() throws Exception {
        ShardQuery q = new ShardQuery();
        q.requestId = "stats" + (++queries);
        q.queryId = q.requestId;
        q.shard = 0;
        q.shardCount = 1;
        q.op = QueryOp.STATS;
        harness.processElement2(q, 0L);
        List<ShardHits> out = harness.extractOutputValues();
        return out.get(out.size() - 1).counters;
    }

    private static List<String> ids(ShardHits h) {
        return Arrays.stream(h.candidates)
                .sorted((a, b) -> Float.compare(b.localScore, a.localScore))
                .map(c -> c.docId).toList();
    }

    @Test
    void indexesAndRanksByBm25() throws Exception {
        harness.processElement1(upsert("a", "streaming retrieval with kafka and flink", null), 0L);
        harness.processElement1(upsert("b", "kafka kafka kafka brokers store records", null), 0L);
        harness.processElement1(upsert("c", "an unrelated note about cooking pasta", null), 0L);

        ShardHits hits = search("kafka", 10);
        // b has three occurrences of kafka in a similar length: it must outrank a; c does not match.
        assertThat(ids(hits)).containsExactly("b", "a");
        assertThat(hits.matched).isEqualTo(2);
        assertThat(hits.docCount).isEqualTo(3);
        assertThat(hits.docFreqs).containsExactly(2L);
        Candidate b = Arrays.stream(hits.candidates).filter(c -> c.docId.equals("b")).findFirst().orElseThrow();
        assertThat(b.termFreqs).containsExactly(3);
        assertThat(b.title).isEqualTo("title of b");
        assertThat(stats().postings).isEqualTo(
                ANALYZER.termVector("streaming retrieval with kafka and flink").terms.length
                        + ANALYZER.termVector("kafka kafka kafka brokers store records").terms.length
                        + ANALYZER.termVector("an unrelated note about cooking pasta").terms.length);
    }

    @Test
    void upsertReplacesOldPostings() throws Exception {
        harness.processElement1(upsert("a", "the first version talks about rivers", 1L), 0L);
        harness.processElement1(upsert("a", "the second version talks about mountains", 2L), 0L);
        assertThat(search("rivers", 10).candidates).isEmpty();
        assertThat(ids(search("mountains", 10))).containsExactly("a");
        ShardCounters c = stats();
        assertThat(c.docCount).isEqualTo(1);
        assertThat(c.upsertsApplied).isEqualTo(2);
        assertThat(c.terms).isEqualTo(ANALYZER.termVector("the second version talks about mountains").terms.length);
    }

    @Test
    void deleteRemovesAndStaleVersionsAreIgnored() throws Exception {
        harness.processElement1(upsert("a", "glaciers move slowly", 5L), 0L);
        harness.processElement1(upsert("a", "an older text about deserts", 4L), 0L); // stale
        assertThat(search("deserts", 10).candidates).isEmpty();
        assertThat(ids(search("glaciers", 10))).containsExactly("a");

        harness.processElement1(delete("a", 6L), 0L);
        assertThat(search("glaciers", 10).candidates).isEmpty();
        // a late upsert older than the delete must not resurrect the document
        harness.processElement1(upsert("a", "glaciers again", 5L), 0L);
        assertThat(search("glaciers", 10).candidates).isEmpty();
        ShardCounters c = stats();
        assertThat(c.docCount).isZero();
        assertThat(c.staleIgnored).isEqualTo(2);
        assertThat(c.tombstones).isEqualTo(1);
        assertThat(c.postings).isZero();
        assertThat(c.terms).isZero();
        // a newer upsert brings it back
        harness.processElement1(upsert("a", "glaciers return", 7L), 0L);
        assertThat(ids(search("glaciers", 10))).containsExactly("a");
        assertThat(stats().tombstones).isZero();
    }

    @Test
    void postingListsSpanBlocksAndSurviveRemovalFromTheMiddle() throws Exception {
        int n = PostingBlock.CAPACITY * 2 + 17;
        for (int i = 0; i < n; i++) {
            harness.processElement1(upsert("d" + i, "common word number" + i, null), 0L);
        }
        assertThat(search("common", n + 10).candidates).hasSize(n);
        for (int i = 0; i < n; i += 3) {
            harness.processElement1(delete("d" + i, null), 0L);
        }
        ShardHits hits = search("common", n + 10);
        int expected = n - (n + 2) / 3;
        assertThat(hits.candidates).hasSize(expected);
        assertThat(hits.docFreqs).containsExactly((long) expected);
        assertThat(ids(hits)).doesNotContain("d0", "d3", "d129", "d255").contains("d1", "d130", "d256");
        // appending after removals goes on in the last block
        harness.processElement1(upsert("late", "common late arrival", null), 0L);
        assertThat(search("common", n + 10).candidates).hasSize(expected + 1);
        assertThat(ids(search("late", 5))).containsExactly("late");
    }

    @Test
    void restoresFromSnapshot() throws Exception {
        harness.processElement1(upsert("a", "checkpoints make state durable", 1L), 0L);
        harness.processElement1(upsert("b", "savepoints are durable checkpoints", 1L), 0L);
        harness.processElement1(delete("b", 2L), 0L);
        List<String> before = ids(search("durable checkpoints", 10));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        assertThat(ids(search("durable checkpoints", 10))).isEqualTo(before).containsExactly("a");
        // the restored tombstone still blocks an older version
        harness.processElement1(upsert("b", "savepoints are durable checkpoints", 1L), 0L);
        assertThat(ids(search("savepoints", 10))).isEmpty();
        ShardCounters c = stats();
        assertThat(c.docCount).isEqualTo(1);
        assertThat(c.nextOrdinal).isEqualTo(2);
    }

    @Test
    void shardDepthLimitsCandidatesToTheBest() throws Exception {
        harness.processElement1(upsert("one", "apple", null), 0L);
        harness.processElement1(upsert("two", "apple apple", null), 0L);
        harness.processElement1(upsert("three", "apple apple apple", null), 0L);
        assertThat(ids(search("apple", 2))).containsExactly("three", "two");
    }
}
