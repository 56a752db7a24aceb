package dev.streamretrieval.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample of a {@link LocalCluster} running a job: heap used (REST metric {@code Status.JVM.Memory.Heap.Used})
 * and resident set size ({@code VmRSS} of {@code /proc/<pid>/status}) of every process, and the latest completed
 * checkpoint (duration, incremental size, full state size). The soak test takes one every 10 s.
 */
public final class ClusterSample {
    /** Process name (jobmanager, tm-1, ...) → heap used in bytes (-1 when unknown). */
    public final Map<String, Long> heapUsed = new LinkedHashMap<>();
    /** Process name → resident set size in bytes (-1 when unknown, e.g. not on Linux). */
    public final Map<String, Long> rss = new LinkedHashMap<>();
    public long checkpointsCompleted;
    public long checkpointsFailed;
    public long latestCheckpointId = -1;
    public long checkpointDurationMs = -1;
    /** Bytes this (incremental) checkpoint added. */
    public long checkpointedSize = -1;
    /** Bytes of the full state the checkpoint refers to. */
    public long stateSize = -1;

    private ClusterSample() {}

    /** Takes a sample; checkpoint fields stay -1 when {@code job} is null. */
    public static ClusterSample take(LocalCluster cluster, ClusterJob job) throws Exception {
        ClusterSample s = new ClusterSample();
        s.heapUsed.put("jobmanager", metric(cluster.rest("/jobmanager/metrics?get=Status.JVM.Memory.Heap.Used")));
        s.rss.put("jobmanager", rss(cluster.jobManagerPid()));
        for (LocalCluster.TaskManagerProcess tm : cluster.taskManagers()) {
            long heap = -1;
            try {
                heap = metric(cluster.rest("/taskmanagers/" + tm.resourceId() + "/metrics?get=Status.JVM.Memory.Heap.Used"));
            } catch (IOException e) {
                // not registered (yet)
            }
            s.heapUsed.put(tm.resourceId(), heap);
            s.rss.put(tm.resourceId(), rss(tm.pid()));
        }
        if (job != null) {
            JsonNode cp = job.checkpoints();
            s.checkpointsCompleted = cp.path("counts").path("completed").asLong();
            s.checkpointsFailed = cp.path("counts").path("failed").asLong();
            JsonNode latest = cp.path("latest").path("completed");
            if (latest.isObject()) {
                s.latestCheckpointId = latest.path("id").asLong(-1);
                s.checkpointDurationMs = latest.path("end_to_end_duration").asLong(-1);
                s.checkpointedSize = latest.path("checkpointed_size").asLong(-1);
                s.stateSize = latest.path("state_size").asLong(-1);
            }
        }
        return s;
    }

    private static long metric(JsonNode values) {
        for (JsonNode v : values) {
            return v.path("value").asLong(-1);
        }
        return -1;
    }

    /** VmRSS of a process from /proc (Linux); -1 elsewhere or when it is gone. */
    public static long rss(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
