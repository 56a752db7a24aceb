package dev.streamretrieval.jobs.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running in this JVM on 127.0.0.1, for the
 * embedded quickstart, evaluation and tests. Its log directories live under a folder that is deleted on close.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** The SASL/PLAIN user of {@link #startSasl} (a super user) and its password. */
    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_ADMIN;
    public static final String SASL_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;

    /** Starts a broker with extra broker properties (e.g. message.max.bytes) and waits until it is ready. */
    public static EmbeddedKafka start(Path baseDir, Map<String, String> brokerProperties) throws Exception {
        return start(baseDir, brokerProperties, SecurityProtocol.PLAINTEXT);
    }

    /**
     * Starts a broker whose client listener requires SASL/PLAIN ({@code SASL_PLAINTEXT} on loopback) with the
     * test kit's JAAS users, {@link #SASL_USER} being a super user; every other principal is denied by the
     * authorizer. Clients need {@link #saslClientProperties}.
     */
    public static EmbeddedKafka startSasl(Path baseDir, Map<String, String> brokerProperties) throws Exception {
        return start(baseDir, brokerProperties, SecurityProtocol.SASL_PLAINTEXT);
    }

    /** Client properties for the SASL listener, as {@code --kafka.<property>} options would pass them. */
    public static Map<String, String> saslClientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static EmbeddedKafka start(Path baseDir, Map<String, String> brokerProperties, SecurityProtocol protocol)
            throws Exception {
        Files.createDirectories(baseDir);
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBrokerSecurityProtocol(protocol)
                .setControllerSecurityProtocol(protocol)
                .setBaseDirectory(Files.createTempDirectory(baseDir, "kafka-"))
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
        builder.setConfigProp("offsets.topic.replication.factor", "1");
        builder.setConfigProp("transaction.state.log.replication.factor", "1");
        builder.setConfigProp("transaction.state.log.min.isr", "1");
        builder.setConfigProp("group.initial.rebalance.delay.ms", "0");
        builder.setConfigProp("auto.create.topics.enable", "false");
        brokerProperties.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    /** The storage formatter prints to stdout; keep the console for the user's results. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    public static EmbeddedKafka start(Path baseDir) throws Exception {
        return start(baseDir, Map.of());
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
