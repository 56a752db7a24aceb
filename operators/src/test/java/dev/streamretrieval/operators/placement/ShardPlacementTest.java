package dev.streamretrieval.operators.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/**
 * The placement of S shards over P subtasks as Flink computes it ({@link KeyGroupRangeAssignment}: key → key group
 * → subtask), for the routing keys of {@link ShardPlacement} and, to show the check catches it, for the old layout
 * that keyed each shard by its id.
 */
class ShardPlacementTest {
    private static final int[] SHARD_COUNTS = {1, 2, 4, 8, 16, 32, 64, 128};

    /** Shards per subtask at parallelism P when shard s is keyed by {@code keyOf(s)}, computed by Flink. */
    private static int[] shardsPerSubtask(IntUnaryOperator keyOf, int shards, int maxParallelism, int parallelism) {
        int[] count = new int[parallelism];
        for (int s = 0; s < shards; s++) {
            count[KeyGroupRangeAssignment.assignKeyToParallelOperator(keyOf.applyAsInt(s), maxParallelism, parallelism)]++;
        }
        return count;
    }

    /**
     * Every way a layout breaks the rule: a subtask at parallelism P <= S with a shard count other than ⌊S/P⌋ or
     * ⌈S/P⌉, or two shards in one key group. Empty when the rule holds.
     */
    static List<String> violations(IntUnaryOperator keyOf, int shards, int maxParallelism) {
        List<String> v = new ArrayList<>();
        Set<Integer> groups = new HashSet<>();
        for (int s = 0; s < shards; s++) {
            int g = KeyGroupRangeAssignment.assignToKeyGroup(keyOf.applyAsInt(s), maxParallelism);
            if (!groups.add(g)) {
                v.add("S=" + shards + ": shard " + s + " shares key group " + g);
            }
        }
        for (int p = 1; p <= shards; p++) {
            int lo = shards / p;
            int hi = (shards + p - 1) / p;
            int[] count = shardsPerSubtask(keyOf, shards, maxParallelism, p);
            for (int c : count) {
                if (c < lo || c > hi) {
                    v.add("S=" + shards + " P=" + p + ": " + Arrays.toString(count));
                    break;
                }
            }
        }
        return v;
    }

    @Test
    void everyParallelismUpToSGivesEachSubtaskFloorOrCeilShardsInDistinctKeyGroups() {
        int layouts = 0;
        for (int shards : SHARD_COUNTS) {
            ShardPlacement placement = new ShardPlacement(shards, ShardPlacement.defaultMaxParallelism(shards));
            assertThat(placement.maxParallelism()).isEqualTo(128);
            assertThat(violations(placement::routingKey, shards, 128)).as("S=" + shards).isEmpty();
            for (int p = 1; p <= shards; p++) {
                int[] count = shardsPerSubtask(placement::routingKey, shards, 128, p);
                for (int s = 0; s < shards; s++) {
                    // the placement's own answer agrees with Flink's routing of the key
                    assertThat(placement.subtaskOf(s, p)).isEqualTo(KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            placement.routingKey(s), 128, p));
                }
                assertThat(Arrays.stream(count).sum()).isEqualTo(shards);
                layouts++;
            }
        }
        System.out.println("balanced placement holds for " + layouts + " (S, P) pairs; S = 8 over P = 1..8: "
                + placementTable(new ShardPlacement(8, 128)::routingKey, 8, 128));
        assertThat(layouts).isEqualTo(255);
    }

    @Test
    void theOldLayoutKeyedByShardIdBreaksTheRule() {
        IntUnaryOperator old = s -> s;
        // the numbers of the issue, computed the same way: 8 shards at parallelism 8, 4 and 2; 4 shards at 2
        assertThat(shardsPerSubtask(old, 8, 128, 8)).containsExactly(1, 1, 0, 0, 0, 2, 0, 4);
        assertThat(shardsPerSubtask(old, 8, 128, 4)).containsExactly(2, 0, 2, 4);
        assertThat(shardsPerSubtask(old, 8, 128, 2)).containsExactly(2, 6);
        assertThat(shardsPerSubtask(old, 4, 128, 2)).containsExactly(0, 4);
        List<String> all = new ArrayList<>();
        for (int shards : SHARD_COUNTS) {
            all.addAll(violations(old, shards, 128));
        }
        System.out.println("old layout (key = shard id): " + all.size() + " violations, e.g. " + all.subList(0, 5));
        assertThat(violations(old, 8, 128)).contains("S=8: shard 7 shares key group 113");
        for (int shards : new int[] {4, 8, 16, 32, 64, 128}) {
            assertThat(violations(old, shards, 128)).as("S=" + shards).isNotEmpty();
        }
    }

    @Test
    void shardCountsThatAreNoPowerOfTwoGetAMaxParallelismTheyDivide() {
        for (int shards : new int[] {3, 5, 6, 12, 24, 100, 129, 200}) {
            int m = ShardPlacement.defaultMaxParallelism(shards);
            assertThat(m % shards).isZero();
            assertThat(m).isGreaterThanOrEqualTo(128).isLessThan(128 + shards);
            ShardPlacement placement = new ShardPlacement(shards, m);
            assertThat(violations(placement::routingKey, shards, m)).as("S=" + shards + " maxP=" + m).isEmpty();
        }
        // a larger max parallelism (more room to rescale later) keeps the rule
        assertThat(violations(new ShardPlacement(16, 4096)::routingKey, 16, 4096)).isEmpty();
    }

    @Test
    void refusesShardCountsAboveOrNotDividingTheMaxParallelism() {
        assertThatThrownBy(() -> new ShardPlacement(256, 128))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--shards 256 exceeds the max parallelism 128");
        assertThatThrownBy(() -> new ShardPlacement(12, 128))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a multiple of --shards 12")
                .hasMessageContaining("--max-parallelism 132");
        assertThatThrownBy(() -> new ShardPlacement(0, 128)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShardPlacement(8, 65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max parallelism must be within [1, 32768]");
    }

    @Test
    void routingKeysAreTheSmallestKeysOfTheirKeyGroups() {
        ShardPlacement placement = new ShardPlacement(8, 128);
        for (int s = 0; s < 8; s++) {
            int key = placement.routingKey(s);
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(key, 128)).isEqualTo(s * 16).isEqualTo(placement.keyGroup(s));
            for (int smaller = 0; smaller < key; smaller++) {
                assertThat(KeyGroupRangeAssignment.assignToKeyGroup(smaller, 128)).isNotEqualTo(s * 16);
            }
        }
        assertThat(placement.marker()).isEqualTo("balanced-v1 shards=8 max-parallelism=128");
    }

    private static String placementTable(IntUnaryOperator keyOf, int shards, int maxParallelism) {
        StringBuilder b = new StringBuilder();
        for (int p = 1; p <= shards; p++) {
            b.append("P=").append(p).append(' ').append(Arrays.toString(shardsPerSubtask(keyOf, shards, maxParallelism, p)))
                    .append(p < shards ? "; " : "");
        }
        return b.toString();
    }
}
