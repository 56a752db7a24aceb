package dev.streamretrieval.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The deployment files checked without a cluster: first that the shipped files pass every check (base and
 * every component combination, rendered as kustomize would), then, check by check, that a planted mistake in a
 * copy is reported.
 */
class DeployManifestsTest {
    static final Path DEPLOY = Path.of(System.getProperty("deploy.dir", ".")).toAbsolutePath().normalize();
    static final Path K8S = DEPLOY.resolve("k8s");
    static final String FLINK_VERSION = System.getProperty("flink.version", "2.2.1");
    static final String JAVA_RELEASE = System.getProperty("java.release", "17");
    static final String JVM_OPENS = System.getProperty("jvm.opens", "");

    static String dockerfile() throws IOException {
        return Files.readString(DEPLOY.resolve("Dockerfile"));
    }

    static Stream<String> variants() {
        return Stream.of("base", "pvc-storage", "s3-endpoint", "user-models", "pvc-storage,s3-endpoint,user-models");
    }

    /** The topics (deploy/k8s/topics) and the application (base + the variant's components), rendered. */
    static List<ObjectNode> render(String variant) throws IOException {
        List<Path> components = new ArrayList<>();
        if (!variant.equals("base")) {
            for (String c : variant.split(",")) {
                components.add(K8S.resolve("components").resolve(c));
            }
        }
        List<ObjectNode> docs = new ArrayList<>(Kustomize.render(K8S.resolve("topics"), List.of()));
        docs.addAll(Kustomize.render(K8S.resolve("base"), components));
        return docs;
    }

    static List<ObjectNode> base() throws IOException {
        return render("base");
    }

    static ObjectNode fd(List<ObjectNode> docs) {
        return (ObjectNode) ManifestChecks.theFlinkDeployment(docs);
    }

