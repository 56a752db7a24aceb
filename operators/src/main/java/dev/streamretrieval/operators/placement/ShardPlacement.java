package dev.streamretrieval.operators.placement;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Where the S virtual shards live: the Flink key each shard is routed by, chosen so that the shards spread evenly
 * over the key groups and therefore over the subtasks at every parallelism.
 *
 * <p>Flink sends a key to key group {@code murmur(key.hashCode()) % maxParallelism} and key group g to subtask
 * {@code g * P / maxParallelism} (integer division). Keyed by the shard id itself, 8 shards at parallelism 8 land
 * on [1, 1, 0, 0, 0, 2, 0, 4] shards per subtask, and shards 3 and 7 share key group 113 for good. Instead, shard s
 * is routed by the smallest non-negative int whose key group is
 *
 * <pre>  g(s) = s * maxParallelism / S        (exact, because S divides maxParallelism)</pre>
 *
 * so that shard s runs on subtask {@code g(s) * P / maxP = floor(s * P / S)}: subtask i owns the shards s with
 * {@code i * S / P <= s < (i + 1) * S / P}, which are ⌊S/P⌋ or ⌈S/P⌉ of them for every P ≤ S, and no two shards
 * share a key group, so any rescale can separate them. This needs S ≤ maxParallelism and S dividing it (when S
 * does not divide maxParallelism, ⌊s * maxP / S⌋ misses the rule, e.g. S = 3 at P = 3 puts two shards on one
 * subtask); the constructor refuses both with a clear message.
 *
 * <p>The routing keys depend only on S, maxParallelism and Flink's key-group hash, which Flink keeps stable
 * because savepoints depend on it.
 */
public final class ShardPlacement implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The default max parallelism when S divides it (every power of two up to 128). */
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    private final int shards;
    private final int maxParallelism;
    /** Shard id → routing key. */
    private final int[] keys;

    public ShardPlacement(int shards, int maxParallelism) {
        if (shards < 1) {
            throw new IllegalArgumentException("shard count must be >= 1, got " + shards);
        }
        if (maxParallelism < 1 || maxParallelism > KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM) {
            throw new IllegalArgumentException("max parallelism must be within [1, "
                    + KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM + "], got " + maxParallelism);
        }
        if (shards > maxParallelism) {
            throw new IllegalArgumentException("--shards " + shards + " exceeds the max parallelism " + maxParallelism
                    + ": every shard needs a key group of its own (S <= max parallelism); raise --max-parallelism to a "
                    + "multiple of " + shards + " or use fewer shards");
        }
        if (maxParallelism % shards != 0) {
            throw new IllegalArgumentException("max parallelism " + maxParallelism + " is not a multiple of --shards "
                    + shards + ": shards spread evenly over subtasks only when S divides the max parallelism; use "
                    + "--max-parallelism " + defaultMaxParallelism(shards) + " (or another multiple of " + shards + ")");
        }
        this.shards = shards;
        this.maxParallelism = maxParallelism;
        this.keys = routingKeys(shards, maxParallelism);
    }

    /** The smallest multiple of S that is at least {@link #DEFAULT_MAX_PARALLELISM}: 128 for S = 1, 2, 4, ..., 128. */
    public static int defaultMaxParallelism(int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shard count must be >= 1, got " + shards);
        }
        return (DEFAULT_MAX_PARALLELISM + shards - 1) / shards * shards;
    }

    private static int[] routingKeys(int shards, int maxParallelism) {
        int step = maxParallelism / shards;
        int[] keyOfGroup = new int[maxParallelism];
        Arrays.fill(keyOfGroup, -1);
        int wanted = shards;
        // Every key group that is a multiple of step wants the smallest key hashing into it. The hash is uniform,
        // so about maxP * ln(S) keys are tried (about 600 for 128 key groups).
        for (int key = 0; wanted > 0; key++) {
            int g = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
            if (g % step == 0 && keyOfGroup[g] < 0) {
                keyOfGroup[g] = key;
                wanted--;
            }
        }
        int[] keys = new int[shards];
        for (int s = 0; s < shards; s++) {
            keys[s] = keyOfGroup[s * step];
        }
        return keys;
    }

    public int shards() {
        return shards;
    }

    public int maxParallelism() {
        return maxParallelism;
    }

    /** The Flink key documents and queries of {@code shard} are keyed by. */
    public int routingKey(int shard) {
        return keys[shard];
    }

    /** The key group of {@code shard}: {@code shard * maxParallelism / S}. */
    public int keyGroup(int shard) {
        return shard * (maxParallelism / shards);
    }

    /** The subtask (0-based) that owns {@code shard} at {@code parallelism}, as Flink computes it. */
    public int subtaskOf(int shard, int parallelism) {
        return KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(maxParallelism, parallelism, keyGroup(shard));
    }

    /**
     * A description of this layout, kept in the shard operator's state: a savepoint restores only into the same
     * layout (same shard count, same max parallelism, same routing rule).
     */
    public String marker() {
        return "balanced-v1 shards=" + shards + " max-parallelism=" + maxParallelism;
    }

    @Override
    public String toString() {
        return marker();
    }
}
