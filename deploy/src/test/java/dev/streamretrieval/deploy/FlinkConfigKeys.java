package dev.streamretrieval.deploy;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MetricOptions;

/**
 * Every Flink configuration key the job's Flink version knows, found by reflection: the public static
 * {@link ConfigOption} fields of every {@code *Options} class in flink-core, flink-runtime, flink-streaming-java,
 * flink-clients, flink-statebackend-rocksdb and flink-metrics-prometheus. A key is accepted when it is one of
 * those (its value must also parse as the option's type), a reporter key {@code metrics.reporter.<name>.<x>}
 * where x is a reporter option of {@link MetricOptions} or of the reporter's factory, one of the few keys
 * that filesystem plugins read by prefix ({@link #PLUGIN_KEYS}) or one the Kubernetes operator reads
 * ({@link #OPERATOR_KEYS}). Deprecated keys are reported with their replacement.
 */
final class FlinkConfigKeys {
    /**
     * Keys the S3 filesystem plugins (flink-s3-fs-presto / flink-s3-fs-hadoop, not on this classpath) read by
     * their {@code s3.} prefix; see Flink's documentation, deployment/filesystems/s3 ("Configure Access
     * Credentials", "Configure Non-S3 Endpoint").
     */
    static final Set<String> PLUGIN_KEYS = Set.of("s3.endpoint", "s3.path.style.access", "s3.access-key", "s3.secret-key");

    /**
     * Keys the Flink Kubernetes Operator reads from a deployment's flinkConfiguration (its options are not on
     * this classpath; the operator's API jar is not on Maven Central). Source: the operator's documentation,
     * "Operator Configuration Reference" (release 1.14), section "Job specific configuration".
     */
    static final Set<String> OPERATOR_KEYS = Set.of(
            "kubernetes.operator.periodic.savepoint.interval",
            "kubernetes.operator.savepoint.history.max.count",
            "kubernetes.operator.savepoint.history.max.age",
            "kubernetes.operator.deployment.rollback.enabled",
            "kubernetes.operator.deployment.readiness.timeout",
            "kubernetes.operator.job.upgrade.last-state-fallback.enabled",
            "kubernetes.operator.job.restart.failed");

