package dev.streamretrieval.operators.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;

/**
 * The shard operator, with its {@link ShardPlacement#marker() layout} kept in its state, so that a job never
 * silently mixes layouts: state keyed the old way (by shard id) or by another shard count would be restored under
 * keys no document or query is routed to any more, and the index would look empty while the sources resume from
 * the restored offsets.
 *
 * <p>The marker is union operator state, written by every subtask, so every subtask sees it after any rescale.
 * Flink restores a subtask ({@code isRestored()}) only when the checkpoint holds state for it, which for this
 * operator means shard state or the marker: restored without the marker is therefore state of the old layout (it
 * had none), restored with another marker is another layout. Either fails the job without restarts (a restart
 * would restore the same state again) and with a message saying how to move.
 */
public class ShardLayoutOperator<K, IN1, IN2, OUT> extends KeyedCoProcessOperator<K, IN1, IN2, OUT> {
    private static final long serialVersionUID = 1L;

    private final String marker;

    public ShardLayoutOperator(KeyedCoProcessFunction<K, IN1, IN2, OUT> function, ShardPlacement placement) {
        super(function);
        this.marker = placement.marker();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        ListState<String> layout = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("shard-layout", Types.STRING));
        if (context.isRestored()) {
            List<String> restored = new ArrayList<>();
            layout.get().forEach(restored::add);
            String problem = check(new TreeSet<>(restored), marker);
            if (problem != null) {
                throw new SuppressRestartsException(new IllegalStateException(problem));
            }
        }
        layout.update(List.of(marker));
    }

    /** Null when state with these markers may be restored into {@code expected}; otherwise why not. */
    static String check(TreeSet<String> restored, String expected) {
        String move = " Start this job without the savepoint/checkpoint (and with a new --group-id or the documents "
                + "source reset to the earliest offset) so that it re-indexes the compacted documents topic, then switch "
                + "queries to it; see the README, Architecture, 'Old layout'.";
        if (restored.isEmpty()) {
            return "The savepoint/checkpoint holds shard state of the old shard layout (shards keyed by their id, "
                    + "piling up on a few subtasks); this job uses the balanced layout (" + expected + ") and cannot "
                    + "read it without losing documents." + move;
        }
        if (restored.size() > 1 || !restored.first().equals(expected)) {
            return "The savepoint/checkpoint was written with shard layout " + restored + "; this job uses " + expected
                    + ". The shard count and the max parallelism cannot change through a savepoint (documents would "
                    + "stay in shards no query reaches)." + move;
        }
        return null;
    }
}
