package dev.streamretrieval.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.JobOptions;
import org.junit.jupiter.api.Test;

/** What {@code cluster} prints about the placement it starts with. */
class ClusterCommandTest {
    private static String line(int shards, int parallelism) {
        return ClusterCommand.placementLine(JobOptions.parse("--shards", Integer.toString(shards),
                "--parallelism", Integer.toString(parallelism)));
    }

    @Test
    void printsShardsPerSubtaskAndSaysWhenTheyAreUnevenOrIdle() {
        assertThat(line(4, 2)).isEqualTo("shards per subtask [2, 2]");
        assertThat(line(8, 4)).isEqualTo("shards per subtask [2, 2, 2, 2]");
        assertThat(line(8, 3)).isEqualTo("shards per subtask [3, 3, 2] (uneven: choose a parallelism that divides --shards)");
        // key groups 0, 32, 64, 96 at parallelism 6: g * 6 / 128 = 0, 1, 3, 4
        assertThat(line(4, 6)).isEqualTo("shards per subtask [1, 1, 0, 1, 1, 0] (2 subtasks without a shard: use --shards >= --parallelism)");
    }
}
