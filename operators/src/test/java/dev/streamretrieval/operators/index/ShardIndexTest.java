package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The shard index as a plain class over heap storage: no Flink involved. */
class ShardIndexTest {
    private static final Bm25 BM25 = new Bm25(0.9, 0.4, true);

    private static IndexRequest doc(String id, String text, float... dense) {
        IndexRequest r = IndexAndSearchShardsTest.upsert(id, text, null);
        if (dense.length > 0) {
            r.dense = DenseCodec.FLOAT32.encode(dense);
            r.tokens = TokenCodec.FLOAT16.encode(new float[][] {dense});
        }
        return r;
    }

    private static ShardQuery query(QueryMode mode, String text, float... dense) {
        TreeMap<String, Integer> counts = new TreeMap<>();
        Arrays.stream(text.split(" ")).filter(s -> !s.isEmpty()).forEach(t -> counts.merge(t, 1, Integer::sum));
        ShardQuery q = new ShardQuery();
        q.requestId = "r";
        q.op = QueryOp.SEARCH;
        q.mode = mode;
        q.k = 10;
        q.shardDepth = 10;
        q.bm25Depth = 10;
        q.denseDepth = 10;
        q.maxSimDepth = 10;
        q.terms = counts.keySet().toArray(new String[0]);
        q.queryFreqs = counts.values().stream().mapToInt(Integer::intValue).toArray();
        if (dense.length > 0) {
            q.denseVector = dense;
            q.tokenVectors = new float[][] {dense};
        }
        return q;
    }

    private static ShardHits search(ShardIndex index, ShardCounters c, ShardQuery q) {
        ShardHits hits = new ShardHits();
        index.search(0, q, c, hits);
        return hits;
    }

    private static Map<String, Candidate> byId(ShardHits h) {
        return Arrays.stream(h.candidates).collect(Collectors.toMap(c -> c.docId, c -> c));
    }

    @Test
    void denseSearchRanksByDotProductWithTiesByOrdinal() {
        ShardIndex index = new ShardIndex(ShardIndex.Storage.onHeap(), BM25, DenseCodec.FLOAT32, null,
                new Fusion("rrf", 60, 0.5));
        ShardCounters c = new ShardCounters();
        index.apply(0, doc("far", "x", 0f, 1f), c);
        index.apply(0, doc("tie2", "x", 0.6f, 0.8f), c);
        index.apply(0, doc("near", "x", 1f, 0f), c);
        index.apply(0, doc("tie1", "x", 0.6f, 0.8f), c); // same vector, later ordinal
        ShardQuery q = query(QueryMode.DENSE, "", 1f, 0f);
        q.shardDepth = 3;
        ShardHits hits = search(index, c, q);
        assertThat(Arrays.stream(hits.candidates).map(x -> x.docId)).containsExactly("near", "tie2", "tie1");
        assertThat(hits.candidates[0].denseScore).isEqualTo(1f);
        assertThat(hits.candidates[1].denseScore).isEqualTo(0.6f);
        assertThat(hits.matched).isEqualTo(4);
        // a replaced vector is no longer found; the new one is, after "far" (same score, smaller ordinal)
        index.apply(0, doc("near", "x", 0f, -1f), c);
        q.shardDepth = 4;
        hits = search(index, c, q);
        assertThat(Arrays.stream(hits.candidates).map(x -> x.docId)).containsExactly("tie2", "tie1", "far", "near");
    }

    @Test
    void hybridMarksListsAndScoresEveryCandidateByBoth() {
        ShardIndex index = new ShardIndex(ShardIndex.Storage.onHeap(), BM25, DenseCodec.FLOAT32, null,
                new Fusion("rrf", 60, 0.5));
        ShardCounters c = new ShardCounters();
        index.apply(0, doc("lexical", "kafka kafka streams", 0f, 1f), c);
        index.apply(0, doc("semantic", "event logs", 1f, 0f), c);
        index.apply(0, doc("both", "kafka logs", 0.9f, 0.1f), c);
        ShardQuery q = query(QueryMode.HYBRID, "kafka", 1f, 0f);
        q.bm25Depth = 2;
        q.denseDepth = 2;
        Map<String, Candidate> hits = byId(search(index, c, q));
        assertThat(hits).containsOnlyKeys("lexical", "semantic", "both");
        assertThat(hits.get("lexical").inBm25List).isTrue();
        assertThat(hits.get("lexical").inDenseList).isFalse();
        assertThat(hits.get("lexical").denseScore).isEqualTo(0f); // scored by the dense index although not in its list
        assertThat(hits.get("semantic").inBm25List).isFalse();
        assertThat(hits.get("semantic").inDenseList).isTrue();
        assertThat(hits.get("semantic").localScore).isZero();
        assertThat(hits.get("both").inBm25List).isTrue();
        assertThat(hits.get("both").inDenseList).isTrue();
        assertThat(hits.get("both").termFreqs).containsExactly(1);
    }

