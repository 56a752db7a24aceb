package dev.streamretrieval.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.RetrievalJob;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs code the way Flink runs a job's {@code main} in the JobManager: {@link StreamExecutionEnvironment
 * #getExecutionEnvironment()} answers an environment whose configuration is the cluster's (here: a
 * FlinkDeployment's {@code flinkConfiguration}). A subclass, because Flink's context-environment hooks are protected.
 */
final class ContextEnvironment extends StreamExecutionEnvironment {
    private ContextEnvironment() {}

    /** The options {@link RetrievalJob#options} gives for the manifest's configuration and args. */
    static JobOptions jobOptions(JsonNode fd) {
        Configuration cluster = Configuration.fromMap(ManifestChecks.flinkConfiguration(fd));
        List<String> args = ManifestChecks.args(fd);
        initializeContextEnvironment(conf -> {
            Configuration merged = new Configuration(cluster);
            merged.addAll(conf);
            return new StreamExecutionEnvironment(merged);
        });
        try {
            return RetrievalJob.options(args.toArray(new String[0]));
        } finally {
            resetContextEnvironment();
        }
    }
}
