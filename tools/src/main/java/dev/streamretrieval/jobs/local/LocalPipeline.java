package dev.streamretrieval.jobs.local;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.RetrievalJob;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job on a Flink MiniCluster in this JVM, with a real KRaft broker on 127.0.0.1 when no bootstrap servers
 * are given. Used by {@code run}, {@code eval} and the integration tests; closing it cancels the job and stops
 * the broker.
 */
public final class LocalPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);

    private final EmbeddedKafka kafka;
    private final JobClient job;
    private final JobOptions options;

    private LocalPipeline(EmbeddedKafka kafka, JobClient job, JobOptions options) {
        this.kafka = kafka;
        this.job = job;
        this.options = options;
    }

    /** Starts the broker (if needed), creates missing topics and submits the job; {@code options} is updated. */
    public static LocalPipeline start(JobOptions options) throws Exception {
        EmbeddedKafka kafka = null;
        if (options.bootstrapServers == null) {
            kafka = EmbeddedKafka.start(Path.of(options.workDir).toAbsolutePath());
            options.bootstrapServers = kafka.bootstrapServers();
            LOG.info("embedded Kafka broker at {}", options.bootstrapServers);
        }
        try {
            TopicSetup.ensureTopics(options, 1);
            Configuration conf = RetrievalJob.flinkConfiguration(options);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            RetrievalJob.buildWithKafka(env, options);
            JobClient job = env.executeAsync("stream-retrieval");
            return new LocalPipeline(kafka, job, options);
        } catch (Exception e) {
            if (kafka != null) {
                kafka.close();
            }
            throw e;
        }
    }

    public JobOptions options() {
        return options;
    }

    public JobClient job() {
        return job;
    }

    @Override
    public void close() throws Exception {
        try {
            job.cancel().get(Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("cancelling the job failed: {}", e.toString());
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