    /**
     * Reporter options read by factories that have no options class. Source: PrometheusReporterFactory of
     * flink-metrics-prometheus reads {@code port} (default 9249, a port or a range).
     */
    static final Map<String, Set<String>> FACTORY_KEYS = Map.of(
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory", Set.of("port"));

    private static final Pattern REPORTER = Pattern.compile("metrics\\.reporter\\.([^.]+)\\.(.+)");

    private static final Class<?>[] ANCHORS = {
        Configuration.class, // flink-core
        org.apache.flink.runtime.jobgraph.JobGraph.class, // flink-runtime
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.class, // flink-streaming-java
        org.apache.flink.client.program.PackagedProgram.class, // flink-clients
        org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend.class, // flink-statebackend-rocksdb
        org.apache.flink.metrics.prometheus.PrometheusReporterFactory.class, // flink-metrics-prometheus
    };

    private static volatile FlinkConfigKeys instance;

    /** Top-level key → option. */
    final Map<String, ConfigOption<?>> options = new TreeMap<>();
    /** Deprecated key → current key. */
    final Map<String, String> deprecated = new TreeMap<>();
    /** Suffixes of metrics.reporter.<name>.<suffix> that MetricOptions defines. */
    final Map<String, ConfigOption<?>> reporterOptions = new TreeMap<>();

    static FlinkConfigKeys get() {
        if (instance == null) {
            synchronized (FlinkConfigKeys.class) {
                if (instance == null) {
                    instance = new FlinkConfigKeys();
                }
            }
        }
        return instance;
    }

    private FlinkConfigKeys() {
        for (Class<?> anchor : ANCHORS) {
            for (String className : optionClasses(anchor)) {
                Class<?> c;
                try {
                    c = Class.forName(className, false, anchor.getClassLoader());
                } catch (Throwable e) {
                    continue; // needs something this classpath lacks
                }
                collect(c);
            }
        }
        collect(dev.streamretrieval.jobs.RetrievalOptions.class); // the job's own options (retrieval.*)
        if (options.size() < 300) {
            throw new IllegalStateException("found only " + options.size() + " Flink options; the scan is broken");
        }
    }

    private static List<String> optionClasses(Class<?> anchor) {
        List<String> names = new ArrayList<>();
        try (JarFile jar = new JarFile(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile())) {
            jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/flink/") && n.endsWith("Options.class") && !n.contains("$"))
                    .forEach(n -> names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot scan the jar of " + anchor, e);
        }
        return names;
    }

    private void collect(Class<?> c) {
        for (Field f : c.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !ConfigOption.class.isAssignableFrom(f.getType())) {
                continue;
            }
            ConfigOption<?> o;
            try {
                o = (ConfigOption<?>) f.get(null);
            } catch (Throwable e) {
                continue;
            }
            if (o == null) {
                continue;
            }
            if (c == MetricOptions.class && !o.key().startsWith("metrics.")) {
                reporterOptions.put(o.key(), o); // factory.class, interval, scope.delimiter, filter.includes, ...
                continue;
            }
            if (!o.key().contains(".")) {
                continue; // a reporter's own option or a placeholder, not a top-level key
            }
            options.put(o.key(), o);
            for (FallbackKey fk : o.fallbackKeys()) {
                if (fk.isDeprecated()) {
                    deprecated.putIfAbsent(fk.getKey(), o.key());
                }
            }
        }
    }

    /** Problems with a flinkConfiguration map (empty when every key is known and every value parses). */
    List<String> check(Map<String, String> conf) {
        List<String> problems = new ArrayList<>();
        Map<String, String> factories = new LinkedHashMap<>();
        conf.forEach((k, v) -> {
            Matcher m = REPORTER.matcher(k);
            if (m.matches() && m.group(2).equals("factory.class")) {
                factories.put(m.group(1), v);
            }
        });
        for (Map.Entry<String, String> e : conf.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (deprecated.containsKey(key)) {
                problems.add("Flink key '" + key + "' is deprecated; use '" + deprecated.get(key) + "'");
                continue;
            }
            ConfigOption<?> option = options.get(key);
            Matcher m = REPORTER.matcher(key);
            if (option == null && m.matches()) {
                String suffix = m.group(2);
                option = reporterOptions.get(suffix);
                if (option == null) {
                    String factory = factories.get(m.group(1));
                    if (factory == null) {
                        problems.add("Flink key '" + key + "': reporter '" + m.group(1) + "' has no factory.class");
                    } else if (!reporterKeys(factory).contains(suffix)) {
                        problems.add("Flink key '" + key + "': '" + suffix + "' is not an option of " + factory
                                + " (known: " + reporterKeys(factory) + " and " + reporterOptions.keySet() + ")");
                    }
                    continue;
                }
                if (suffix.equals("factory.class")) {
                    try {
                        Class.forName(value, false, FlinkConfigKeys.class.getClassLoader());
                    } catch (ClassNotFoundException ex) {
                        problems.add("Flink key '" + key + "': no class " + value);
                    }
                }
            }
            if (option == null) {
                if (!PLUGIN_KEYS.contains(key) && !OPERATOR_KEYS.contains(key)) {
                    problems.add("unknown Flink key '" + key + "'" + suggestion(key));
                }
                continue;
            }
            Configuration c = new Configuration();
            c.setString(option.key(), value);
            try {
                c.get(option);
            } catch (RuntimeException ex) {
                problems.add("Flink key '" + key + "': value '" + value + "' does not parse: " + ex.getMessage());
            }
        }
        return problems;
    }

    private static Set<String> reporterKeys(String factory) {
        Set<String> keys = new java.util.TreeSet<>(FACTORY_KEYS.getOrDefault(factory, Set.of()));
        try {
            Class<?> options = Class.forName(factory.replaceAll("Factory$", "Options"), false, FlinkConfigKeys.class.getClassLoader());
            for (Field f : options.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    keys.add(((ConfigOption<?>) f.get(null)).key());
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no options class: the maintained list only
        }
        return Collections.unmodifiableSet(keys);
    }

    private String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : options.keySet()) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
