package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.local.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.TreeMap;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * JobManager loss with ZooKeeper high availability: a real ZooKeeper server (curator-test's TestingServer) on
 * 127.0.0.1, a local cluster configured with {@code high-availability.type: zookeeper} (job graphs, leader
 * election and the completed-checkpoint store in ZooKeeper, their payloads under {@code high-availability.storageDir}).
 * While 3,000 documents and 300 queries stream in, the JobManager process is SIGKILLed twice (mid-ingest, with
 * queries in flight) and a new one started 5 s later; it must find the job in ZooKeeper and restore it from the
 * latest completed checkpoint, with the TaskManagers reconnecting by themselves. Exactly-once: every document
 * indexed once, every query answered once (read_committed). Long: {@code mvn -B verify -Pfault -pl tools -am
 * -Dit.test=JobManagerLossIT}.
 */
@Tag("long")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobManagerLossIT {
    private TestingServer zookeeper;
    private EmbeddedKafka kafka;
    private LocalCluster cluster;
    private FaultRun runs;

    @BeforeAll
    void start() throws Exception {
        Path work = Path.of("target", "jobmanager-loss-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(work);
        zookeeper = new TestingServer(new InstanceSpec(Files.createDirectories(work.resolve("zookeeper")).toFile(),
                -1, -1, -1, false, -1, -1, -1, null, "127.0.0.1"), true);
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        LocalCluster.Settings s = new LocalCluster.Settings();
        s.directory = work.resolve("cluster");
        s.flinkConfiguration.put("high-availability.type", "zookeeper");
        s.flinkConfiguration.put("high-availability.zookeeper.quorum", "127.0.0.1:" + zookeeper.getPort());
        s.flinkConfiguration.put("high-availability.storageDir", work.resolve("ha").toUri().toString());
        s.flinkConfiguration.put("high-availability.cluster-id", "/job-manager-loss");
        cluster = LocalCluster.start(s);
        FaultRun.Plan plan = new FaultRun.Plan();
        plan.documents = Integer.getInteger("fault.documents", 3000);
        plan.queries = Integer.getInteger("fault.queries", 300);
        plan.queriesAfterIngest = 50;
        plan.shards = 8;
        runs = new FaultRun(cluster, kafka.bootstrapServers(), work, plan);
        System.out.println("JobManager loss: ZooKeeper " + zookeeper.getConnectString() + ", work dir " + work);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Test
    void aNewJobManagerRecoversTheJobFromTheLatestCheckpoint() throws Exception {
        TreeMap<Double, FaultRun.Fault> faults = new TreeMap<>();
        faults.put(0.25, Faults.jobManagerKill(cluster, Duration.ofSeconds(5)));
        faults.put(0.60, Faults.jobManagerKill(cluster, Duration.ofSeconds(5)));
        FaultRun.Report r = runs.run("jobmanager-eo", "exactly-once", faults, null);
        r.assertNothingLostNothingDuplicated();
        assertThat(r.faults).hasSize(2);
    }
}
