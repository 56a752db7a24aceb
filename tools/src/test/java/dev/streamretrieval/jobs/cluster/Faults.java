package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/** The faults the failure tests inject ({@link FaultRun.Fault}): TaskManager, broker and JobManager losses. */
final class Faults {
    private Faults() {}

    /**
     * SIGKILLs a TaskManager that holds shards of the index (a shard-index subtask on it has received records,
     * read from the REST API) and starts a replacement; returns once the job has noticed the loss.
     */
    static FaultRun.Fault taskManagerKill(LocalCluster cluster, Random random) {
        return job -> {
            Map<String, Long> owners = shardOwners(cluster, job, Duration.ofSeconds(60));
            List<LocalCluster.TaskManagerProcess> candidates = new ArrayList<>();
            for (LocalCluster.TaskManagerProcess tm : cluster.taskManagers()) {
                if (owners.getOrDefault(tm.resourceId(), 0L) > 0) {
                    candidates.add(tm);
                }
            }
            assertThat(candidates).as("TaskManagers whose shard-index subtask received records: %s", owners)
                    .isNotEmpty();
            LocalCluster.TaskManagerProcess victim = candidates.get(random.nextInt(candidates.size()));
            long failuresBefore = failures(cluster, job);
            cluster.kill(victim);
            LocalCluster.TaskManagerProcess replacement = cluster.startTaskManager();
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < end && failures(cluster, job) <= failuresBefore && job.state().equals("RUNNING")) {
                Thread.sleep(200);
            }
            return "SIGKILL TaskManager " + victim.resourceId() + " (shard-index records in per TaskManager " + owners
                    + "), replacement " + replacement.resourceId();
        };
    }

    /**
     * SIGKILLs the Kafka node leading the topic {@code topicOf} names (so its partitions elect new leaders),
     * keeps it down for {@code down}, starts it again and waits until it is back in the cluster.
     */
    static FaultRun.Fault brokerKill(KafkaBrokers kafka, Function<ClusterJob, String> topicOf, Duration down) {
        return job -> {
            String topic = topicOf.apply(job);
            int leader = kafka.leaderOf(topic);
            assertThat(leader).as("leader of %s", topic).isPositive();
            kafka.kill(leader);
            long t0 = System.nanoTime();
            int newLeader = -1;
            while (System.nanoTime() - t0 < down.toNanos()) {
                try {
                    int l = kafka.leaderOf(topic);
                    if (l > 0 && l != leader) {
                        newLeader = l;
                    }
                } catch (Exception e) {
                    // the admin client may time out while the cluster reacts
                }
                Thread.sleep(1000);
            }
            kafka.start(leader);
            kafka.awaitBrokers(kafka.size(), Duration.ofMinutes(3));
            assertThat(newLeader).as("a new leader of %s while node %d was down", topic, leader).isPositive();
            return String.format("SIGKILL Kafka node %d (leader of %s), new leader node %d, node back after %d s",
                    leader, topic, newLeader, down.toSeconds());
        };
    }

    /** SIGKILLs every Kafka node, waits {@code down}, starts them all and waits until they are registered. */
    static FaultRun.Fault allBrokersDown(KafkaBrokers kafka, Duration down) {
        return job -> {
            for (int id = 1; id <= kafka.size(); id++) {
                kafka.kill(id);
            }
            Thread.sleep(down.toMillis());
            long t0 = System.nanoTime();
            for (int id = 1; id <= kafka.size(); id++) {
                kafka.start(id);
            }
            kafka.awaitBrokers(kafka.size(), Duration.ofMinutes(3));
            return String.format("SIGKILL all %d Kafka nodes, %d s down, all started again (up in %.1f s)",
                    kafka.size(), down.toSeconds(), (System.nanoTime() - t0) / 1e9);
        };
    }

    /**
     * SIGKILLs the JobManager, waits {@code down}, starts a new one (which, with high availability, recovers the
     * job from ZooKeeper and the latest completed checkpoint) and waits until it serves the job again.
     */
    static FaultRun.Fault jobManagerKill(LocalCluster cluster, Duration down) {
        return job -> {
            // kill only once a checkpoint is complete, so the new JobManager has one to restore
            long checkpoint = -1;
            long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (checkpoint < 1 && System.nanoTime() < end) {
                checkpoint = job.checkpoints().path("latest").path("completed").path("id").asLong(-1);
                Thread.sleep(500);
            }
            assertThat(checkpoint).as("a completed checkpoint before the JobManager is killed").isPositive();
            cluster.killJobManager();
            Thread.sleep(down.toMillis());
            long t0 = System.nanoTime();
            cluster.startJobManager();
            job.awaitRunning(Duration.ofMinutes(4));
            long restored = job.checkpoints().path("latest").path("restored").path("id").asLong(-1);
            assertThat(restored).as("checkpoint the new JobManager restored (latest completed before the kill: %d)",
                    checkpoint).isGreaterThanOrEqualTo(checkpoint).isPositive();
            return String.format("SIGKILL JobManager (latest completed checkpoint %d), new JobManager after %d s, "
                    + "job restored from checkpoint %d and running %.1f s after the new JobManager started",
                    checkpoint, down.toSeconds(), restored, (System.nanoTime() - t0) / 1e9);
        };
    }

    /**
     * Records read by the shard-index subtasks per TaskManager (REST API; the shard index is the job's only
     * vertex with two keyed inputs: documents and fanned-out queries by shard). Waits until some subtask has read records.
     */
    static Map<String, Long> shardOwners(LocalCluster cluster, ClusterJob job, Duration timeout) throws Exception {
        String vertex = null;
        for (JsonNode node : cluster.rest("/jobs/" + job.jobId() + "/plan").path("plan").path("nodes")) {
            JsonNode in = node.path("inputs");
            if (in.size() == 2 && in.get(0).path("ship_strategy").asText().equals("HASH")
                    && in.get(1).path("ship_strategy").asText().equals("HASH")) {
                assertThat(vertex).as("one vertex with two keyed inputs").isNull();
                vertex = node.path("id").asText();
            }
        }
        assertThat(vertex).as("the shard-index vertex (two keyed inputs) in the job plan").isNotNull();
        long end = System.nanoTime() + timeout.toNanos();
        Map<String, Long> owners = new LinkedHashMap<>();
        while (System.nanoTime() < end) {
            owners.clear();
            for (JsonNode st : cluster.rest("/jobs/" + job.jobId() + "/vertices/" + vertex).path("subtasks")) {
                owners.merge(st.path("taskmanager-id").asText(), st.path("metrics").path("read-records").asLong(), Long::sum);
            }
            if (owners.values().stream().anyMatch(v -> v > 0)) {
                return owners;
            }
            Thread.sleep(1000); // the REST metrics are fetched every few seconds
        }
        return owners;
    }

    private static long failures(LocalCluster cluster, ClusterJob job) throws Exception {
        return cluster.rest("/jobs/" + job.jobId() + "/exceptions").path("exceptionHistory").path("entries").size();
    }
}