    static ObjectNode topic(List<ObjectNode> docs, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic")
                && d.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    static ObjectNode conf(List<ObjectNode> docs) {
        return (ObjectNode) fd(docs).path("spec").path("flinkConfiguration");
    }

    static ArrayNode args(List<ObjectNode> docs) {
        return (ArrayNode) fd(docs).path("spec").path("job").path("args");
    }

    static int argIndex(List<ObjectNode> docs, String option) {
        ArrayNode a = args(docs);
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).asText().equals(option)) {
                return i;
            }
        }
        throw new IllegalArgumentException(option + " not in args");
    }

    // ------------------------------------------------------------------ the shipped files pass

    @Test
    void everyManifestParses() throws IOException {
        assertThat(ManifestChecks.parseAll(K8S)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void renderedManifestsPassEveryCheck(String variant) throws IOException {
        List<ObjectNode> docs = render(variant);
        assertThat(docs.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic"))).hasSize(4);
        assertThat(ManifestChecks.all(docs, dockerfile(), FLINK_VERSION, JAVA_RELEASE, JVM_OPENS)).isEmpty();
    }

    @Test
    void componentsChangeWhatTheyShould() throws IOException {
        List<ObjectNode> pvc = render("pvc-storage");
        assertThat(conf(pvc).path("execution.checkpointing.dir").asText()).isEqualTo("file:///flink-data/checkpoints");
        assertThat(ManifestChecks.jobOptions(fd(pvc)).checkpointDir).isEqualTo("file:///flink-data/checkpoints");
        assertThat(pvc).anyMatch(d -> d.path("kind").asText().equals("PersistentVolumeClaim"));
        List<ObjectNode> models = render("user-models");
        assertThat(fd(models).at("/spec/podTemplate/spec/volumes/1/persistentVolumeClaim/claimName").asText())
                .isEqualTo("stream-retrieval-models");
        assertThat(conf(render("s3-endpoint")).path("s3.endpoint").asText()).startsWith("http");
        assertThat(JVM_OPENS).as("surefire passes the pom's jvm.opens").contains("--add-opens");
    }

    // ------------------------------------------------------------------ each check reports a planted mistake

    @Test
    void parseCheckReportsBrokenYaml(@TempDir Path tmp) throws IOException {
        Path copy = copyTree(K8S, tmp.resolve("k8s"));
        Path topics = copy.resolve("topics/kafka-topics.yaml");
        Files.writeString(topics, Files.readString(topics).replaceFirst("\n  topicName: documents", "\n topicName: documents"));
        assertThat(ManifestChecks.parseAll(copy)).anyMatch(p -> p.startsWith("topics/kafka-topics.yaml: does not parse"));

        Path copy2 = copyTree(K8S, tmp.resolve("k8s2"));
        Files.writeString(copy2.resolve("base/extra.yaml"), "apiVersion: v1\nmetadata:\n  name: x\n");
        Files.writeString(copy2.resolve("base/stray-patch.yaml"), "- op: add\n  path: /x\n  value: 1\n");
        assertThat(ManifestChecks.parseAll(copy2))
                .anyMatch(p -> p.startsWith("base/extra.yaml document 1: no apiVersion or kind"))
                .anyMatch(p -> p.contains("stray-patch.yaml") && p.contains("no kustomization uses the file"));
    }

    @Test
    void strimziCheckReportsWhatStrimzisModelRejects() throws IOException {
        assertThat(plantTopics(d -> ((ObjectNode) topic(d, "queries").path("spec")).set("partitons", num(3))))
                .anyMatch(p -> p.contains("KafkaTopic queries") && p.contains("partitons"));
        assertThat(plantTopics(d -> ((ObjectNode) topic(d, "results").path("metadata")).put("lables", "x")))
                .anyMatch(p -> p.contains("KafkaTopic results") && p.contains("lables"));
        assertThat(plantTopics(d -> topic(d, "results").put("apiVersion", "kafka.strimzi.io/v2")))
                .anyMatch(p -> p.contains("apiVersion kafka.strimzi.io/v2"));
        assertThat(plantTopics(d -> ((ObjectNode) topic(d, "documents").at("/spec/config")).put("cleanup.policy", "compactt")))
                .anyMatch(p -> p.contains("KafkaTopic documents: topic config") && p.contains("compactt"));
        assertThat(plantTopics(d -> ((ObjectNode) topic(d, "documents").at("/spec/config")).put("retention.msec", "1")))
                .anyMatch(p -> p.contains("KafkaTopic documents: topic config") && p.contains("retention.msec"));
        assertThat(plantTopics(d -> ((ObjectNode) topic(d, "queries").path("spec")).put("partitions", 0)))
                .anyMatch(p -> p.contains("spec.partitions must be >= 1"));
        assertThat(plantTopics(d -> ((ObjectNode) topic(d, "queries").path("spec")).put("partitions", "six")))
                .anyMatch(p -> p.contains("does not deserialise"));
    }

    @Test
    void schemaCheckReportsFieldsTheCrdRejectsOrPrunes() throws IOException {
        assertThat(plantFd(fd -> ((ObjectNode) fd.at("/spec/job")).put("upgradeMode", "savepionts"), ManifestChecks::flinkDeploymentSchema))
                .anyMatch(p -> p.contains("upgradeMode"));
        assertThat(plantFd(fd -> ((ObjectNode) fd.at("/spec/job")).put("paralelism", 4), ManifestChecks::flinkDeploymentSchema))
                .anyMatch(p -> p.contains("paralelism"));
        assertThat(plantFd(fd -> ((ObjectNode) fd.at("/spec/flinkConfiguration")).put("taskmanager.numberOfTaskSlots", 2), ManifestChecks::flinkDeploymentSchema))
                .anyMatch(p -> p.contains("taskmanager.numberOfTaskSlots"));
        assertThat(plantFd(fd -> ((ObjectNode) fd.path("spec")).put("flinkVersion", "v2_9"), ManifestChecks::flinkDeploymentSchema))
                .anyMatch(p -> p.contains("flinkVersion"));
        assertThat(plantFd(fd -> ((ObjectNode) fd.at("/spec/taskManager/resource")).put("memory", "6 gigs"), ManifestChecks::flinkDeploymentSchema))
                .anyMatch(p -> p.contains("memory"));
        assertThat(plantFd(fd -> ((ObjectNode) fd.at("/spec/podTemplate/spec/containers/0")).putArray("volumeMount"), ManifestChecks::flinkDeploymentSchema))
                .anyMatch(p -> p.contains("volumeMount"));
    }

    @Test
    void jobArgsCheckReportsOptionsTheJobDoesNotAccept() throws IOException {
        assertThat(plantDocs(d -> args(d).add("--shardz").add("4"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("unknown option --shardz"));
        assertThat(plantDocs(d -> args(d).add("--delivery").add("twice"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("--delivery must be"));
        // the entry class takes the options alone: the CLI's command word `job` is refused
        assertThat(plantDocs(d -> args(d).insert(0, "job"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("unexpected arguments [job]"));
        assertThat(plantDocs(d -> args(d).add("--parallelism").add("4"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("--parallelism overrides"));
        assertThat(plantDocs(d -> args(d).set(argIndex(d, "--checkpoint-dir") + 1, "s3://elsewhere/cp"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("differs from execution.checkpointing.dir"));
        assertThat(plantDocs(d -> { int i = argIndex(d, "--checkpoint-dir"); args(d).remove(i + 1); args(d).remove(i); },
                docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("no --checkpoint-dir"));
        assertThat(plantDocs(d -> ((ObjectNode) fd(d).at("/spec/job")).put("parallelism", 32), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("exceeds --shards"));
        // 16 shards at parallelism 6: the placement gives [3, 3, 2, 3, 3, 2] shards, uneven
        assertThat(plantDocs(d -> ((ObjectNode) fd(d).at("/spec/job")).put("parallelism", 6), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("gives the subtasks [3, 3, 2, 3, 3, 2] of --shards 16"));
        // scaling to 8 (4 TaskManagers x 2 slots) keeps 2 shards per subtask; 12 shards over 4 subtasks are 3 each
        List<ObjectNode> eight = base();
        ((ObjectNode) fd(eight).at("/spec/job")).put("parallelism", 8);
        assertThat(ManifestChecks.jobArgs(fd(eight))).isEmpty();
        List<ObjectNode> twelve = base();
        conf(twelve).put("retrieval.shards", "12");
        assertThat(ManifestChecks.jobArgs(fd(twelve))).isEmpty();
        assertThat(plantDocs(d -> ((ObjectNode) fd(d).at("/spec/job")).put("parallelism", 5), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("not a multiple of taskmanager.numberOfTaskSlots 2"));
        assertThat(plantDocs(d -> ((ObjectNode) fd(d).at("/spec/job")).put("entryClass", "dev.streamretrieval.jobs.RetrievalJb"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("no such class"));
        assertThat(plantDocs(d -> ((ObjectNode) fd(d).at("/spec/job")).put("jarURI", "local:///opt/flink/usrlib/job.jar"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("jarURI"));
        assertThat(plantDocs(d -> args(d).add("--flink.state.backend.typ").add("rocksdb"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("unknown Flink key 'state.backend.typ'"));
        assertThat(plantDocs(d -> args(d).add("--cross-encoder").add("/models/ms-marco"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("--cross-encoder /models/ms-marco is not under a volume mounted"));
        // a model folder on the models volume passes (it exists only in the pods)
        List<ObjectNode> withModel = base();
        args(withModel).add("--cross-encoder").add("/opt/flink/models/ms-marco-minilm");
        assertThat(ManifestChecks.jobArgs(fd(withModel))).isEmpty();
    }

    @Test
    void theJobReadsItsOptionsFromTheFlinkConfiguration() throws Exception {
        JsonNode fd = fd(base());
        assertThat(ManifestChecks.flinkConfiguration(fd)).containsEntry("retrieval.shards", "16");
        assertThat(ManifestChecks.args(fd)).doesNotContain("--shards");
        // as in the JobManager: main's configuration is the one the job is submitted with
        assertThat(ContextEnvironment.jobOptions(fd).shards).isEqualTo(16);
        List<ObjectNode> eight = base();
        conf(eight).put("retrieval.shards", "8");
        assertThat(ContextEnvironment.jobOptions(fd(eight)).shards).isEqualTo(8);
        // an argument overrides the configuration
        List<ObjectNode> overridden = base();
        args(overridden).add("--shards").add("4");
        assertThat(ContextEnvironment.jobOptions(fd(overridden)).shards).isEqualTo(4);
        // a misspelt or bad job option in flinkConfiguration is caught by the checks
        assertThat(plantDocs(d -> conf(d).put("retrieval.shardz", "16"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("unknown option retrieval.shardz in the Flink configuration"));
        assertThat(plantDocs(d -> conf(d).put("retrieval.dense-index", "hnsw"), docs -> ManifestChecks.jobArgs(fd(docs))))
                .anyMatch(p -> p.contains("--dense-index must be"));
        assertThat(plantDocs(d -> conf(d).put("retrieval.nprobe", "many"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("'retrieval.nprobe': value 'many' does not parse"));
    }

    @Test
    void flinkKeyCheckReportsUnknownKeysAndBadValues() throws IOException {
        assertThat(plantDocs(d -> conf(d).put("state.backend.typ", "rocksdb"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("unknown Flink key 'state.backend.typ'") && p.contains("did you mean 'state.backend.type'"));
        assertThat(plantDocs(d -> conf(d).put("execution.checkpointing.incremental", "ture"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("'execution.checkpointing.incremental': value 'ture' does not parse"));
        assertThat(plantDocs(d -> conf(d).put("taskmanager.memory.jvm-overhead.min", "1 gigabyte"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("jvm-overhead.min"));
        assertThat(plantDocs(d -> conf(d).put("metrics.reporter.prom.prot", "9249"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("'prot' is not an option"));
        assertThat(plantDocs(d -> conf(d).put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactroy"),
                docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("no class org.apache.flink.metrics.prometheus.PrometheusReporterFactroy"));
        assertThat(plantDocs(d -> conf(d).put("s3.endpoitn", "http://x"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("unknown Flink key 's3.endpoitn'"));
        assertThat(plantDocs(d -> conf(d).put("kubernetes.operator.deployment.rolback.enabled", "true"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("unknown Flink key 'kubernetes.operator.deployment.rolback.enabled'"));
        // a key Flink 2 still reads only as a deprecated fallback
        String deprecated = FlinkConfigKeys.get().deprecated.keySet().stream().filter(k -> k.startsWith("state.")).findFirst().orElseThrow();
        assertThat(plantDocs(d -> conf(d).put(deprecated, "x"), docs -> ManifestChecks.flinkKeys(fd(docs))))
                .anyMatch(p -> p.contains("'" + deprecated + "' is deprecated"));
    }

    @Test
    void topicCheckReportsNamesThatDisagree() throws IOException {
        assertThat(plantDocs(d -> ((ObjectNode) topic(d, "results").path("spec")).put("topicName", "result"), docs -> ManifestChecks.topicsAgree(fd(docs), docs)))
                .anyMatch(p -> p.contains("--results-topic is 'results' but no KafkaTopic"))
                .anyMatch(p -> p.contains("KafkaTopic 'result' is not a topic the job uses"));
        assertThat(plantDocs(d -> args(d).set(argIndex(d, "--dead-letter-topic") + 1, "deadletters"), docs -> ManifestChecks.topicsAgree(fd(docs), docs)))
                .anyMatch(p -> p.contains("--dead-letter-topic is 'deadletters'"));
        assertThat(plantDocs(d -> ((ObjectNode) topic(d, "documents").at("/spec/config")).put("cleanup.policy", "delete"), docs -> ManifestChecks.topicsAgree(fd(docs), docs)))
                .anyMatch(p -> p.contains("must be compacted"));
        assertThat(plantDocs(d -> ((ObjectNode) topic(d, "documents").at("/spec/config")).put("max.message.bytes", 100000), docs -> ManifestChecks.topicsAgree(fd(docs), docs)))
                .anyMatch(p -> p.contains("below the job's --max-document-bytes"));
        assertThat(plantDocs(d -> args(d).set(argIndex(d, "--bootstrap-servers") + 1, "other-kafka-bootstrap.kafka.svc:9092"), docs -> ManifestChecks.topicsAgree(fd(docs), docs)))
                .anyMatch(p -> p.contains("not a service of Kafka cluster 'my-cluster'"));
    }

    @Test
    void metricsCheckReportsAReporterPodsCannotBeScrapedOn() throws IOException {
        assertThat(plantDocs(d -> conf(d).put("metrics.reporter.prom.port", "9250"), docs -> ManifestChecks.metricsReporter(fd(docs))))
                .anyMatch(p -> p.contains("prometheus.io/port 9249 differs"))
                .anyMatch(p -> p.contains("no port named metrics on 9250"));
        assertThat(plantDocs(d -> conf(d).remove("metrics.reporter.prom.factory.class"), docs -> ManifestChecks.metricsReporter(fd(docs))))
                .anyMatch(p -> p.contains("metrics.reporter.prom.factory.class is null"));
        assertThat(plantDocs(d -> conf(d).put("env.java.opts.all", "-XX:+UseG1GC"), docs -> ManifestChecks.jvmOpens(fd(docs), JVM_OPENS)))
                .anyMatch(p -> p.contains("lacks --add-opens=java.base/java.util=ALL-UNNAMED"));
    }

    @Test
    void versionCheckReportsAnImageOfAnotherFlinkOrJava() throws IOException {
        JsonNode fd = fd(base());
        String docker = dockerfile();
        assertThat(ManifestChecks.versions(docker.replace("flink:" + FLINK_VERSION + "-java", "flink:2.1.0-java"), FLINK_VERSION, JAVA_RELEASE, fd))
                .anyMatch(p -> p.contains("Flink 2.1.0 but the pom's flink.version is " + FLINK_VERSION));
        assertThat(ManifestChecks.versions(docker.replace("-java" + JAVA_RELEASE, "-java11"), FLINK_VERSION, JAVA_RELEASE, fd))
                .anyMatch(p -> p.contains("Java 11"));
        assertThat(ManifestChecks.versions(docker, "2.3.0", JAVA_RELEASE, fd))
                .anyMatch(p -> p.contains("Flink " + FLINK_VERSION + " but the pom's flink.version is 2.3.0"))
                .anyMatch(p -> p.contains("flinkVersion is v2_2 but the pom's Flink 2.3.0 is v2_3"));
        assertThat(ManifestChecks.versions(docker.replaceAll("(?m)^USER flink$", "USER root"), FLINK_VERSION, JAVA_RELEASE, fd))
                .anyMatch(p -> p.contains("non-root USER"));
        assertThat(ManifestChecks.versions(docker.replace("/opt/flink/usrlib/\n", "/opt/flink/lib/\n"), FLINK_VERSION, JAVA_RELEASE, fd))
                .anyMatch(p -> p.contains("no COPY into /opt/flink/usrlib/"));
    }

    @Test
    void renderingFailsWhenAComponentNoLongerFitsTheBase(@TempDir Path tmp) throws IOException {
        Path copy = copyTree(K8S, tmp.resolve("k8s"));
        Path base = copy.resolve("base/flink-deployment.yaml");
        // an argument inserted before --checkpoint-dir moves it: the pvc-storage patch's test operation notices
        Files.writeString(base, Files.readString(base).replace("    args:\n", "    args:\n      - --default-k\n      - \"10\"\n"));
        assertThatThrownBy(() -> Kustomize.render(copy.resolve("base"), List.of(copy.resolve("components/pvc-storage"))))
                .hasMessageContaining("test /spec/job/args/16");
        Files.delete(copy.resolve("topics/kafka-topics.yaml"));
        assertThatThrownBy(() -> Kustomize.render(copy.resolve("topics"), List.of()))
                .hasMessageContaining("resource kafka-topics.yaml does not exist");
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode num(int n) {
        return Yaml.MAPPER.getNodeFactory().numberNode(n);
    }

    private static List<String> plantTopics(Consumer<List<ObjectNode>> mistake) throws IOException {
        return plantDocs(mistake, ManifestChecks::strimziTopics);
    }

    private static List<String> plantFd(Consumer<ObjectNode> mistake, java.util.function.Function<JsonNode, List<String>> check) throws IOException {
        List<ObjectNode> docs = base();
        assertThat(check.apply(fd(docs))).as("the shipped manifests pass this check").isEmpty();
        mistake.accept(fd(docs));
        return check.apply(fd(docs));
    }

    /** Runs the check on the shipped base (must pass), plants the mistake in a parsed copy, runs it again. */
    private static List<String> plantDocs(Consumer<List<ObjectNode>> mistake,
            java.util.function.Function<List<ObjectNode>, List<String>> check) throws IOException {
        List<ObjectNode> docs = base();
        assertThat(check.apply(docs)).as("the shipped manifests pass this check").isEmpty();
        mistake.accept(docs);
        List<String> problems = check.apply(docs);
        assertThat(problems).as("the planted mistake is reported").isNotEmpty();
        return problems;
    }

    static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
