package dev.streamretrieval.operators.gather;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.index.ShardCounters;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GatherFunctionTest {
    private static final Bm25 BM25 = new Bm25(0.9, 0.4, false);
    private KeyedOneInputStreamOperatorTestHarness<String, ShardHits, GatheredResult> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GatherFunction(BM25, new GatherOptions(1000, 5000))),
                h -> h.requestId, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static Candidate candidate(String id, int length, int... freqs) {
        Candidate c = new Candidate();
        c.docId = id;
        c.length = length;
        c.termFreqs = freqs;
        return c;
    }

    static ShardHits shard(String request, int shard, int shards, long docs, long totalLength, long[] dfs,
            Candidate... cands) {
        ShardHits h = new ShardHits();
        h.requestId = request;
        h.queryId = "q-" + request;
        h.shard = shard;
        h.shardCount = shards;
        h.op = QueryOp.SEARCH;
        h.mode = QueryMode.BM25;
        h.k = 2;
        h.terms = new String[] {"rare", "common"};
        h.queryFreqs = new int[] {1, 1};
        h.docCount = docs;
        h.totalLength = totalLength;
        h.docFreqs = dfs;
        h.matched = cands.length;
        h.candidates = cands;
        return h;
    }

    @Test
    void rescoresWithCollectionWideStatistics() throws Exception {
        // Shard 0 holds many documents with "rare"; shard 1 holds one. Locally "rare" looks common in shard 0
        // and rare in shard 1; globally df(rare) = 11 of N = 120.
        harness.processElement(shard("r1", 0, 2, 100, 1000, new long[] {10, 50},
                candidate("x", 10, 1, 0), candidate("y", 10, 0, 3)), 0L);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(shard("r1", 1, 2, 20, 200, new long[] {1, 5},
                candidate("z", 10, 1, 0)), 0L);

        assertThat(harness.extractOutputValues()).hasSize(1);
        SearchResult r = harness.extractOutputValues().get(0).result;
        assertThat(r.partial).isFalse();
        assertThat(r.shardsAnswered).isEqualTo(2);
        assertThat(r.totalMatched).isEqualTo(3);
        float avgdl = 1200f / 120f;
        float idfRare = Bm25.idf(11, 120);
        float idfCommon = Bm25.idf(55, 120);
        double x = BM25.termScore(idfRare, 1, 10, avgdl);
        double y = BM25.termScore(idfCommon, 3, 10, avgdl);
        // x and z have identical global scores (same tf, length and global idf); y has the lowest.
        assertThat(x).isGreaterThan(y);
        assertThat(r.hits).hasSize(2);
        assertThat(r.hits.get(0).docId).isEqualTo("x"); // tie with z broken by id
        assertThat(r.hits.get(1).docId).isEqualTo("z");
        assertThat(r.hits.get(0).score).isCloseTo(x, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.hits.get(0).scores).containsKey("bm25");
        assertThat(r.hits.get(0).rank).isEqualTo(1);
    }

    @Test
    void answersPartiallyAfterTheTimeoutAndOnlyOnce() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement(shard("r2", 0, 3, 10, 100, new long[] {1, 1}, candidate("a", 10, 1, 1)), 0L);
        harness.processElement(shard("r2", 1, 3, 10, 100, new long[] {0, 1}, candidate("b", 10, 0, 1)), 0L);
        // a duplicate answer from shard 1 (replay) is not counted twice
        harness.processElement(shard("r2", 1, 3, 10, 100, new long[] {0, 1}, candidate("b", 10, 0, 1)), 0L);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(1000);
        assertThat(harness.extractOutputValues()).hasSize(1);
        SearchResult r = harness.extractOutputValues().get(0).result;
        assertThat(r.partial).isTrue();
        assertThat(r.shardsAnswered).isEqualTo(2);
        assertThat(r.shardsExpected).isEqualTo(3);
        assertThat(r.hits).extracting(h -> h.docId).containsExactly("a", "b");
        // the late shard does not produce a second answer
        harness.processElement(shard("r2", 2, 3, 10, 100, new long[] {1, 1}, candidate("c", 10, 1, 1)), 0L);
        harness.setProcessingTime(10_000);
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void sumsStatisticsForStatsQueries() throws Exception {
        for (int s = 0; s < 2; s++) {
            ShardHits h = shard("r3", s, 2, 0, 0, new long[0]);
            h.op = QueryOp.STATS;
            h.terms = new String[0];
            h.counters = new ShardCounters();
            h.counters.docCount = 5 + s;
            h.counters.postings = 50;
            harness.processElement(h, 0L);
        }
        SearchResult r = harness.extractOutputValues().get(0).result;
        assertThat(r.indexStats.documents).isEqualTo(11);
        assertThat(r.indexStats.postings).isEqualTo(100);
        assertThat(r.indexStats.documentsPerShard).containsEntry(0, 5L).containsEntry(1, 6L);
    }
}
