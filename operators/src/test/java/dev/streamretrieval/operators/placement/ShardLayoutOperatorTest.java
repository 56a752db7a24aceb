package dev.streamretrieval.operators.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * Snapshots of the old layout (state keyed by shard id, no layout marker), of another shard count and of the same
 * layout, restored into the shard operator on RocksDB: only the same layout is accepted, also after rescaling.
 */
class ShardLayoutOperatorTest {
    private static final int MAX_PARALLELISM = 128;

    /** A shard's keyed state in miniature: how many documents reached the key; a query answers that count. */
    static class CountPerKey extends KeyedCoProcessFunction<Integer, Integer, Integer, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("documents", Types.LONG));
        }

        @Override
        public void processElement1(Integer shard, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
        }

        @Override
        public void processElement2(Integer shard, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            out.collect(c == null ? 0 : c);
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<Integer, Integer, Integer, Long> harness(
            TwoInputStreamOperator<Integer, Integer, Long> operator, KeySelector<Integer, Integer> key,
            int parallelism, int subtask) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(operator, key, key, Types.INT, MAX_PARALLELISM,
                parallelism, subtask);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    /** Indexes {@code docs} documents per shard (shard s keyed by {@code key}), then snapshots. */
    private static OperatorSubtaskState snapshotAfterIndexing(TwoInputStreamOperator<Integer, Integer, Long> operator,
            KeySelector<Integer, Integer> key, int shards, int docs) throws Exception {
        try (var h = harness(operator, key, 1, 0)) {
            h.open();
            for (int d = 0; d < docs; d++) {
                for (int s = 0; s < shards; s++) {
                    h.processElement1(s, d);
                }
            }
            return h.snapshot(1L, 1L);
        }
    }

    @Test
    void refusesASnapshotOfTheOldLayoutWithAClearMessage() throws Exception {
        // the old job: shards keyed by their id, the plain operator (no layout marker in its state)
        OperatorSubtaskState old = snapshotAfterIndexing(new KeyedCoProcessOperator<>(new CountPerKey()), s -> s, 8, 3);
        ShardPlacement placement = new ShardPlacement(8, MAX_PARALLELISM);
        try (var h = harness(new ShardLayoutOperator<>(new CountPerKey(), placement), placement::routingKey, 1, 0)) {
            assertThatThrownBy(() -> h.initializeState(old))
                    .isInstanceOf(SuppressRestartsException.class)
                    .rootCause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("holds shard state of the old shard layout")
                    .hasMessageContaining("balanced-v1 shards=8 max-parallelism=128")
                    .hasMessageContaining("re-indexes the compacted documents topic");
        }
    }

    @Test
    void refusesAnotherShardCount() throws Exception {
        ShardPlacement four = new ShardPlacement(4, MAX_PARALLELISM);
        OperatorSubtaskState snapshot = snapshotAfterIndexing(new ShardLayoutOperator<>(new CountPerKey(), four),
                four::routingKey, 4, 2);
        ShardPlacement eight = new ShardPlacement(8, MAX_PARALLELISM);
        try (var h = harness(new ShardLayoutOperator<>(new CountPerKey(), eight), eight::routingKey, 1, 0)) {
            assertThatThrownBy(() -> h.initializeState(snapshot))
                    .rootCause()
                    .hasMessageContaining("written with shard layout [balanced-v1 shards=4 max-parallelism=128]")
                    .hasMessageContaining("this job uses balanced-v1 shards=8");
        }
    }

    @Test
    void restoresTheSameLayoutAlsoRescaledOneToTwoToOne() throws Exception {
        ShardPlacement placement = new ShardPlacement(8, MAX_PARALLELISM);
        KeySelector<Integer, Integer> key = placement::routingKey;
        OperatorSubtaskState one = snapshotAfterIndexing(new ShardLayoutOperator<>(new CountPerKey(), placement), key, 8, 5);

        // 1 -> 2: each subtask gets its key groups' shards and the marker (union state)
        OperatorSubtaskState[] two = new OperatorSubtaskState[2];
        long answered = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part = AbstractStreamOperatorTestHarness.repartitionOperatorState(one, MAX_PARALLELISM,
                    1, 2, subtask);
            try (var h = harness(new ShardLayoutOperator<>(new CountPerKey(), placement), key, 2, subtask)) {
                h.initializeState(part);
                h.open();
                for (int s = 0; s < 8; s++) {
                    if (placement.subtaskOf(s, 2) == subtask) {
                        h.processElement2(s, 100);
                        answered++;
                    }
                }
                assertThat(h.extractOutputValues()).as("subtask " + subtask).hasSize(4).containsOnly(5L);
                two[subtask] = h.snapshot(2L, 2L);
            }
        }
        assertThat(answered).isEqualTo(8);

        // 2 -> 1
        OperatorSubtaskState merged = AbstractStreamOperatorTestHarness.repackageState(two);
        OperatorSubtaskState back = AbstractStreamOperatorTestHarness.repartitionOperatorState(merged, MAX_PARALLELISM,
                2, 1, 0);
        try (var h = harness(new ShardLayoutOperator<>(new CountPerKey(), placement), key, 1, 0)) {
            h.initializeState(back);
            h.open();
            for (int s = 0; s < 8; s++) {
                h.processElement2(s, 200);
            }
            assertThat(h.extractOutputValues()).hasSize(8).containsOnly(5L);
        }
    }

    @Test
    void aFreshStartNeedsNoMarker() throws Exception {
        ShardPlacement placement = new ShardPlacement(2, MAX_PARALLELISM);
        try (var h = harness(new ShardLayoutOperator<>(new CountPerKey(), placement), placement::routingKey, 1, 0)) {
            h.open();
            h.processElement1(1, 1);
            h.processElement2(1, 2);
            assertThat(h.extractOutputValues()).containsExactly(1L);
        }
    }

}
