package dev.streamretrieval.jobs.cli;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.cluster.ClusterJob;
import dev.streamretrieval.jobs.cluster.LocalCluster;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.operators.placement.ShardPlacement;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code cluster}: the job on a local multi-process Flink cluster (one JobManager and N TaskManagers as separate
 * JVMs on 127.0.0.1), a step between the embedded {@code run} and Kubernetes. Starts the broker (unless
 * {@code --bootstrap-servers}), the cluster and the job, optionally loads a collection, answers queries typed on
 * stdin, and on Ctrl-D / Ctrl-C stops the job (with a savepoint when {@code --savepoint-on-exit}), the cluster
 * and the broker.
 */
final class ClusterCommand {
    private ClusterCommand() {}

    static int run(List<String> args) throws Exception {
        Map<String, String> extras = new LinkedHashMap<>();
        extras.put("taskmanagers", "2");
        extras.put("slots", "1");
        extras.put("taskmanager-heap", "320m");
        extras.put("managed-memory", "128m");
        extras.put("jobmanager-heap", "384m");
        extras.put("cluster-dir", null);
        extras.put("collection", null);
        extras.put("savepoint", null);
        List<String> positional = new ArrayList<>();
        JobOptions o = JobOptions.parse(args, positional, Set.of("no-load", "savepoint-on-exit"), extras);
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("unexpected arguments " + positional);
        }
        LocalCluster.Settings s = new LocalCluster.Settings();
        s.taskManagers = positiveInt(extras, "taskmanagers");
        s.slotsPerTaskManager = positiveInt(extras, "slots");
        s.taskHeap = extras.get("taskmanager-heap");
        s.managedMemory = extras.get("managed-memory");
        s.jobManagerHeap = extras.get("jobmanager-heap");
        s.directory = Path.of(extras.get("cluster-dir") != null ? extras.get("cluster-dir")
                : Path.of(o.workDir, "cluster").toString()).toAbsolutePath();
        if (o.parallelism == null) {
            // every slot busy: Flink's own default would be 1, leaving all TaskManagers but one idle
            o.parallelism = s.taskManagers * s.slotsPerTaskManager;
        }
        List<Document> docs = extras.containsKey("no-load") ? List.of() : RunCommand.loadCollection(extras.get("collection"));

        PrintStream out = System.out;
        EmbeddedKafka kafka = null;
        LocalCluster cluster = null;
        ClusterJob job = null;
        PipelineClient client = null;
        AtomicBoolean stopped = new AtomicBoolean();
        try {
            if (o.bootstrapServers == null) {
                System.err.println("starting embedded Kafka broker ...");
                kafka = EmbeddedKafka.start(Path.of(o.workDir).toAbsolutePath());
                o.bootstrapServers = kafka.bootstrapServers();
            }
            System.err.println("starting Flink: 1 JobManager + " + s.taskManagers + " TaskManagers (" + s.slotsPerTaskManager
                    + " slot(s) each) as separate JVMs in " + s.directory + " ...");
            cluster = LocalCluster.start(s);
            String savepoint = extras.get("savepoint");
            job = ClusterJob.submit(cluster, o, savepoint);
            job.awaitRunning(Duration.ofMinutes(3));
            System.err.println("job " + job.jobId() + " running" + (savepoint == null ? "" : " (restored from " + savepoint + ")")
                    + "; REST API " + cluster.restUrl() + "; JobManager pid " + cluster.jobManagerPid()
                    + ", TaskManagers " + cluster.taskManagers() + "; logs in " + cluster.logDirectory());
            System.err.println("parallelism " + o.parallelism + ", " + o.shards + " shards: " + placementLine(o));
            System.err.println("Kafka at " + o.bootstrapServers + "; topics " + o.documentsTopic + ", " + o.queriesTopic
                    + ", " + o.resultsTopic + ", " + o.deadLetterTopic);

            final LocalCluster c = cluster;
            final ClusterJob j = job;
            final EmbeddedKafka k = kafka;
            client = new PipelineClient(o, r -> RunCommand.printResult(out, r, null));
            final PipelineClient cl = client;
            Thread hook = new Thread(() -> stop(stopped, cl, j, c, k, extras.containsKey("savepoint-on-exit")));
            Runtime.getRuntime().addShutdownHook(hook);

            if (!docs.isEmpty()) {
                RunCommand.publishAndAwait(client, docs, Duration.ofMinutes(3));
            }
            System.err.println("ready: type a query and press Enter (Ctrl-D stops" + (extras.containsKey("savepoint-on-exit")
                    ? " with a savepoint" : "") + ")");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                String text = line.strip();
                if (text.isEmpty()) {
                    continue;
                }
                String id = "cluster-" + ProcessHandle.current().pid() + "-" + (++n);
                long sent = System.nanoTime();
                try {
                    var r = client.askAndWait(new Query(id, text, null, QueryMode.BM25, QueryOp.SEARCH), Duration.ofSeconds(60));
                    RunCommand.printResult(out, r, (System.nanoTime() - sent) / 1e6);
                } catch (Exception e) {
                    System.err.println("query " + id + ": " + e.getMessage());
                }
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            stop(stopped, client, job, cluster, kafka, extras.containsKey("savepoint-on-exit"));
            return 0;
        } catch (Exception e) {
            stop(stopped, client, job, cluster, kafka, false);
            throw e;
        }
    }

    private static void stop(AtomicBoolean stopped, PipelineClient client, ClusterJob job, LocalCluster cluster,
            EmbeddedKafka kafka, boolean savepoint) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        System.err.println("stopping ...");
        if (client != null) {
            try {
                client.close();
            } catch (Exception e) {
                System.err.println("while stopping the client: " + e);
            }
        }
        if (job != null) {
            try {
                if (savepoint) {
                    String path = job.stopWithSavepoint(cluster.directory().resolve("savepoints"), Duration.ofMinutes(2));
                    System.err.println("savepoint: " + path + "  (restart with --savepoint " + path + ")");
                } else {
                    job.cancel(Duration.ofSeconds(60));
                }
            } catch (Exception e) {
                System.err.println("while stopping the job: " + e);
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            try {
                kafka.close();
            } catch (Exception e) {
                System.err.println("while stopping Kafka: " + e);
            }
        }
    }

    /** Shards per subtask of the shard operator, and a hint when they are uneven or subtasks are idle. */
    static String placementLine(JobOptions o) {
        ShardPlacement placement = o.placement();
        int[] perSubtask = new int[o.parallelism];
        for (int s = 0; s < o.shards; s++) {
            perSubtask[placement.subtaskOf(s, o.parallelism)]++;
        }
        String line = "shards per subtask " + Arrays.toString(perSubtask);
        if (o.parallelism > o.shards) {
            line += " (" + (o.parallelism - o.shards) + " subtasks without a shard: use --shards >= --parallelism)";
        } else if (o.shards % o.parallelism != 0) {
            line += " (uneven: choose a parallelism that divides --shards)";
        }
        return line;
    }

    private static int positiveInt(Map<String, String> extras, String name) {
        try {
            int v = Integer.parseInt(extras.get(name));
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a positive integer, got '" + extras.get(name) + "'");
        }
    }
}
