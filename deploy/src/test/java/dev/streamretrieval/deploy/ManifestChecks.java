package dev.streamretrieval.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.operators.placement.ShardPlacement;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * The checks deploy's tests run on the manifests, each returning the problems it finds (empty = passes), so a
 * test can show that each one reports a planted mistake.
 */
final class ManifestChecks {
    static final String JOB_JAR_URI = "local:///opt/flink/usrlib/stream-retrieval-job.jar";
    static final String ENTRY_CLASS = "dev.streamretrieval.jobs.RetrievalJob";
    static final String PROMETHEUS_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private ManifestChecks() {}

    // ------------------------------------------------------------------ 1. every manifest parses

    /**
     * Every .yaml/.yml file under {@code root} parses; every document is a mapping with apiVersion and kind (and
     * metadata.name for resources), except JSON 6902 patch files, which a kustomization must name as patches, and
     * files a kustomization's configMapGenerator turns into ConfigMap data (they only have to parse).
     */
    static List<String> parseAll(Path root) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        if (files.isEmpty()) {
            problems.add(root + ": no manifests");
        }
        Set<Path> patchFiles = new LinkedHashSet<>();
        Set<Path> generated = new LinkedHashSet<>();
        Map<Path, List<JsonNode>> parsed = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                List<JsonNode> docs = Yaml.readAll(f);
                if (docs.isEmpty()) {
                    problems.add(root.relativize(f) + ": no YAML document");
                }
                parsed.put(f, docs);
                for (JsonNode d : docs) {
                    if (d.path("kind").asText().matches("Kustomization|Component")) {
                        for (JsonNode p : d.path("patches")) {
                            patchFiles.add(f.getParent().resolve(p.path("path").asText()).normalize());
                        }
                        generated.addAll(Kustomize.generatorFiles(f, d));
                    }
                }
            } catch (IOException e) {
                problems.add(root.relativize(f) + ": does not parse: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        for (Map.Entry<Path, List<JsonNode>> e : parsed.entrySet()) {
            if (generated.contains(e.getKey().normalize())) {
                continue; // ConfigMap data (e.g. Grafana's provisioning file), not a manifest
            }
            String name = root.relativize(e.getKey()).toString();
            int i = 0;
            for (JsonNode d : e.getValue()) {
                i++;
                if (d.isArray()) {
                    if (!patchFiles.contains(e.getKey().normalize())) {
                        problems.add(name + " document " + i + ": a list, but no kustomization uses the file as a patch");
                    }
                    continue;
                }
                if (!d.isObject()) {
                    problems.add(name + " document " + i + ": not a mapping");
                    continue;
                }
                if (!d.path("apiVersion").isTextual() || !d.path("kind").isTextual()) {
                    problems.add(name + " document " + i + ": no apiVersion or kind");
                    continue;
                }
                if (!d.path("kind").asText().matches("Kustomization|Component") && !d.path("metadata").path("name").isTextual()) {
                    problems.add(name + " document " + i + ": " + d.path("kind").asText() + " without metadata.name");
                }
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ 2. Strimzi's Java model

    /**
     * Every KafkaTopic deserialises into Strimzi's {@link KafkaTopic} with no property the model does not know
     * (Strimzi's model keeps unknown properties aside instead of failing, so they are looked for), has a served
     * API version, at least one partition and replica, and topic configs Kafka knows with values that parse.
     */
    static List<String> strimziTopics(List<? extends JsonNode> docs) {
        List<String> problems = new ArrayList<>();
        for (JsonNode d : docs) {
            if (!d.path("kind").asText().equals("KafkaTopic")) {
                continue;
            }
            String name = "KafkaTopic " + d.path("metadata").path("name").asText("?");
            String apiVersion = d.path("apiVersion").asText();
            String expectedGroup = KafkaTopic.RESOURCE_GROUP + "/";
            if (!apiVersion.startsWith(expectedGroup) || !KafkaTopic.VERSIONS.contains(apiVersion.substring(expectedGroup.length()))) {
                problems.add(name + ": apiVersion " + apiVersion + " is not " + expectedGroup + KafkaTopic.VERSIONS);
            }
            KafkaTopic topic;
            try {
                topic = Yaml.MAPPER.treeToValue(d, KafkaTopic.class);
            } catch (IOException | RuntimeException e) {
                problems.add(name + ": does not deserialise into Strimzi's KafkaTopic: " + e.getMessage().lines().findFirst().orElse(""));
                continue;
            }
            unknownProperties(topic, name, problems, new IdentityHashMap<>());
            if (topic.getSpec() == null) {
                problems.add(name + ": no spec");
                continue;
            }
            if (topic.getSpec().getPartitions() == null || topic.getSpec().getPartitions() < 1) {
                problems.add(name + ": spec.partitions must be >= 1");
            }
            if (topic.getSpec().getReplicas() == null || topic.getSpec().getReplicas() < 1) {
                problems.add(name + ": spec.replicas must be >= 1");
            }
            if (topic.getMetadata().getLabels() == null || !topic.getMetadata().getLabels().containsKey("strimzi.io/cluster")) {
                problems.add(name + ": no strimzi.io/cluster label (the Topic Operator ignores it)");
            }
            Map<String, Object> config = topic.getSpec().getConfig() == null ? Map.of() : topic.getSpec().getConfig();
            Properties props = new Properties();
            config.forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
            try {
                LogConfig.validateNames(props);
                LogConfig.configDefCopy().parse(props);
            } catch (RuntimeException e) {
                problems.add(name + ": topic config: " + e.getMessage());
            }
        }
        return problems;
    }

    /** Walks Strimzi/fabric8 model objects and reports every property the model kept aside as unknown. */
    private static void unknownProperties(Object o, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownProperties(e, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        String cls = o.getClass().getName();
        if (!cls.startsWith("io.strimzi.api.") && !cls.startsWith("io.fabric8.kubernetes.api.model.")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getName().equals("getClass")) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown propert" + (extra.size() == 1 ? "y " : "ies ") + extra.keySet()
                            + " (not in Strimzi's model)");
                }
                continue;
            }
            String prop = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            unknownProperties(v, path + "." + prop, problems, seen);
        }
    }

    // ------------------------------------------------------------------ 3. FlinkDeployment against the CRD subset

    private static volatile JsonSchema flinkDeploymentSchema;

    static JsonSchema flinkDeploymentSchema() {
        if (flinkDeploymentSchema == null) {
            try (InputStream in = ManifestChecks.class.getResourceAsStream("/flinkdeployment-v1beta1.schema.json")) {
                JsonNode schema = new ObjectMapper().readTree(in);
                flinkDeploymentSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return flinkDeploymentSchema;
    }

    static List<String> flinkDeploymentSchema(JsonNode fd) {
        List<String> problems = new ArrayList<>();
        for (ValidationMessage m : flinkDeploymentSchema().validate(fd)) {
            problems.add("FlinkDeployment schema: " + m.getMessage());
        }
        return problems;
    }

    // ------------------------------------------------------------------ 4. job arguments and Flink keys

    static List<String> args(JsonNode fd) {
        List<String> args = new ArrayList<>();
        fd.path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    static Map<String, String> flinkConfiguration(JsonNode fd) {
        Map<String, String> conf = new LinkedHashMap<>();
        fd.path("spec").path("flinkConfiguration").fields().forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    /**
     * The job's options as its own parser reads the manifest: the {@code retrieval.*} keys of flinkConfiguration,
     * overridden by the args (throws on an unknown option or bad value).
     * A model folder (an absolute path) exists only in the pods, and the parser checks that folders exist, so it
     * is parsed as a stand-in ({@link #MODEL_STAND_INS}); {@link #jobArgs} checks that the path is on a mounted
     * volume.
     */
    static JobOptions jobOptions(JsonNode fd) {
        List<String> args = new ArrayList<>(args(fd));
        for (int i = 0; i + 1 < args.size(); i++) {
            if (MODEL_STAND_INS.containsKey(args.get(i)) && args.get(i + 1).startsWith("/")) {
                args.set(i + 1, MODEL_STAND_INS.get(args.get(i)));
            }
        }
        return JobOptions.parse(Configuration.fromMap(flinkConfiguration(fd)), args.toArray(new String[0]));
    }

    /** Options that take a model folder, and the value each is parsed as when the folder is a pod path. */
    static final Map<String, String> MODEL_STAND_INS = Map.of(
            "--dense-model", "all-minilm-l6-v2-q", "--token-model", "dense", "--cross-encoder", "none");

    /**
     * The entry point and jar exist as named, the args and flinkConfiguration's job options are options
     * {@link JobOptions#parse} accepts, the job's
     * checkpoint directory equals the cluster's, parallelism comes from spec.job.parallelism (so scaling is one
     * field), does not exceed the shards and gives every subtask the same number of shards (by the job's own
     * placement) and every TaskManager full slots, and --flink.* passthrough keys are real Flink keys.
     */
    static List<String> jobArgs(JsonNode fd) {
        List<String> problems = new ArrayList<>();
        JsonNode job = fd.path("spec").path("job");
        String entry = job.path("entryClass").asText();
        try {
            Method main = Class.forName(entry).getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                problems.add("entryClass " + entry + ": main is not static");
            }
        } catch (ReflectiveOperationException e) {
            problems.add("entryClass " + entry + ": no such class with a main method");
        }
        if (!entry.equals(ENTRY_CLASS)) {
            problems.add("entryClass is " + entry + ", the job's entry point is " + ENTRY_CLASS);
        }
        if (!job.path("jarURI").asText().equals(JOB_JAR_URI)) {
            problems.add("jarURI is " + job.path("jarURI").asText() + ", the image has the job at " + JOB_JAR_URI);
        }
        JobOptions o;
        try {
            o = jobOptions(fd);
        } catch (IllegalArgumentException e) {
            problems.add("job args: " + e.getMessage());
            return problems;
        }
        if (o.bootstrapServers == null) {
            problems.add("job args: no --bootstrap-servers (the job would have no Kafka)");
        }
        if (args(fd).stream().anyMatch(a -> a.equals("--parallelism") || a.startsWith("--parallelism="))) {
            problems.add("job args: --parallelism overrides spec.job.parallelism; scale through spec.job.parallelism");
        }
        String clusterDir = flinkConfiguration(fd).get("execution.checkpointing.dir");
        if (o.checkpointDir == null) {
            problems.add("job args: no --checkpoint-dir; the job would checkpoint to a local work-data folder");
        } else if (!o.checkpointDir.equals(clusterDir)) {
            problems.add("job args: --checkpoint-dir " + o.checkpointDir + " differs from execution.checkpointing.dir " + clusterDir);
        }
        int parallelism = job.path("parallelism").asInt(0);
        if (parallelism > o.shards) {
            problems.add("spec.job.parallelism " + parallelism + " exceeds --shards " + o.shards
                    + " (shards are the unit of index parallelism)");
        } else if (parallelism > 0) {
            ShardPlacement placement = o.placement();
            int[] shardsPerSubtask = new int[parallelism];
            for (int s = 0; s < o.shards; s++) {
                shardsPerSubtask[placement.subtaskOf(s, parallelism)]++;
            }
            if (Arrays.stream(shardsPerSubtask).distinct().count() > 1) {
                problems.add("spec.job.parallelism " + parallelism + " gives the subtasks " + Arrays.toString(shardsPerSubtask)
                        + " of --shards " + o.shards + ": choose a parallelism that divides the shard count, so that "
                        + "every subtask owns the same number of shards");
            }
        }
        String slots = flinkConfiguration(fd).getOrDefault("taskmanager.numberOfTaskSlots", "1");
        if (parallelism > 0 && parallelism % Integer.parseInt(slots) != 0) {
            problems.add("spec.job.parallelism " + parallelism + " is not a multiple of taskmanager.numberOfTaskSlots "
                    + slots + ": a TaskManager would keep idle slots");
        }
        for (String p : FlinkConfigKeys.get().check(o.flinkConfiguration)) {
            problems.add("job args --flink.*: " + p);
        }
        List<String> mounts = new ArrayList<>();
        for (JsonNode c : fd.path("spec").path("podTemplate").path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                c.path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText().replaceAll("/$", "") + "/"));
            }
        }
        List<String> a = args(fd);
        for (int i = 0; i + 1 < a.size(); i++) {
            String value = a.get(i + 1);
            if (MODEL_STAND_INS.containsKey(a.get(i)) && value.startsWith("/") && mounts.stream().noneMatch(value::startsWith)) {
                problems.add("job args: " + a.get(i) + " " + value + " is not under a volume mounted in the pods " + mounts);
            }
        }
        return problems;
    }

    /** Every flinkConfiguration key is one Flink knows, with a value that parses. */
    static List<String> flinkKeys(JsonNode fd) {
        return FlinkConfigKeys.get().check(flinkConfiguration(fd));
    }

    // ------------------------------------------------------------------ 5. topics agree

    static List<String> topicsAgree(JsonNode fd, List<? extends JsonNode> docs) {
        List<String> problems = new ArrayList<>();
        JobOptions o;
        try {
            o = jobOptions(fd);
        } catch (IllegalArgumentException e) {
            return List.of("job args: " + e.getMessage());
        }
        Map<String, JsonNode> topics = new LinkedHashMap<>();
        for (JsonNode d : docs) {
            if (d.path("kind").asText().equals("KafkaTopic")) {
                String name = d.path("spec").path("topicName").asText(d.path("metadata").path("name").asText());
                topics.put(name, d);
            }
        }
        Map<String, String> used = new LinkedHashMap<>();
        used.put("--documents-topic", o.documentsTopic);
        used.put("--queries-topic", o.queriesTopic);
        used.put("--results-topic", o.resultsTopic);
        used.put("--dead-letter-topic", o.deadLetterTopic);
        used.forEach((option, topic) -> {
            if (!topics.containsKey(topic)) {
                problems.add("the job's " + option + " is '" + topic + "' but no KafkaTopic has that name (KafkaTopics: " + topics.keySet() + ")");
            }
        });
        for (String t : topics.keySet()) {
            if (!used.containsValue(t)) {
                problems.add("KafkaTopic '" + t + "' is not a topic the job uses");
            }
        }
        JsonNode documents = topics.get(o.documentsTopic);
        if (documents != null) {
            String policy = documents.path("spec").path("config").path("cleanup.policy").asText("delete");
            if (!Arrays.asList(policy.split("\\s*,\\s*")).contains("compact")) {
                problems.add("documents topic '" + o.documentsTopic + "' must be compacted (cleanup.policy: compact) so that a replay rebuilds the index");
            }
            JsonNode max = documents.path("spec").path("config").path("max.message.bytes");
            if (max.canConvertToLong() && max.asLong() < o.limits.maxDocumentBytes) {
                problems.add("documents topic max.message.bytes " + max.asLong() + " is below the job's --max-document-bytes "
                        + o.limits.maxDocumentBytes + ": oversized documents would be refused by Kafka, not dead-lettered");
            }
        }
        Set<String> clusters = new LinkedHashSet<>();
        Set<String> namespaces = new LinkedHashSet<>();
        for (JsonNode t : topics.values()) {
            clusters.add(t.path("metadata").path("labels").path("strimzi.io/cluster").asText(""));
            namespaces.add(t.path("metadata").path("namespace").asText(""));
        }
        if (clusters.size() > 1) {
            problems.add("KafkaTopics name different Kafka clusters: " + clusters);
        }
        if (o.bootstrapServers != null && clusters.size() == 1) {
            String cluster = clusters.iterator().next();
            for (String server : o.bootstrapServers.split(",")) {
                String host = server.trim().replaceAll(":\\d+$", "");
                String[] parts = host.split("\\.");
                if (!parts[0].startsWith(cluster + "-kafka-")) {
                    problems.add("bootstrap server " + server + " is not a service of Kafka cluster '" + cluster
                            + "' that the KafkaTopics name (expected " + cluster + "-kafka-bootstrap...)");
                } else if (parts.length > 1 && namespaces.size() == 1 && !namespaces.contains("") && !namespaces.contains(parts[1])) {
                    problems.add("bootstrap server " + server + " is in namespace " + parts[1] + " but the KafkaTopics are in " + namespaces);
                }
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ 6. metrics reporter, JVM options

    static List<String> metricsReporter(JsonNode fd) {
        List<String> problems = new ArrayList<>();
        Map<String, String> conf = flinkConfiguration(fd);
        String factory = conf.get("metrics.reporter.prom.factory.class");
        if (!PROMETHEUS_FACTORY.equals(factory)) {
            problems.add("metrics.reporter.prom.factory.class is " + factory + ", expected " + PROMETHEUS_FACTORY);
        }
        String port = conf.get("metrics.reporter.prom.port");
        if (port == null || !port.matches("\\d+")) {
            problems.add("metrics.reporter.prom.port must be one port (pods are scraped on it), got " + port);
            return problems;
        }
        JsonNode pod = fd.path("spec").path("podTemplate");
        String annotated = pod.path("metadata").path("annotations").path("prometheus.io/port").asText(null);
        if (!port.equals(annotated)) {
            problems.add("pod annotation prometheus.io/port " + annotated + " differs from metrics.reporter.prom.port " + port);
        }
        boolean exposed = false;
        for (JsonNode c : pod.path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                for (JsonNode p : c.path("ports")) {
                    if (p.path("name").asText().equals("metrics") && p.path("containerPort").asText().equals(port)) {
                        exposed = true;
                    }
                }
            }
        }
        if (!exposed) {
            problems.add("flink-main-container has no port named metrics on " + port + " (PodMonitor scrapes it by name)");
        }
        return problems;
    }

    /** The --add-opens the project runs with (pom property jvm.opens) are all in env.java.opts.all. */
    static List<String> jvmOpens(JsonNode fd, String pomOpens) {
        List<String> problems = new ArrayList<>();
        Set<String> have = new LinkedHashSet<>(Arrays.asList(flinkConfiguration(fd).getOrDefault("env.java.opts.all", "").trim().split("\\s+")));
        for (String opt : pomOpens.trim().split("\\s+")) {
            if (!have.contains(opt)) {
                problems.add("env.java.opts.all lacks " + opt + " (the project's jvm.opens)");
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ 7. versions

    private static final Pattern FROM = Pattern.compile(
            "(?m)^\\s*FROM\\s+(?:docker\\.io/)?(?:library/)?flink:(\\d+)\\.(\\d+)\\.(\\d+)(?:-scala_[\\d.]+)?-java(\\d+)\\s*$");

    /**
     * The Dockerfile is FROM the official Flink image of the project's Flink version and Java release, ends as a
     * non-root user and puts the job where jarURI says; the FlinkDeployment's flinkVersion is the same minor.
     */
    static List<String> versions(String dockerfile, String flinkVersion, String javaRelease, JsonNode fd) {
        List<String> problems = new ArrayList<>();
        List<String> froms = dockerfile.lines().filter(l -> l.trim().startsWith("FROM ")).toList();
        Matcher m = FROM.matcher(dockerfile);
        if (froms.size() != 1 || !m.find()) {
            problems.add("Dockerfile: expected one 'FROM flink:<version>-java<release>' line, found " + froms);
        } else {
            String version = m.group(1) + "." + m.group(2) + "." + m.group(3);
            if (!version.equals(flinkVersion)) {
                problems.add("Dockerfile: Flink " + version + " but the pom's flink.version is " + flinkVersion);
            }
            if (!m.group(4).equals(javaRelease)) {
                problems.add("Dockerfile: Java " + m.group(4) + " but the project builds for Java " + javaRelease);
            }
        }
        List<String> users = dockerfile.lines().map(String::trim).filter(l -> l.startsWith("USER ")).toList();
        if (users.isEmpty() || users.get(users.size() - 1).matches("USER\\s+(root|0)(:.*)?")) {
            problems.add("Dockerfile: the image must end as a non-root USER, found " + users);
        }
        String usrlib = JOB_JAR_URI.substring("local://".length(), JOB_JAR_URI.lastIndexOf('/') + 1);
        if (dockerfile.lines().noneMatch(l -> l.trim().startsWith("COPY") && l.contains(usrlib))) {
            problems.add("Dockerfile: no COPY into " + usrlib + " where jarURI expects the job");
        }
        String[] v = flinkVersion.split("\\.");
        String expected = "v" + v[0] + "_" + v[1];
        String actual = fd.path("spec").path("flinkVersion").asText();
        if (!expected.equals(actual)) {
            problems.add("FlinkDeployment flinkVersion is " + actual + " but the pom's Flink " + flinkVersion + " is " + expected);
        }
        return problems;
    }

    // ------------------------------------------------------------------ all together

    static JsonNode theFlinkDeployment(List<? extends JsonNode> docs) {
        List<? extends JsonNode> fds = docs.stream().filter(d -> d.path("kind").asText().equals("FlinkDeployment")).toList();
        if (fds.size() != 1) {
            throw new IllegalArgumentException("expected one FlinkDeployment, found " + fds.size());
        }
        return fds.get(0);
    }

    /** Every check on a rendered set of resources. */
    static List<String> all(List<? extends JsonNode> docs, String dockerfile, String flinkVersion, String javaRelease,
            String jvmOpens) {
        JsonNode fd = theFlinkDeployment(docs);
        List<String> problems = new ArrayList<>();
        problems.addAll(strimziTopics(docs));
        problems.addAll(flinkDeploymentSchema(fd));
        problems.addAll(jobArgs(fd));
        problems.addAll(flinkKeys(fd));
        problems.addAll(topicsAgree(fd, docs));
        problems.addAll(metricsReporter(fd));
        problems.addAll(jvmOpens(fd, jvmOpens));
        problems.addAll(versions(dockerfile, flinkVersion, javaRelease, fd));
        return problems;
    }
}
