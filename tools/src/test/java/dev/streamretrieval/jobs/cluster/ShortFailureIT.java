package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The short failure run of {@code mvn -B verify}: 8 shards on 2 TaskManagers (1 slot each, parallelism 2) reading
 * from and writing to a 3-node Kafka cluster (replication factor 3, min.insync.replicas 2), exactly-once delivery.
 * While 1,500 documents and 150 queries stream in, a TaskManager that holds shards is SIGKILLed (and replaced),
 * then the Kafka node leading the documents topic is SIGKILLed and started again 10 s later. Checked as in the
 * long suites ({@link FaultRun}): every document indexed exactly once, every query answered exactly once
 * (read_committed), the job restarted by itself. About 2–3 minutes; the long suites (FaultInjectionIT,
 * BrokerLossIT, JobManagerLossIT, SoakIT) stay behind {@code -Pfault}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShortFailureIT {
    private KafkaBrokers kafka;
    private LocalCluster cluster;
    private FaultRun runs;

    @BeforeAll
    void start() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "short-failure-");
        kafka = KafkaBrokers.start(work.resolve("kafka"), 3, Duration.ofMinutes(3));
        LocalCluster.Settings s = new LocalCluster.Settings();
        s.directory = work.resolve("cluster");
        cluster = LocalCluster.start(s);
        FaultRun.Plan plan = new FaultRun.Plan();
        plan.documents = 1500;
        plan.queries = 150;
        plan.queriesAfterIngest = 20;
        plan.shards = 8;
        plan.parallelism = 2;
        runs = new FaultRun(cluster, kafka.bootstrapServers(), work, plan);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void exactlyOnceThroughATaskManagerKillAndABrokerKill() throws Exception {
        TreeMap<Double, FaultRun.Fault> faults = new TreeMap<>();
        faults.put(0.25, Faults.taskManagerKill(cluster, new Random(12)));
        faults.put(0.60, Faults.brokerKill(kafka, job -> job.options().documentsTopic, Duration.ofSeconds(10)));
        FaultRun.Report r = runs.run("short", "exactly-once", faults, null);
        r.assertNothingLostNothingDuplicated();
        assertThat(r.restarts).as("job restarts (at least the TaskManager loss)").isGreaterThanOrEqualTo(1);
        assertThat(r.faults).hasSize(2);
    }
}
