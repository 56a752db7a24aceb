package dev.streamretrieval.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster for the failure tests: N KRaft nodes (each broker and controller, a static quorum of all
 * N) as separate JVMs ({@code kafka.Kafka}) on 127.0.0.1 with fixed ports, so a node can be SIGKILLed and started
 * again on the same address, and all nodes can be down at once. Topics get replication factor N (the broker
 * default), {@code min.insync.replicas} N-1, and so do the transaction and offsets topics: with 3 nodes, one may
 * be lost without losing a write (producers use acks=all). Logs under {@code <dir>/node-<id>.log}; a watchdog
 * shell kills the nodes should this JVM die without {@link #close()}.
 */
final class KafkaBrokers implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final Path dir;
    private final int n;
    private final int[] brokerPorts;
    private final int[] controllerPorts;
    private final Process[] nodes;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final Process watchdog;

    private KafkaBrokers(Path dir, int n) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.n = n;
        this.brokerPorts = new int[n];
        this.controllerPorts = new int[n];
        this.nodes = new Process[n];
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < n; i++) {
            brokerPorts[i] = distinctFreePort(taken);
            controllerPorts[i] = distinctFreePort(taken);
        }
        Files.createDirectories(this.dir);
        Files.writeString(this.dir.resolve("pids"), "");
        Files.deleteIfExists(this.dir.resolve("stopped"));
        long self = ProcessHandle.current().pid();
        String script = "while kill -0 " + self + " 2>/dev/null && [ ! -e stopped ]; do sleep 2; done; "
                + "[ -e stopped ] || xargs -r kill -9 < pids 2>/dev/null";
        this.watchdog = new ProcessBuilder("bash", "-c", script).directory(this.dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Formats and starts {@code n} nodes and waits until all brokers are registered. */
    static KafkaBrokers start(Path dir, int n, Duration timeout) throws Exception {
        KafkaBrokers k = new KafkaBrokers(dir, n);
        try {
            String clusterId = Uuid.randomUuid().toString();
            for (int i = 0; i < n; i++) {
                k.writeConfig(i);
                k.format(i, clusterId);
            }
            for (int i = 0; i < n; i++) {
                k.startNode(i);
            }
            k.awaitBrokers(n, timeout);
            return k;
        } catch (Exception | Error e) {
            k.close();
            throw e;
        }
    }

    String bootstrapServers() {
        List<String> s = new ArrayList<>();
        for (int p : brokerPorts) {
            s.add(HOST + ":" + p);
        }
        return String.join(",", s);
    }

    /** Node ids run from 1 to {@code size()}. */
    int size() {
        return n;
    }

    private Path config(int i) {
        return dir.resolve("node-" + (i + 1) + ".properties");
    }

    private void writeConfig(int i) throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        List<String> voters = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            voters.add((v + 1) + "@" + HOST + ":" + controllerPorts[v]);
        }
        c.put("process.roles", "broker,controller");
        c.put("node.id", Integer.toString(i + 1));
        c.put("controller.quorum.voters", String.join(",", voters));
        c.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPorts[i] + ",CONTROLLER://" + HOST + ":" + controllerPorts[i]);
        c.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPorts[i]);
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", "PLAINTEXT");
        c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("log.dirs", dir.resolve("data-" + (i + 1)).toString());
        int minIsr = Math.max(1, n - 1);
        c.put("default.replication.factor", Integer.toString(n));
        c.put("min.insync.replicas", Integer.toString(minIsr));
        c.put("offsets.topic.replication.factor", Integer.toString(n));
        c.put("offsets.topic.num.partitions", "5");
        c.put("transaction.state.log.replication.factor", Integer.toString(n));
        c.put("transaction.state.log.min.isr", Integer.toString(minIsr));
        c.put("transaction.state.log.num.partitions", "5");
        c.put("num.partitions", "1");
        c.put("auto.create.topics.enable", "false");
        c.put("unclean.leader.election.enable", "false");
        c.put("group.initial.rebalance.delay.ms", "0");
        // a killed node is fenced within seconds, so leadership moves while the test watches
        c.put("broker.session.timeout.ms", "6000");
        c.put("broker.heartbeat.interval.ms", "1000");
        c.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        StringBuilder sb = new StringBuilder("# written by KafkaBrokers\n");
        c.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(config(i), sb.toString());
        Files.writeString(dir.resolve("log4j2.properties"), """
                status = error
                rootLogger.level = WARN
                rootLogger.appenderRef.file.ref = File
                appender.file.name = File
                appender.file.type = File
                appender.file.fileName = ${sys:kafka.log.file}
                appender.file.append = true
                appender.file.layout.type = PatternLayout
                appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n
                logger.state.name = state.change.logger
                logger.state.level = INFO
                logger.ctrl.name = org.apache.kafka.controller
                logger.ctrl.level = INFO
                """);
    }

    private List<String> jvm(String name) {
        return new ArrayList<>(List.of(java, "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dkafka.log.file=" + dir.resolve(name + ".log"),
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toUri(),
                "-cp", String.join(File.pathSeparator, LocalCluster.defaultClasspath())));
    }

    private void format(int i, String clusterId) throws Exception {
        List<String> cmd = jvm("format-" + (i + 1));
        cmd.addAll(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config(i).toString(),
                "--ignore-formatted"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("format-" + (i + 1) + ".out").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("formatting Kafka node " + (i + 1) + " failed: "
                    + Files.readString(dir.resolve("format-" + (i + 1) + ".out")));
        }
    }

    /** Starts the node at {@code index} (0..n-1) with its existing data; does not wait. */
    private void startNode(int index) throws IOException {
        String name = "node-" + (index + 1);
        List<String> cmd = jvm(name);
        cmd.add("kafka.Kafka");
        cmd.add(config(index).toString());
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile())).start();
        nodes[index] = p;
        Files.writeString(dir.resolve("pids"), p.pid() + "\n", StandardOpenOption.APPEND);
    }

    /** Starts node {@code nodeId} (1..n) again with its data; does not wait (see {@link #awaitBrokers}). */
    void start(int nodeId) throws IOException {
        startNode(nodeId - 1);
    }

    /** SIGKILLs node {@code nodeId} (1..n): no controlled shutdown, partitions it leads lose their leader. */
    void kill(int nodeId) throws InterruptedException {
        Process p = nodes[nodeId - 1];
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Kafka node " + nodeId + " did not die within 30 s of SIGKILL");
        }
    }

    /** The node leading partition 0 of a topic, or -1 when it has none. */
    int leaderOf(String topic) throws Exception {
        try (Admin admin = Admin.create(adminProperties())) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            var leader = d.partitions().get(0).leader();
            return leader == null ? -1 : leader.id();
        }
    }

    /** Waits until {@code count} brokers are registered and answer. */
    void awaitBrokers(int count, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        int seen = -1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < n; i++) {
                if (nodes[i] != null && !nodes[i].isAlive()) {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " exited with " + nodes[i].exitValue()
                            + "; see " + dir.resolve("node-" + (i + 1) + ".log") + " and .out");
                }
            }
            try (Admin admin = Admin.create(adminProperties())) {
                seen = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
                if (seen >= count) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(seen + " of " + count + " Kafka brokers up within " + timeout.toSeconds()
                + " s (" + last + "); see " + dir);
    }

    private Properties adminProperties() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrapServers());
        p.setProperty("request.timeout.ms", "10000");
        p.setProperty("default.api.timeout.ms", "20000");
        return p;
    }

    @Override
    public void close() {
        for (Process p : nodes) {
            if (p != null) {
                p.destroy();
            }
        }
        for (Process p : nodes) {
            if (p != null) {
                try {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        p.waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
        try {
            Files.writeString(dir.resolve("stopped"), "");
        } catch (IOException e) {
            // the watchdog then kills pids that are already gone
        }
        watchdog.destroy();
    }

    private static int distinctFreePort(Set<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = freePort();
            if (taken.add(port)) {
                return port;
            }
        }
        throw new IOException("no distinct free port found");
    }

    /**
     * A free port below the kernel's ephemeral range: a node's port must stay free while the node is down, and
     * ports of the ephemeral range are handed to outgoing connections (seen on a busy machine: a restarted node
     * found its port taken).
     */
    private static int freePort() throws IOException {
        int below = 32768;
        try {
            below = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep the usual lower bound
        }
        Random random = new Random();
        for (int attempt = 0; attempt < 200 && below > 11000; attempt++) {
            int port = 10000 + random.nextInt(below - 10000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return n + " Kafka nodes at " + bootstrapServers() + " (" + dir + ")";
    }
}
