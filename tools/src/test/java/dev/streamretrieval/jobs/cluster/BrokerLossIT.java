package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Kafka broker loss: a 3-node KRaft cluster (separate processes, replication factor 3, min.insync.replicas 2)
 * under a local Flink cluster (2 TaskManagers, 8 shards). While 3,000 documents and 300 queries stream in, the
 * node leading the documents topic is SIGKILLed (mid-ingest; its partitions elect new leaders) and restarted 15 s
 * later, then the node leading the results topic (mid-query: answers are being written), then all three nodes are
 * killed, left down for 30 s and started again. Per delivery mode ({@link FaultRun}): every document indexed
 * exactly once, every query answered, none twice under exactly-once; the job recovers by itself, and the time
 * from each fault's end to the next answered query is reported. At-least-once may answer a query twice after a
 * restart; the report says how often. Long: {@code mvn -B verify -Pfault -pl tools -am -Dit.test=BrokerLossIT}.
 *
 * <p>Knobs: fault.documents (3000), fault.queries (300), fault.outage-seconds (30).
 */
@Tag("long")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerLossIT {
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("fault.outage-seconds", 30));

    private KafkaBrokers kafka;
    private LocalCluster cluster;
    private FaultRun runs;

    @BeforeAll
    void start() throws Exception {
        Path work = Path.of("target", "broker-loss-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(work);
        kafka = KafkaBrokers.start(work.resolve("kafka"), 3, Duration.ofMinutes(3));
        LocalCluster.Settings s = new LocalCluster.Settings();
        s.directory = work.resolve("cluster");
        cluster = LocalCluster.start(s);
        FaultRun.Plan plan = new FaultRun.Plan();
        plan.documents = Integer.getInteger("fault.documents", 3000);
        plan.queries = Integer.getInteger("fault.queries", 300);
        plan.queriesAfterIngest = 50;
        plan.shards = 8;
        runs = new FaultRun(cluster, kafka.bootstrapServers(), work, plan);
        System.out.println("broker loss: " + kafka + ", work dir " + work);
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

    private TreeMap<Double, FaultRun.Fault> faults() {
        TreeMap<Double, FaultRun.Fault> f = new TreeMap<>();
        f.put(0.20, Faults.brokerKill(kafka, job -> job.options().documentsTopic, Duration.ofSeconds(15)));
        f.put(0.45, Faults.brokerKill(kafka, job -> job.options().resultsTopic, Duration.ofSeconds(15)));
        f.put(0.70, Faults.allBrokersDown(kafka, OUTAGE));
        return f;
    }

    @Test
    @Order(1)
    void exactlyOnceSurvivesBrokerLossAndAFullOutage() throws Exception {
        FaultRun.Report r = runs.run("brokers-eo", "exactly-once", faults(), null);
        r.assertNothingLostNothingDuplicated();
        assertThat(r.faults).hasSize(3);
    }

    @Test
    @Order(2)
    void atLeastOnceSurvivesBrokerLossAndAFullOutage() throws Exception {
        FaultRun.Report r = runs.run("brokers-alo", "at-least-once", faults(), null);
        r.assertNothingLostNothingDuplicated();
        assertThat(r.faults).hasSize(3);
    }
}
