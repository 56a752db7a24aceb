package dev.streamretrieval.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink session cluster on 127.0.0.1 as separate JVMs: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), started from the
 * project's own Maven classpath without a Flink distribution. Memory settings come from Flink's
 * {@code BashJavaUtils}, run once per cluster exactly as Flink's start scripts run it. Every process writes its
 * log to {@code <dir>/log}; a watchdog shell kills them all should this JVM die without closing the cluster.
 *
 * <p>Used by the {@code cluster} command and by the fault-injection tests, which SIGKILL TaskManagers
 * ({@link #kill}) and start replacements ({@link #startTaskManager}). The REST API is read with
 * {@link #rest(String)}.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HOST = "127.0.0.1";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** Flink's default JVM options for Java 17 (env.java.default-opts.all of the distribution's config). */
    static final List<String> JVM_OPENS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
            "--add-opens=java.sql/java.sql=ALL-UNNAMED");

    /** What to start. Defaults fit a 2-core laptop: 1 slot and a ~450 MB heap per TaskManager. */
    public static final class Settings {
        public int taskManagers = 2;
        public int slotsPerTaskManager = 1;
        /** taskmanager.memory.task.heap.size; the JVM heap is this plus the framework heap (128m). */
        public String taskHeap = "320m";
        /** taskmanager.memory.managed.size (RocksDB's block cache and write buffers). */
        public String managedMemory = "128m";
        /** jobmanager.memory.heap.size. */
        public String jobManagerHeap = "384m";
        /** Cluster folder (configuration, logs, checkpoints by default); created when missing. */
        public Path directory;
        /** Extra Flink configuration keys written into the cluster's config.yaml. */
        public Map<String, String> flinkConfiguration = new LinkedHashMap<>();
        /** Logger levels for the cluster processes (logger name → level), on top of the defaults. */
        public Map<String, String> logLevels = new LinkedHashMap<>();
        /** JVM classpath of the cluster processes; default {@link #defaultClasspath()}. */
        public List<String> classpath;
        /** Extra JVM options of every cluster process. */
        public List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC"));
        public Duration startTimeout = Duration.ofMinutes(3);

        public Settings() {}
    }

    /** One TaskManager JVM. */
    public static final class TaskManagerProcess {
        private final String resourceId;
        private final Process process;
        private final Path log;

        TaskManagerProcess(String resourceId, Process process, Path log) {
            this.resourceId = resourceId;
            this.process = process;
            this.log = log;
        }

        public String resourceId() {
            return resourceId;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public Path log() {
            return log;
        }

        @Override
        public String toString() {
            return resourceId + " (pid " + process.pid() + ")";
        }
    }

    private final Settings settings;
    private final Path dir;
    private final Path confDir;
    private final Path logDir;
    private final List<String> classpath;
    private final String java;
    private final int restPort;
    private final HttpClient http;
    private List<String> tmJvmParams;
    private List<String> tmDynamicConfig;
    private List<String> jmJvmParams;
    private List<String> jmDynamicConfig;
    private volatile Process jobManager;
    private final List<TaskManagerProcess> taskManagers = new CopyOnWriteArrayList<>();
    private final AtomicInteger taskManagerNo = new AtomicInteger();
    private final Process watchdog;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalCluster(Settings s) throws Exception {
        this.settings = s;
        this.dir = (s.directory != null ? s.directory : Files.createTempDirectory("stream-retrieval-cluster"))
                .toAbsolutePath();
        this.confDir = dir.resolve("conf");
        this.logDir = dir.resolve("log");
        Files.createDirectories(confDir);
        Files.createDirectories(logDir);
        Files.createDirectories(dir.resolve("tmp"));
        this.classpath = s.classpath != null ? s.classpath : defaultClasspath();
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.restPort = freePort();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        writeConfiguration(freePort());
        writeLogConfiguration();
        Files.writeString(dir.resolve("pids"), "");
        Files.deleteIfExists(dir.resolve("stopped")); // left by an earlier cluster in the same folder
        this.watchdog = startWatchdog();
        this.shutdownHook = new Thread(this::closeQuietly, "local-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void launchJobManager() throws Exception {
        List<String> jm = bashJavaUtils("GET_JM_RESOURCE_PARAMS");
        List<String> tm = bashJavaUtils("GET_TM_RESOURCE_PARAMS");
        this.tmJvmParams = split(tm.get(0));
        this.tmDynamicConfig = split(tm.get(1));
        this.jmJvmParams = split(jm.get(0));
        this.jmDynamicConfig = split(jm.get(1));
        LOG.info("cluster memory (BashJavaUtils): JobManager {} / TaskManager {}", jm.get(0), tm.get(0));
        this.jobManager = launch("jobmanager", jmJvmParams,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", jmDynamicConfig);
    }

    /**
     * SIGKILLs the JobManager process and waits until it is gone. Without high availability (see
     * {@link #startJobManager}) its jobs are lost with it.
     */
    public void killJobManager() throws InterruptedException {
        LOG.info("SIGKILL JobManager (pid {})", jobManager.pid());
        jobManager.destroyForcibly();
        if (!jobManager.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the JobManager did not die within 30 s of SIGKILL");
        }
    }

    /**
     * Starts a JobManager again (same configuration, ports and log file) after {@link #killJobManager} and waits
     * for its REST API. With ZooKeeper high availability configured ({@code high-availability.type: zookeeper} in
     * {@link Settings#flinkConfiguration}) it becomes leader, finds the running jobs in ZooKeeper and the HA
     * storage directory, and restores them from their latest completed checkpoint; the TaskManagers reconnect to it.
     */
    public void startJobManager() throws Exception {
        ensureOpen();
        if (jobManager.isAlive()) {
            throw new IllegalStateException("the JobManager (pid " + jobManager.pid() + ") is still running");
        }
        this.jobManager = launch("jobmanager", jmJvmParams,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", jmDynamicConfig);
        awaitRest(settings.startTimeout);
        LOG.info("JobManager restarted: pid {}", jobManager.pid());
    }

    /**
     * Starts the JobManager and the TaskManagers and waits until the REST API reports every TaskManager
     * registered. Closes what it started when that fails.
     */
    public static LocalCluster start(Settings s) throws Exception {
        LocalCluster c = new LocalCluster(s);
        try {
            c.launchJobManager();
            c.awaitRest(s.startTimeout);
            for (int i = 0; i < s.taskManagers; i++) {
                c.startTaskManager();
            }
            c.awaitTaskManagers(s.taskManagers, s.startTimeout);
            LOG.info("local cluster up: REST {}, JobManager pid {}, TaskManagers {}", c.restUrl(), c.jobManager.pid(),
                    c.taskManagers);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------- processes

    /** Starts one more TaskManager with the next resource id ({@code tm-N}); does not wait for registration. */
    public TaskManagerProcess startTaskManager() throws IOException {
        ensureOpen();
        String id = "tm-" + taskManagerNo.incrementAndGet();
        List<String> args = new ArrayList<>(tmDynamicConfig);
        args.add("-D");
        args.add("taskmanager.resource-id=" + id);
        Process p = launch("taskmanager-" + id, tmJvmParams, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", args);
        TaskManagerProcess tm = new TaskManagerProcess(id, p, logDir.resolve("taskmanager-" + id + ".log"));
        taskManagers.add(tm);
        LOG.info("started TaskManager {}", tm);
        return tm;
    }

    /** SIGKILLs a TaskManager process (no shutdown hooks, no goodbye to the JobManager) and waits until it is gone. */
    public void kill(TaskManagerProcess tm) throws InterruptedException {
        LOG.info("SIGKILL TaskManager {}", tm);
        tm.process.destroyForcibly(); // SIGKILL on Linux and macOS
        if (!tm.process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("TaskManager " + tm + " did not die within 30 s of SIGKILL");
        }
        taskManagers.remove(tm);
    }

    /** Live TaskManager processes started by this cluster. */
    public List<TaskManagerProcess> taskManagers() {
        return taskManagers.stream().filter(TaskManagerProcess::isAlive).toList();
    }

    public long jobManagerPid() {
        return jobManager.pid();
    }

    public Path directory() {
        return dir;
    }

    public Path logDirectory() {
        return logDir;
    }

    public String restUrl() {
        return "http://" + HOST + ":" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    private Process launch(String name, List<String> memoryParams, String mainClass, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(memoryParams);
        cmd.addAll(JVM_OPENS);
        cmd.addAll(settings.jvmOptions);
        cmd.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
        cmd.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath));
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(confDir.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".out").toFile()));
        Process p = pb.start();
        Files.writeString(dir.resolve("pids"), p.pid() + "\n", StandardOpenOption.APPEND);
        return p;
    }

    /**
     * Kills every process this cluster started should this JVM die without {@link #close()} (a test JVM killed on
     * timeout, say): a shell that polls this JVM's pid.
     */
    private Process startWatchdog() throws IOException {
        long self = ProcessHandle.current().pid();
        String script = "while kill -0 " + self + " 2>/dev/null && [ ! -e stopped ]; do sleep 2; done; "
                + "[ -e stopped ] || xargs -r kill -9 < pids 2>/dev/null";
        return new ProcessBuilder("bash", "-c", script).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Runs {@code BashJavaUtils <command> --configDir conf} as Flink's scripts do; returns its two result lines. */
    private List<String> bashJavaUtils(String command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog.file=" + logDir.resolve("bash-java-utils.log"),
                "-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri(),
                "-cp", String.join(File.pathSeparator, classpath),
                "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", confDir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("BashJavaUtils " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        List<String> results = new String(out, StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length()).trim())
                .toList();
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " printed no result: " + new String(out, StandardCharsets.UTF_8));
        }
        return results.subList(results.size() - 2, results.size());
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    // ------------------------------------------------------------------------------------------- configuration

    private void writeConfiguration(int rpcPort) throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", HOST);
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", HOST);
        c.put("rest.address", HOST);
        c.put("rest.bind-address", HOST);
        c.put("rest.port", Integer.toString(restPort));
        c.put("taskmanager.host", HOST);
        c.put("taskmanager.bind-host", HOST);
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(settings.slotsPerTaskManager));
        c.put("parallelism.default", Integer.toString(Math.max(1, settings.taskManagers * settings.slotsPerTaskManager)));
        c.put("jobmanager.memory.heap.size", settings.jobManagerHeap);
        c.put("taskmanager.memory.task.heap.size", settings.taskHeap);
        c.put("taskmanager.memory.managed.size", settings.managedMemory);
        // a SIGKILLed TaskManager is noticed within seconds (its connections drop at once; the heartbeat is the net)
        c.put("heartbeat.interval", "2000");
        c.put("heartbeat.timeout", "20000");
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("process.working-dir", dir.resolve("work").toString());
        c.put("blob.storage.directory", dir.resolve("blobs").toString());
        c.put("web.tmpdir", dir.resolve("web").toString());
        c.put("web.upload.dir", dir.resolve("web").toString());
        c.put("state.checkpoints.dir", dir.resolve("checkpoints").toUri().toString());
        c.put("state.savepoints.dir", dir.resolve("savepoints").toUri().toString());
        c.putAll(settings.flinkConfiguration);
        StringBuilder yaml = new StringBuilder("# written by dev.streamretrieval.jobs.cluster.LocalCluster\n");
        c.forEach((k, v) -> yaml.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(confDir.resolve("config.yaml"), yaml.toString());
    }

    private void writeLogConfiguration() throws IOException {
        Map<String, String> levels = new LinkedHashMap<>();
        levels.put("org.apache.kafka", "WARN");
        levels.put("org.apache.flink.shaded", "WARN");
        levels.put("org.apache.pekko", "WARN");
        levels.put("org.apache.flink.runtime.util.bash", "WARN");
        levels.putAll(settings.logLevels);
        StringBuilder p = new StringBuilder("""
                status = error
                shutdownHook = disable
                rootLogger.level = INFO
                rootLogger.appenderRef.file.ref = File
                appender.file.name = File
                appender.file.type = File
                appender.file.fileName = ${sys:log.file}
                appender.file.append = true
                appender.file.layout.type = PatternLayout
                appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n
                """);
        int i = 0;
        for (Map.Entry<String, String> e : levels.entrySet()) {
            p.append("logger.l").append(i).append(".name = ").append(e.getKey()).append('\n');
            p.append("logger.l").append(i).append(".level = ").append(e.getValue()).append('\n');
            i++;
        }
        Files.writeString(confDir.resolve("log4j.properties"), p.toString());
    }

    /**
     * The cluster processes' classpath: the tools module's runtime dependencies ({@code tools/target/runtime-classpath.txt},
     * written by {@code mvn package}) without this project's own modules, which reach the cluster in the job jar
     * as they would on a real Flink cluster. Falls back to this JVM's classpath.
     */
    public static List<String> defaultClasspath() {
        List<Path> candidates = new ArrayList<>();
        String override = System.getProperty("stream.retrieval.cluster.classpath-file");
        if (override != null) {
            candidates.add(Path.of(override));
        }
        candidates.add(Path.of("tools", "target", "runtime-classpath.txt"));
        candidates.add(Path.of("target", "runtime-classpath.txt"));
        candidates.add(Path.of("..", "tools", "target", "runtime-classpath.txt"));
        try {
            Path own = Path.of(LocalCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            candidates.add(own.getParent().resolve("runtime-classpath.txt")); // tools/target/{classes,tools-x.jar}
        } catch (Exception e) {
            // no code source: rely on the other candidates
        }
        String raw = null;
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                try {
                    raw = Files.readString(p).trim();
                    break;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        if (raw == null) {
            raw = System.getProperty("java.class.path");
        }
        List<String> cp = new ArrayList<>();
        for (String entry : raw.split(File.pathSeparator)) {
            if (!entry.isBlank() && !isOwnModule(entry)) {
                cp.add(entry);
            }
        }
        return cp;
    }

    private static boolean isOwnModule(String entry) {
        String e = entry.replace('\\', '/');
        return e.contains("/dev/streamretrieval/") || e.endsWith("/target/classes") || e.endsWith("/target/classes/")
                || e.endsWith("/target/test-classes") || e.endsWith("/target/test-classes/")
                || e.matches(".*/(schemas|operators|jobs|tools|deploy)/target/[^/]*\\.jar");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------------------- REST

    /** GET on the REST API; returns the parsed JSON. */
    public JsonNode rest(String path) throws IOException, InterruptedException {
        return restCall("GET", path);
    }

    /** A REST call with the given method and no body (e.g. PATCH /jobs/:id to cancel). */
    public JsonNode restCall(String method, String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(restUrl() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private void awaitRest(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        for (int attempt = 0; System.nanoTime() < end && attempt < 2000; attempt++) {
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("the JobManager exited with " + jobManager.exitValue() + "; see "
                        + logDir.resolve("jobmanager.log") + " and jobmanager.out:\n" + tail(logDir.resolve("jobmanager.out")));
            }
            try {
                rest("/overview");
                return;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the JobManager's REST API at " + restUrl() + " did not answer within "
                + timeout.toSeconds() + " s: " + last + "; see " + logDir);
    }

    /** Waits until at least {@code n} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        int seen = -1;
        for (int attempt = 0; System.nanoTime() < end && attempt < 2000; attempt++) {
            for (TaskManagerProcess tm : taskManagers) {
                if (!tm.isAlive() && !closed) {
                    throw new IllegalStateException("TaskManager " + tm + " exited with " + tm.process.exitValue()
                            + "; see " + tm.log + ":\n" + tail(logDir.resolve("taskmanager-" + tm.resourceId + ".out")));
                }
            }
            seen = rest("/overview").path("taskmanagers").asInt();
            if (seen >= n) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(seen + " of " + n + " TaskManagers registered within " + timeout.toSeconds()
                + " s; see " + logDir);
    }

    /** Resource ids of the TaskManagers the JobManager currently knows (a killed one stays until its heartbeat times out). */
    public List<String> registeredTaskManagers() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : rest("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("id").asText());
        }
        return ids;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    // ------------------------------------------------------------------------------------------- stop

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the local cluster is closed");
        }
    }

    /**
     * Cancels running jobs, stops the TaskManagers and then the JobManager with SIGTERM (Flink's orderly
     * shutdown), and SIGKILLs whatever is still alive after 30 s.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        closeQuietly();
    }

    private void closeQuietly() {
        closed = true;
        try {
            if (jobManager != null && jobManager.isAlive()) {
                for (JsonNode job : rest("/jobs/overview").path("jobs")) {
                    String state = job.path("state").asText();
                    if (!state.equals("FINISHED") && !state.equals("CANCELED") && !state.equals("FAILED")) {
                        restCall("PATCH", "/jobs/" + job.path("jid").asText() + "?mode=cancel");
                    }
                }
            }
        } catch (Exception e) {
            LOG.warn("cancelling jobs on close: {}", e.toString());
        }
        List<Process> all = new ArrayList<>();
        taskManagers.forEach(tm -> all.add(tm.process));
        stop(all);
        if (jobManager != null) {
            stop(List.of(jobManager));
        }
        try {
            Files.writeString(dir.resolve("stopped"), "");
        } catch (IOException e) {
            // the watchdog then kills pids that are already gone
        }
        if (watchdog != null) {
            watchdog.destroy();
        }
        // scratch space (extracted RPC jars, RocksDB working folders of killed TaskManagers): gone with the
        // processes; configuration, logs, checkpoints and savepoints stay
        deleteRecursively(dir.resolve("tmp"));
        deleteRecursively(dir.resolve("work"));
        LOG.info("local cluster in {} stopped", dir);
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot delete {}: {}", root, e.toString());
        }
    }

    private static void stop(List<Process> processes) {
        processes.forEach(Process::destroy); // SIGTERM
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Process p : processes) {
            try {
                long left = Math.max(1, end - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
