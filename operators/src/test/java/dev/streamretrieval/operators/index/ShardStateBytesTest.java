package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.QueryOp;
import java.util.List;
import java.util.Map;
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
 * {@link ShardCounters#postingBytes} and {@link ShardCounters#storeBytes} stay exact: after appends across blocks,
 * replacements, deletes and terms that disappear, they equal what the RocksDB state actually holds.
 */
class ShardStateBytesTest {

    @Test
    void stateByteCountersEqualTheStateContents() throws Exception {
        var op = new KeyedCoProcessOperator<>(new IndexAndSearchShards(new Bm25(0.9, 0.4, true)));
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits>(
                op, r -> r.shard, q -> q.shard, Types.INT)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            int n = PostingBlock.CAPACITY * 2 + 9;
            for (int i = 0; i < n; i++) {
                h.processElement1(IndexAndSearchShardsTest.upsert("d" + i,
                        "common words and a rare unique" + i + (i % 7 == 0 ? " sevenfold" : ""), null), 0L);
            }
            assertExact(h, op);
            for (int i = 0; i < n; i += 3) { // removals from first, middle and last blocks
                h.processElement1(IndexAndSearchShardsTest.delete("d" + i, null), 0L);
            }
            for (int i = 1; i < n; i += 5) { // replacements with other text (and non-ASCII bytes)
                h.processElement1(IndexAndSearchShardsTest.upsert("d" + i, "common zürich café " + i, null), 0L);
            }
            assertExact(h, op);
            for (int i = 0; i < n; i++) { // everything gone: terms and blocks removed
                h.processElement1(IndexAndSearchShardsTest.delete("d" + i, null), 0L);
            }
            ShardCounters c = assertExact(h, op);
            assertThat(c.postingBytes).isZero();
            assertThat(c.storeBytes).isZero();
        }
    }

    private static ShardCounters assertExact(
            KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> h,
            KeyedCoProcessOperator<Integer, IndexRequest, ShardQuery, ShardHits> op) throws Exception {
        ShardQuery q = new ShardQuery();
        q.requestId = "stats";
        q.queryId = "stats";
        q.shard = 0;
        q.shardCount = 1;
        q.op = QueryOp.STATS;
        h.processElement2(q, 0L);
        List<ShardHits> out = h.extractOutputValues();
        ShardCounters c = out.get(out.size() - 1).counters;

        KeyedStateBackend<Integer> backend = op.getKeyedStateBackend();
        backend.setCurrentKey(0);
        MapState<String, byte[]> blocks = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, new MapStateDescriptor<>("posting-blocks", Types.STRING,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        MapState<Long, StoredDocument> store = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, new MapStateDescriptor<>("document-store", Types.LONG,
                        TypeInformation.of(StoredDocument.class)));
        MapState<String, byte[]> bounds = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, new MapStateDescriptor<>("posting-block-bounds", Types.STRING,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        long postingBytes = 0;
        for (Map.Entry<String, byte[]> e : blocks.entries()) {
            postingBytes += e.getValue().length;
        }
        for (Map.Entry<String, byte[]> e : bounds.entries()) {
            postingBytes += e.getValue().length;
        }
        long storeBytes = 0;
        for (Map.Entry<Long, StoredDocument> e : store.entries()) {
            storeBytes += DocumentStore.storedBytes(e.getValue());
        }
        assertThat(c.postingBytes).as("postingBytes").isEqualTo(postingBytes);
        assertThat(c.storeBytes).as("storeBytes").isEqualTo(storeBytes);
        return c;
    }
}