    /**
     * colbert mode needs no BM25 or dense match: a document whose words share nothing with the query is found by its
     * token vectors, before the shard's codebook is trained (float16, scored exactly) and after (centroid lists).
     */
    @Test
    void colbertModeFindsDocumentsByTheirTokenVectorsAlone() {
        ShardIndex index = new ShardIndex(ShardIndex.Storage.onHeap(), BM25, null, TokenCodec.RESIDUAL2,
                new Fusion("rrf", 60, 0.5));
        ShardCounters c = new ShardCounters();
        java.util.Random r = new java.util.Random(1);
        float[][][] tokens = new float[400][][];
        for (int d = 0; d < tokens.length; d++) {
            tokens[d] = dev.streamretrieval.operators.vectors.MaxSimWorkload.randomUnitVectors(r, 25, 16);
            IndexRequest req = IndexAndSearchShardsTest.upsert("d" + d, "words " + d, null);
            req.tokens = TokenCodec.FLOAT16.encode(tokens[d]);
            index.apply(0, req, c);
            if (d == 100 || d == tokens.length - 1) { // 2,525 tokens: pending; 10,000: trained on the first 8,192
                ShardQuery q = query(QueryMode.COLBERT, "nothing in common");
                q.tokenVectors = java.util.Arrays.copyOf(tokens[d / 2], 6);
                q.colbertNprobe = 2;
                q.colbertCandidates = 20;
                ShardHits hits = search(index, c, q);
                assertThat(hits.candidates).hasSize(10);
                assertThat(hits.candidates[0].docId).as("after %d documents", d + 1).isEqualTo("d" + d / 2);
                assertThat(hits.candidates[0].maxSimScore).isGreaterThan(hits.candidates[1].maxSimScore);
            }
        }
        assertThat(c.tokenBytes).isEqualTo(400L * (8 + 25 * TokenCodec.RESIDUAL2.bytesPerToken(16)));
    }

    /**
     * In full mode the shard scores only its best maxSimDepth candidates with MaxSim, chosen by the query's
     * fusion with the job's parameters (it used to apply RRF with k = 60 whatever the options said).
     */
    @Test
    void fullModeChoosesMaxSimCandidatesWithTheConfiguredFusion() {
        // "lexical" is first by BM25 and last by dense; "semantic" first by dense, second by BM25.
        ShardIndex index = new ShardIndex(ShardIndex.Storage.onHeap(), BM25, DenseCodec.FLOAT32, TokenCodec.FLOAT16,
                new Fusion("rrf", 60, 0.95));
        ShardCounters c = new ShardCounters();
        index.apply(0, doc("lexical", "kafka kafka kafka", 0f, 1f), c);
        index.apply(0, doc("semantic", "kafka and many other words here", 1f, 0f), c);
        index.apply(0, doc("middle", "some kafka text with words and more words", 0.7f, 0.7f), c);
        ShardQuery q = query(QueryMode.FULL, "kafka", 1f, 0f);
        q.maxSimDepth = 1;
        assertThat(maxSimScored(search(index, c, q))).containsExactly("semantic"); // RRF: 2nd + 1st beats 1st + 3rd
        q.fusion = "linear"; // weight 0.95 on normalised BM25: the BM25 leader wins
        assertThat(maxSimScored(search(index, c, q))).containsExactly("lexical");
        ShardHits hits = search(index, c, q);
        Candidate lexical = byId(hits).get("lexical");
        assertThat(lexical.maxSimScore).isEqualTo(0f);
        assertThat(lexical.passage).contains("kafka kafka kafka");
        assertThat(hits.maxSimMillis).isPositive();
    }

    private static List<String> maxSimScored(ShardHits h) {
        return Arrays.stream(h.candidates).filter(x -> !Float.isNaN(x.maxSimScore)).map(x -> x.docId).toList();
    }

    @Test
    void countersFollowUpsertsDeletesAndStaleVersions() {
        ShardIndex index = new ShardIndex(ShardIndex.Storage.onHeap(), BM25, null, null, new Fusion("rrf", 60, 0.5));
        ShardCounters c = new ShardCounters();
        assertThat(index.apply(0, IndexAndSearchShardsTest.upsert("a", "one two", 3L), c)).isEqualTo(ShardIndex.Outcome.UPSERTED);
        assertThat(index.apply(0, IndexAndSearchShardsTest.upsert("a", "three", 2L), c)).isEqualTo(ShardIndex.Outcome.STALE_IGNORED);
        assertThat(index.apply(0, IndexAndSearchShardsTest.delete("b", null), c)).isEqualTo(ShardIndex.Outcome.NOTHING_TO_DELETE);
        assertThat(index.apply(0, IndexAndSearchShardsTest.delete("a", 4L), c)).isEqualTo(ShardIndex.Outcome.DELETED);
        assertThat(c.docCount).isZero();
        assertThat(c.tombstones).isEqualTo(1);
        assertThat(c.staleIgnored).isEqualTo(1);
        assertThat(c.postings).isZero();
        assertThat(c.postingBytes).isZero();
        assertThat(c.storeBytes).isZero();
    }
}
