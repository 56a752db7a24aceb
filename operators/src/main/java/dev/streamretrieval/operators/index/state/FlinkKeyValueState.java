package dev.streamretrieval.operators.index.state;

import org.apache.flink.api.common.state.MapState;

/**
 * {@link KeyValueState} over Flink keyed {@link MapState}: reads and writes go to the current key's (the current
 * shard's) map. Flink declares {@code Exception} on every access; a failed access means the state backend is
 * broken, which the task cannot recover from, so it is rethrown unchecked and fails the task (Flink restarts it
 * from the last checkpoint).
 */
public final class FlinkKeyValueState<K, V> implements KeyValueState<K, V> {
    private final MapState<K, V> state;

    public FlinkKeyValueState(MapState<K, V> state) {
        this.state = state;
    }

    @Override
    public V get(K key) {
        try {
            return state.get(key);
        } catch (Exception e) {
            throw new StateAccessException("reading " + key, e);
        }
    }

    @Override
    public void put(K key, V value) {
        try {
            state.put(key, value);
        } catch (Exception e) {
            throw new StateAccessException("writing " + key, e);
        }
    }

    @Override
    public void remove(K key) {
        try {
            state.remove(key);
        } catch (Exception e) {
            throw new StateAccessException("removing " + key, e);
        }
    }

    /** A keyed-state access that failed. */
    public static final class StateAccessException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StateAccessException(String what, Exception cause) {
            super("keyed state access failed: " + what, cause);
        }
    }
}
