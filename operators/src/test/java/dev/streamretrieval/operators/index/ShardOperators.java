package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * The shard operator at one parallelism, each subtask in a keyed operator harness on RocksDB: which subtask owns a
 * shard (Flink's key-group assignment), writes and queries routed to it, and checkpoint → restore at any
 * parallelism (rescaling). What the checkpoint/restore/rescale tests of the stores share.
 */
final class ShardOperators {
    static final int MAX_PARALLELISM = 128;

    private final Supplier<IndexAndSearchShards> function;
    private final List<KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits>> subtasks;

    private ShardOperators(Supplier<IndexAndSearchShards> function,
            List<KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits>> subtasks) {
        this.function = function;
        this.subtasks = subtasks;
    }

    /** One operator (parallelism 1) with empty state. */
    static ShardOperators start(Supplier<IndexAndSearchShards> function) throws Exception {
        return new ShardOperators(function, List.of(harness(function, 1, 0, null)));
    }

    /** Subtask {@code subtask} of {@code parallelism}, restored from {@code restore} when not null, opened. */
    static KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> harness(
            Supplier<IndexAndSearchShards> function, int parallelism, int subtask, OperatorSubtaskState restore)
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(function.get()),
                (IndexRequest r) -> r.shard, (ShardQuery q) -> q.shard, Types.INT, MAX_PARALLELISM, parallelism,
                subtask);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> owner(int shard) {
        return subtasks.get(KeyGroupRangeAssignment.assignKeyToParallelOperator(shard, MAX_PARALLELISM,
                subtasks.size()));
    }

    void write(List<IndexRequest> writes) throws Exception {
        for (IndexRequest r : writes) {
            owner(r.shard).processElement1(r, 0L);
        }
    }

    /** The answer of the query's shard (exactly one). */
    ShardHits ask(ShardQuery q) throws Exception {
        var h = owner(q.shard);
        int before = h.extractOutputValues().size();
        h.processElement2(q, 0L);
        List<ShardHits> hits = h.extractOutputValues();
        assertThat(hits).hasSize(before + 1);
        return hits.get(hits.size() - 1);
    }

    List<OperatorSubtaskState> snapshot(long checkpoint) throws Exception {
        List<OperatorSubtaskState> out = new ArrayList<>();
        for (var h : subtasks) {
            out.add(h.snapshot(checkpoint, checkpoint));
        }
        return out;
    }

    /** Checkpoint {@code checkpoint} of these operators (closed) redistributed over {@code parallelism} new ones. */
    ShardOperators restore(long checkpoint, int parallelism) throws Exception {
        OperatorSubtaskState all = AbstractStreamOperatorTestHarness.repackageState(
                snapshot(checkpoint).toArray(new OperatorSubtaskState[0]));
        close();
        List<KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits>> restored =
                new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            restored.add(harness(function, parallelism, i, AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    all, MAX_PARALLELISM, subtasks.size(), parallelism, i)));
        }
        return new ShardOperators(function, restored);
    }

    void close() throws Exception {
        for (var h : subtasks) {
            h.close();
        }
    }
}
