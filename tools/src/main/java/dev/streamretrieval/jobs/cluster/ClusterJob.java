package dev.streamretrieval.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.RetrievalJob;
import dev.streamretrieval.jobs.local.TopicSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retrieval job on a {@link LocalCluster}: checks that Kafka accepts the client properties, creates missing
 * topics, submits the job graph with the job jars over the REST API (a {@code RestClusterClient} under Flink's
 * remote environment), and reads the job's state, restarts and checkpoints back from the REST API.
 */
public final class ClusterJob {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterJob.class);
    public static final String JOB_NAME = "stream-retrieval";

    private final LocalCluster cluster;
    private final JobClient client;
    private final JobOptions options;

    private ClusterJob(LocalCluster cluster, JobClient client, JobOptions options) {
        this.cluster = cluster;
        this.client = client;
        this.options = options;
    }

    /**
     * Checks Kafka, creates the topics and submits the job; restores from {@code savepoint} when not null. Without
     * {@code --checkpoint-dir} checkpoints go to the cluster folder.
     */
    public static ClusterJob submit(LocalCluster cluster, JobOptions o, String savepoint) throws Exception {
        checkKafka(o, Duration.ofSeconds(30));
        TopicSetup.ensureTopics(o, 1);
        return submitGraph(cluster, o, savepoint);
    }

    /**
     * Submits the job without checking Kafka or creating topics first. With client properties Kafka refuses,
     * the job then fails (and restarts per its restart strategy) with Kafka's error as the root cause.
     */
    public static ClusterJob submitGraph(LocalCluster cluster, JobOptions o, String savepoint) throws Exception {
        if (o.checkpointDir == null) {
            o.checkpointDir = cluster.directory().resolve("checkpoints").toUri().toString();
        }
        Configuration conf = RetrievalJob.flinkConfiguration(o);
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        List<String> jars = JobJars.forRunningCode(cluster.directory().resolve("job-jars"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(LocalCluster.HOST,
                cluster.restPort(), conf, jars.toArray(new String[0]));
        RetrievalJob.buildWithKafka(env, o);
        JobClient client = env.executeAsync(JOB_NAME);
        LOG.info("submitted job {} (parallelism {}, delivery {}{})", client.getJobID(),
                o.parallelism == null ? "default" : o.parallelism, o.delivery,
                savepoint == null ? "" : ", from savepoint " + savepoint);
        return new ClusterJob(cluster, client, o);
    }

    /**
     * Fails fast, with the broker's own words, when Kafka refuses the client properties (wrong SASL credentials,
     * no permission) or cannot be reached, instead of leaving the job to restart against it.
     */
    public static void checkKafka(JobOptions o, Duration timeout) {
        Properties p = o.kafkaClientProperties();
        p.putIfAbsent("request.timeout.ms", Long.toString(Math.min(timeout.toMillis(), 15_000)));
        p.putIfAbsent("default.api.timeout.ms", Long.toString(timeout.toMillis()));
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
            admin.listTopics().names().get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthenticationException) {
                throw new IllegalStateException("Kafka at " + o.bootstrapServers + " refused the credentials: "
                        + cause.getMessage() + " (check --kafka.security.protocol, --kafka.sasl.mechanism and "
                        + "--kafka.sasl.jaas.config)", cause);
            }
            if (cause instanceof AuthorizationException) {
                throw new IllegalStateException("Kafka at " + o.bootstrapServers + " denied access: "
                        + cause.getMessage(), cause);
            }
            throw new IllegalStateException("cannot use Kafka at " + o.bootstrapServers + ": " + cause, cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + o.bootstrapServers + " did not answer within "
                    + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka", e);
        }
    }

    public JobID jobId() {
        return client.getJobID();
    }

    public JobClient client() {
        return client;
    }

    public JobOptions options() {
        return options;
    }

    /** The job's state as the REST API reports it (RUNNING, RESTARTING, FAILED, ...). */
    public String state() throws Exception {
        return cluster.rest("/jobs/" + jobId()).path("state").asText();
    }

    /** True when the job is RUNNING and every subtask of every vertex is RUNNING. */
    public boolean allTasksRunning() throws Exception {
        JsonNode job = cluster.rest("/jobs/" + jobId());
        if (!job.path("state").asText().equals("RUNNING")) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            JsonNode tasks = v.path("tasks");
            int running = tasks.path("RUNNING").asInt();
            if (running != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** Waits (bounded) until every subtask runs; fails when the job reaches a terminal state. */
    public void awaitRunning(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        String state = "?";
        for (int attempt = 0; System.nanoTime() < end && attempt < 5000; attempt++) {
            try {
                if (allTasksRunning()) {
                    return;
                }
                state = state();
            } catch (Exception e) {
                state = e.toString(); // the job may not be known yet right after submission
            }
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new IllegalStateException("job " + jobId() + " is " + state + ": " + rootException());
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("job " + jobId() + " not fully running within " + timeout.toSeconds()
                + " s (state " + state + ")");
    }

    /**
     * How often the job restarted: the larger of the {@code numRestarts} metric and the number of failures in
     * the exception history (the metric lags by up to the REST metric fetch interval).
     */
    public long restarts() throws Exception {
        long metric = 0;
        for (JsonNode m : cluster.rest("/jobs/" + jobId() + "/metrics?get=numRestarts")) {
            metric = Math.max(metric, m.path("value").asLong());
        }
        return Math.max(metric, cluster.rest("/jobs/" + jobId() + "/exceptions").path("exceptionHistory")
                .path("entries").size());
    }

    /** The most recent failure the job reported, or null. */
    public String rootException() {
        try {
            JsonNode ex = cluster.rest("/jobs/" + jobId() + "/exceptions");
            JsonNode entries = ex.path("exceptionHistory").path("entries");
            if (entries.size() > 0) {
                return entries.get(0).path("exceptionName").asText() + ": " + entries.get(0).path("stacktrace").asText();
            }
            return ex.path("root-exception").isMissingNode() ? null : ex.path("root-exception").asText();
        } catch (Exception e) {
            return "(cannot read exceptions: " + e + ")";
        }
    }

    /** {@code /jobs/:id/checkpoints}: counts and the latest completed checkpoint (duration, sizes). */
    public JsonNode checkpoints() throws Exception {
        return cluster.rest("/jobs/" + jobId() + "/checkpoints");
    }

    /** Stops the job with a canonical savepoint under {@code dir}; returns the savepoint path. */
    public String stopWithSavepoint(Path dir, Duration timeout) throws Exception {
        String path = client.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("job {} stopped with savepoint {}", jobId(), path);
        return path;
    }

    /** Cancels the job and waits (bounded) until it is CANCELED. */
    public void cancel(Duration timeout) throws Exception {
        client.cancel().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end && !state().equals("CANCELED")) {
            Thread.sleep(200);
        }
    }
}
