package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A long-running feed that keeps updating a bounded set of documents must not make the index grow: posting and
 * vector blocks emptied by removals are reclaimed (the soak test found them piling up, one block per 128
 * updates of a frequent term, each read by every search of that term). After heavy churn the shard holds no
 * more blocks than a few beyond a fresh index of the same live documents, every document still points at the
 * blocks holding its postings and vector, and searches score exactly as on the fresh index.
 */
class ShardIndexChurnTest {
    private static final Bm25 BM25 = new Bm25(0.9, 0.4, true);
    private static final String[] WORDS = {"common", "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta",
        "kappa", "lambda", "sigma", "omega", "river", "stone", "cloud"};
    private static final int DIM = 4;

    private static KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> open(
            KeyedCoProcessOperator<Integer, IndexRequest, ShardQuery, ShardHits> op) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(op, r -> r.shard, q -> q.shard, Types.INT);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.open();
        return h;
    }

    private static IndexRequest upsert(String id, String text, Random r) {
        IndexRequest req = IndexAndSearchShardsTest.upsert(id, text, null);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = r.nextFloat();
        }
        req.dense = DenseCodec.FLOAT32.encode(v);
        return req;
    }

    private static String text(Random r) {
        StringBuilder sb = new StringBuilder("common");
        int n = 2 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.append(' ').append(WORDS[1 + r.nextInt(WORDS.length - 1)]);
        }
        return sb.toString();
    }

    @Test
    void churnKeepsBlocksBoundedDocumentsConsistentAndScoresExact() throws Exception {
        var churnOp = new KeyedCoProcessOperator<>(new IndexAndSearchShards(BM25, DenseCodec.FLOAT32, null, new Fusion("rrf", 60, 0.5)));
        var freshOp = new KeyedCoProcessOperator<>(new IndexAndSearchShards(BM25, DenseCodec.FLOAT32, null, new Fusion("rrf", 60, 0.5)));
        Random r = new Random(1);
        Map<String, String> live = new LinkedHashMap<>();
        try (var churned = open(churnOp); var fresh = open(freshOp)) {
            int ids = 150;
            long[] early = null;
            for (int i = 0; i < 18000; i++) {
                if (i == 6000) {
                    early = checkConsistent(churnOp, live.size());
                }
                String id = "d" + r.nextInt(ids);
                if (r.nextInt(10) == 0) {
                    churned.processElement1(IndexAndSearchShardsTest.delete(id, null), 0L);
                    live.remove(id);
                } else {
                    String text = text(r);
                    churned.processElement1(upsert(id, text, r), 0L);
                    live.remove(id);
                    live.put(id, text);
                }
            }
            Random r2 = new Random(2);
            for (Map.Entry<String, String> e : live.entrySet()) {
                fresh.processElement1(upsert(e.getKey(), e.getValue(), r2), 0L);
            }

            long[] churnedCounts = checkConsistent(churnOp, live.size());
            long[] freshCounts = checkConsistent(freshOp, live.size());
            System.out.printf("%d ids: after 6000 updates %d posting blocks, %d vector blocks; after 18000 updates %d, %d "
                    + "(a fresh index of the same %d documents: %d, %d)%n", ids, early[0], early[1], churnedCounts[0],
                    churnedCounts[1], live.size(), freshCounts[0], freshCounts[1]);
            // bounded by the live documents, not by the history (without reclaiming: about one more vector block per
            // 64 updates and one more posting block per 128 updates of a term)
            assertThat(churnedCounts[0]).isLessThanOrEqualTo(Math.max(early[0], freshCounts[0]) + WORDS.length);
            assertThat(churnedCounts[1]).isLessThanOrEqualTo(Math.max(early[1], freshCounts[1]) + 4);
            assertThat(churnedCounts[1]).isLessThanOrEqualTo(live.size());

            for (String query : List.of("common", "alpha beta", "river stone cloud omega", "kappa")) {
                assertThat(scores(churned, query)).as(query).isEqualTo(scores(fresh, query));
            }
        }
    }

    @Test
    void deletesWithoutVersionsLeaveNoTombstones() throws Exception {
        var op = new KeyedCoProcessOperator<>(new IndexAndSearchShards(BM25));
        try (var h = open(op)) {
            Random r = new Random(3);
            for (int i = 0; i < 500; i++) { // a feed of ever-new ids, each added and deleted without versions
                h.processElement1(IndexAndSearchShardsTest.upsert("n" + i, text(r), null), 0L);
                h.processElement1(IndexAndSearchShardsTest.delete("n" + i, null), 0L);
            }
            h.processElement1(IndexAndSearchShardsTest.upsert("v", "versioned glacier", 5L), 0L);
            h.processElement1(IndexAndSearchShardsTest.delete("v", null), 0L); // keeps the version it deletes
            h.processElement1(IndexAndSearchShardsTest.upsert("v", "stale glacier", 4L), 0L);
            KeyedStateBackend<Integer> backend = op.getKeyedStateBackend();
            backend.setCurrentKey(0);
            MapState<String, DocEntry> docs = state(backend, "docs", Types.STRING, TypeInformation.of(DocEntry.class));
            int entries = 0;
            for (Map.Entry<String, DocEntry> e : docs.entries()) {
                entries++;
                assertThat(e.getKey()).isEqualTo("v");
                assertThat(e.getValue().deleted).isTrue();
                assertThat(e.getValue().version).isEqualTo(5L);
            }
            assertThat(entries).as("entries left by 501 deletes").isEqualTo(1);
            assertThat(scores(h, "glacier")).isEmpty();
        }
    }

    /** Checks every live document's postings and vector are where its entry says; returns {posting blocks, vector blocks}. */
    private static long[] checkConsistent(KeyedCoProcessOperator<Integer, IndexRequest, ShardQuery, ShardHits> op,
            int liveDocs) throws Exception {
        KeyedStateBackend<Integer> backend = op.getKeyedStateBackend();
        backend.setCurrentKey(0);
        MapState<String, byte[]> blocks = state(backend, "posting-blocks", Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        MapState<Integer, byte[]> denseBlocks = state(backend, "dense-blocks", Types.INT,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        MapState<String, DocEntry> docs = state(backend, "docs", Types.STRING, TypeInformation.of(DocEntry.class));
        MapState<String, TermInfo> terms = state(backend, "terms", Types.STRING, TypeInformation.of(TermInfo.class));
        int live = 0;
        for (Map.Entry<String, DocEntry> e : docs.entries()) {
            DocEntry d = e.getValue();
            if (d.deleted) {
                continue;
            }
            live++;
            for (int i = 0; i < d.terms.length; i++) {
                byte[] b = blocks.get(PostingStore.blockKey(d.terms[i], d.blocks[i]));
                assertThat(b).as(e.getKey() + " term " + d.terms[i] + " block " + d.blocks[i]).isNotNull();
                PostingBlock pb = PostingBlock.decode(b);
                boolean found = false;
                for (int j = 0; j < pb.size() && !found; j++) {
                    found = pb.ordinal(j) == d.ordinal;
                }
                assertThat(found).as(e.getKey() + " posting of " + d.terms[i]).isTrue();
            }
            VectorBlock vb = VectorBlock.wrap(denseBlocks.get(d.denseBlock));
            boolean found = false;
            for (int j = 0; j < vb.size() && !found; j++) {
                found = vb.ordinal(j) == d.ordinal;
            }
            assertThat(found).as(e.getKey() + " vector").isTrue();
        }
        assertThat(live).isEqualTo(liveDocs);
        long postingBlocks = 0;
        MapState<String, byte[]> boundsState = state(backend, "posting-block-bounds", Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        for (Map.Entry<String, TermInfo> e : terms.entries()) {
            TermInfo info = e.getValue();
            assertThat(info.bounded).as(e.getKey() + " keeps block bounds").isTrue();
            BlockBounds bounds = BlockBounds.of(info, boundsState.get(e.getKey()));
            long postings = 0;
            for (int b = 0; b < info.blocks; b++) {
                byte[] bytes = blocks.get(PostingStore.blockKey(e.getKey(), b));
                assertThat(bytes).as(e.getKey() + " block " + b).isNotNull();
                PostingBlock block = PostingBlock.decode(bytes);
                for (int j = 0; j < block.size(); j++) { // every posting within its block's bounds
                    String where = e.getKey() + " block " + b + " posting " + block.ordinal(j);
                    assertThat(block.ordinal(j)).as(where + " range").isBetween(bounds.lo[b], bounds.hi[b]);
                    assertThat(block.freq(j)).as(where + " tf").isLessThanOrEqualTo(bounds.maxFreq[b]);
                    assertThat(BlockBounds.lengthPerFreq(block.length(j), block.freq(j))).as(where + " length per tf")
                            .isGreaterThanOrEqualTo(bounds.minLengthPerFreq[b]);
                }
                for (int other = 0; other < b; other++) { // a term's block ranges are disjoint
                    assertThat(bounds.hi[other] < bounds.lo[b] || bounds.hi[b] < bounds.lo[other])
                            .as(e.getKey() + " blocks " + other + " and " + b + " overlap").isTrue();
                }
                int size = block.size();
                postings += size;
                if (b == info.blocks - 1) {
                    assertThat(size).as(e.getKey() + " last block size").isEqualTo(info.lastBlockSize);
                } else {
                    assertThat(size).as(e.getKey() + " block " + b + " (not the last) is empty").isPositive();
                }
            }
            assertThat(postings).as(e.getKey() + " df").isEqualTo(info.docFreq);
        }
        for (Map.Entry<String, byte[]> e : blocks.entries()) {
            postingBlocks++;
        }
        long vectorBlocks = 0;
        int lastVectorBlock = -1;
        for (Map.Entry<Integer, byte[]> e : denseBlocks.entries()) {
            vectorBlocks++;
            lastVectorBlock = Math.max(lastVectorBlock, e.getKey());
        }
        for (Map.Entry<Integer, byte[]> e : denseBlocks.entries()) {
            if (e.getKey() != lastVectorBlock) {
                assertThat(VectorBlock.wrap(e.getValue()).size()).as("vector block " + e.getKey()).isPositive();
            }
        }
        assertThat(vectorBlocks).as("vector blocks numbered densely").isEqualTo(lastVectorBlock + 1);
        return new long[] {postingBlocks, vectorBlocks};
    }

    private static <K, V> MapState<K, V> state(KeyedStateBackend<Integer> backend, String name,
            TypeInformation<K> key, TypeInformation<V> value) throws Exception {
        return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>(name, key, value));
    }

    private static int queryNo;

    /** docId → local BM25 score of every match. */
    private static Map<String, Float> scores(
            KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> h, String text)
            throws Exception {
        TreeMap<String, Integer> counts = new TreeMap<>();
        Arrays.stream(text.split(" ")).forEach(t -> counts.merge(t, 1, Integer::sum));
        ShardQuery q = new ShardQuery();
        q.requestId = "q" + (++queryNo);
        q.queryId = q.requestId;
        q.shard = 0;
        q.shardCount = 1;
        q.op = QueryOp.SEARCH;
        q.mode = QueryMode.BM25;
        q.k = 1000;
        q.shardDepth = 1000;
        q.terms = counts.keySet().toArray(new String[0]);
        q.queryFreqs = counts.values().stream().mapToInt(Integer::intValue).toArray();
        h.processElement2(q, 0L);
        List<ShardHits> out = h.extractOutputValues();
        ShardHits hits = out.get(out.size() - 1);
        Map<String, Float> scores = new TreeMap<>();
        for (Candidate c : hits.candidates) {
            scores.put(c.docId, c.localScore);
        }
        assertThat(scores).hasSize((int) hits.matched);
        return scores;
    }
}
