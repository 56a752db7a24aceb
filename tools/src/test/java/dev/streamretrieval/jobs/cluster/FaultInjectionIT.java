package dev.streamretrieval.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Random;
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
 * Exactly-once under failure, on a local multi-process cluster (1 JobManager + 2 TaskManagers, 1 slot each,
 * job parallelism 2): while 5,000 documents and 500 queries stream in, a TaskManager process holding shards is
 * SIGKILLed three times at random points of the stream and a replacement started each time. Afterwards the index
 * (read through the job's own stats query) holds exactly the 5,000 documents with consistent posting counts, no
 * query is lost, none is answered twice under exactly-once delivery (read_committed), and queries asked after
 * ingest get the same answers as a run without failures ({@link FaultRun}). Runs once per delivery mode. Long:
 * {@code mvn -B verify -Pfault}.
 *
 * <p>Knobs (system properties): fault.seed, fault.documents, fault.queries, fault.queries-after-ingest,
 * fault.kills, fault.records-per-second.
 */
@Tag("long")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {
    private static final int KILLS = Integer.getInteger("fault.kills", 3);
    private static final long SEED = Long.getLong("fault.seed", System.nanoTime() % 1_000_000);

    private EmbeddedKafka kafka;
    private LocalCluster cluster;
    private FaultRun runs;
    /** Answers of the failure-free run to the queries asked after ingest, by query id without the run prefix. */
    private Map<String, SearchResult> reference;

    @BeforeAll
    void start() throws Exception {
        Path work = Path.of("target", "fault-injection-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(work);
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        LocalCluster.Settings s = new LocalCluster.Settings();
        s.directory = work.resolve("cluster");
        cluster = LocalCluster.start(s);
        FaultRun.Plan plan = new FaultRun.Plan();
        plan.documents = Integer.getInteger("fault.documents", 5000);
        plan.queries = Integer.getInteger("fault.queries", 500);
        plan.queriesAfterIngest = Integer.getInteger("fault.queries-after-ingest", 100);
        plan.recordsPerSecond = Double.parseDouble(System.getProperty("fault.records-per-second", "80"));
        plan.seed = SEED;
        runs = new FaultRun(cluster, kafka.bootstrapServers(), work, plan);
        System.out.println("fault injection: seed " + SEED + ", work dir " + work);
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
    @Order(1)
    void exactlyOnceUnderTaskManagerKills() throws Exception {
        FaultRun.Report r = runs.run("eo", "exactly-once", kills("eo"), reference());
        r.assertNothingLostNothingDuplicated();
        assertThat(r.restarts).as("job restarts").isGreaterThanOrEqualTo(KILLS);
    }

    @Test
    @Order(2)
    void atLeastOnceUnderTaskManagerKills() throws Exception {
        FaultRun.Report r = runs.run("alo", "at-least-once", kills("alo"), reference());
        r.assertNothingLostNothingDuplicated();
        assertThat(r.restarts).as("job restarts").isGreaterThanOrEqualTo(KILLS);
    }

    /** KILLS TaskManager kills at random points (seeded) between 5 % and 85 % of the stream. */
    private TreeMap<Double, FaultRun.Fault> kills(String name) {
        Random random = new Random(SEED * 7 + name.hashCode());
        TreeMap<Double, FaultRun.Fault> faults = new TreeMap<>();
        while (faults.size() < KILLS) {
            faults.put(0.05 + 0.80 * random.nextDouble(), Faults.taskManagerKill(cluster, random));
        }
        return faults;
    }

    private synchronized Map<String, SearchResult> reference() throws Exception {
        if (reference == null) {
            FaultRun.Report r = runs.run("reference", "at-least-once", new TreeMap<>(), null);
            r.assertIndexExact();
            assertThat(r.missing).isEmpty();
            reference = r.afterIngest;
        }
        return reference;
    }
}
