package dev.streamretrieval.jobs.local;

import dev.streamretrieval.jobs.JobOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the job's four topics when they do not exist. The documents topic is compacted, so replaying it from
 * the start rebuilds the index with the latest version of every document. Replication follows the broker's
 * default.
 */
public final class TopicSetup {
    private TopicSetup() {}

    public static void ensureTopics(JobOptions o, int partitions) throws Exception {
        Properties props = o.kafkaClientProperties();
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> wanted = new ArrayList<>();
            if (!existing.contains(o.documentsTopic)) {
                wanted.add(new NewTopic(o.documentsTopic, Optional.of(partitions), Optional.empty())
                        .configs(Map.of("cleanup.policy", "compact")));
            }
            for (String t : List.of(o.queriesTopic, o.resultsTopic, o.deadLetterTopic)) {
                if (!existing.contains(t)) {
                    wanted.add(new NewTopic(t, Optional.of(partitions), Optional.empty()));
                }
            }
            if (wanted.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(wanted).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }
}
