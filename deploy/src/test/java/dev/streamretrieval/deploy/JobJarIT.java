package dev.streamretrieval.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar the image ships (jobs/target/stream-retrieval-job.jar, built by jobs' shade execution, Flink
 * `provided`) and the image's build context (deploy/target/image): the jar carries the job and the libraries Flink
 * does not ship, nothing of Flink itself and none of the tools (CLI, local runner, benchmarks), every class the
 * project's code names resolves inside the jar or the Flink image, and the job graph builds from the jar's classes
 * plus Flink's alone — as it would in the JobManager of the image. Runs in `verify`, after both are packaged.
 */
class JobJarIT {
    static final Path JOB_JAR = Path.of(System.getProperty("job.jar", "../jobs/target/stream-retrieval-job.jar"));
    static final Path IMAGE = Path.of(System.getProperty("image.dir", "target/image"));

    /** What the Flink image provides (flink-dist, its lib/ and the JDK); everything else must come from the jar. */
    static final List<String> PROVIDED = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.",
            "org.apache.flink.", "org.slf4j.", "org.apache.logging.log4j.", "org.apache.commons.", "com.esotericsoftware.",
            "org.objenesis.", "org.rocksdb.", "org.snakeyaml.");
    static final List<String> REQUIRED = List.of(
            "dev/streamretrieval/jobs/RetrievalJob.class",
            "dev/streamretrieval/operators/index/IndexAndSearchShards.class",
            "dev/streamretrieval/schemas/Document.class",
            "org/apache/flink/connector/kafka/source/KafkaSource.class",
            "org/apache/flink/connector/base/DeliveryGuarantee.class",
            "org/apache/kafka/clients/consumer/KafkaConsumer.class",
            "org/apache/lucene/analysis/Analyzer.class",
            "org/apache/lucene/analysis/en/PorterStemFilter.class",
            "com/fasterxml/jackson/databind/ObjectMapper.class",
            "ai/onnxruntime/OrtEnvironment.class",
            "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
            "ai/djl/huggingface/tokenizers/HuggingFaceTokenizer.class",
            "native/lib/tokenizers.properties",
            "native/lib/linux-x86_64/cpu/libtokenizers.so");
    /** Flink's own classes (anything under org/apache/flink/ but the connectors), logging, the tools, foreign natives. */
    static final List<String> FORBIDDEN = List.of("org/apache/flink/", "org/rocksdb/", "kafka/server/",
            "org/apache/kafka/raft/", "org/apache/kafka/metadata/", "org/apache/kafka/storage/internals/", "scala/",
            "org/apache/logging/log4j/", "org/slf4j/", "ai/onnxruntime/native/win-", "ai/onnxruntime/native/osx-",
            "native/lib/win-", "native/lib/osx-",
            "dev/streamretrieval/jobs/cli/", "dev/streamretrieval/jobs/bench/", "dev/streamretrieval/jobs/cluster/",
            "dev/streamretrieval/jobs/local/", "dev/streamretrieval/jobs/evaluation/", "dev/streamretrieval/jobs/client/",
            "picocli/", "sample/", "log4j2.properties");
    /** Flink packages that are connectors, not part of a Flink distribution: the jar must carry these. */
    static final List<String> CONNECTORS = List.of("org/apache/flink/connector/kafka/", "org/apache/flink/streaming/connectors/kafka/",
            "org/apache/flink/streaming/util/serialization/", // flink-connector-kafka's JSON key/value schema
            "org/apache/flink/connector/base/");

    /** Entries the jar lacks or must not have (Flink, logging, the embedded broker, the tools, foreign natives, models). */
    static List<String> contentProblems(Set<String> entries) {
        List<String> problems = new java.util.ArrayList<>();
        REQUIRED.stream().filter(e -> !entries.contains(e)).forEach(e -> problems.add("missing " + e));
        entries.stream()
                .filter(e -> !e.endsWith("/")) // directories: their files are what counts
                .filter(e -> (FORBIDDEN.stream().anyMatch(e::startsWith) && CONNECTORS.stream().noneMatch(e::startsWith))
                        || e.endsWith(".onnx"))
                .sorted().limit(10)
                .forEach(e -> problems.add("must not contain " + e));
        return problems;
    }

    /**
     * Classes that the project's own classes in the jar name (class entries of their constant pools) and that
     * neither the jar, the JDK nor the Flink image provides: a runtime dependency the jar lacks.
     */
    static List<String> unresolvedReferences(Path jar, Set<String> entries) throws IOException {
        java.util.TreeSet<String> missing = new java.util.TreeSet<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (var e : (Iterable<java.util.jar.JarEntry>) j.stream()::iterator) {
                if (!e.getName().startsWith("dev/streamretrieval/") || !e.getName().endsWith(".class")) {
                    continue;
                }
                byte[] bytes;
                try (var in = j.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                for (String ref : ClassReferences.of(bytes)) {
                    if (!entries.contains(ref + ".class") && !providedByImage(ref)) {
                        missing.add(ref + " (named by " + e.getName() + ")");
                    }
                }
            }
        }
        return List.copyOf(missing);
    }

    /** The JDK's classes and Flink's (org.apache.flink but its connectors, and what flink-dist bundles). */
    static boolean providedByImage(String internalName) {
        String dotted = internalName.replace('/', '.');
        if (ClassLoader.getPlatformClassLoader().getResource(internalName + ".class") != null) {
            return true;
        }
        return PROVIDED.stream().anyMatch(dotted::startsWith) && CONNECTORS.stream().noneMatch(internalName::startsWith);
    }

    static Set<String> entries(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.stream().map(e -> e.getName()).collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void jarHoldsTheJobAndItsLibrariesButNotFlink() throws IOException {
        assertThat(JOB_JAR).as("built by `mvn -pl jobs package`").exists();
        try (JarFile jar = new JarFile(JOB_JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(ManifestChecks.ENTRY_CLASS);
        }
        Set<String> entries = entries(JOB_JAR);
        assertThat(contentProblems(entries)).isEmpty();
        assertThat(unresolvedReferences(JOB_JAR, entries)).as("classes the job's code names that nothing provides").isEmpty();
        assertThat(Files.size(JOB_JAR)).as("job jar size").isLessThan(80L << 20);
        // planted: a Flink runtime class, a tool class and a missing library are reported
        Set<String> planted = new java.util.HashSet<>(entries);
        planted.add("org/apache/flink/runtime/jobgraph/JobGraph.class");
        planted.add("org/apache/flink/api/common/ExecutionConfig.class");
        planted.add("dev/streamretrieval/jobs/cli/Main.class");
        planted.remove("org/apache/lucene/analysis/Analyzer.class");
        assertThat(contentProblems(planted)).contains("must not contain org/apache/flink/runtime/jobgraph/JobGraph.class",
                "must not contain org/apache/flink/api/common/ExecutionConfig.class",
                "must not contain dev/streamretrieval/jobs/cli/Main.class",
                "missing org/apache/lucene/analysis/Analyzer.class");
        // planted: without the Kafka connector's classes, the job's references to them resolve nowhere
        Set<String> withoutConnector = new java.util.HashSet<>(entries);
        withoutConnector.removeIf(e -> e.startsWith("org/apache/flink/connector/kafka/"));
        assertThat(unresolvedReferences(JOB_JAR, withoutConnector))
                .anyMatch(m -> m.startsWith("org/apache/flink/connector/kafka/source/KafkaSource (named by dev/streamretrieval/jobs/RetrievalJob.class)"));
    }

    @Test
    void jobGraphBuildsFromTheJarAndFlinkAlone() throws Exception {
        JobGraph graph = buildJobGraph(usrlib(JOB_JAR));
        assertThat(graph.getNumberOfVertices()).isPositive();
        List<String> names = Stream.of(graph.getVerticesAsArray()).map(v -> v.getName()).toList();
        assertThat(String.join(" ", names)).contains("documents-source").contains("queries-source");
    }

    @Test
    void jobGraphCheckReportsALibraryMissingFromTheJar(@TempDir Path tmp) throws Exception {
        Path planted = tmp.resolve("without-lucene.jar");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(JOB_JAR));
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(planted))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (!e.getName().startsWith("org/apache/lucene/")) {
                    out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        assertThatThrownBy(() -> buildJobGraph(usrlib(planted))).rootCause()
                .isInstanceOf(ClassNotFoundException.class).hasMessageContaining("org.apache.lucene.");
    }

    /** The user class path of the image: the given job jar and the model jars of target/image/usrlib. */
    static List<Path> usrlib(Path jobJar) throws IOException {
        List<Path> jars = new java.util.ArrayList<>(List.of(jobJar));
        try (Stream<Path> s = Files.list(IMAGE.resolve("usrlib"))) {
            s.filter(p -> p.getFileName().toString().startsWith("langchain4j-embeddings-")).sorted().forEach(jars::add);
        }
        return jars;
    }

    /**
     * Builds the job graph the way the image's JobManager would: the usrlib jars in their own class loader,
     * whose parent offers only what the Flink image provides ({@link #PROVIDED}).
     */
    static JobGraph buildJobGraph(List<Path> jars) throws Exception {
        ClassLoader flink = new ClassLoader(null) {
            private final ClassLoader test = JobJarIT.class.getClassLoader();

            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!providedByImage(name.replace('.', '/'))) {
                    throw new ClassNotFoundException(name + " (not in the Flink image)");
                }
                return test.loadClass(name);
            }

            @Override
            public URL getResource(String name) {
                return name.startsWith("org/apache/flink/") || name.startsWith("META-INF/") ? test.getResource(name) : null;
            }

            @Override
            public java.util.Enumeration<URL> getResources(String name) {
                return java.util.Collections.emptyEnumeration();
            }
        };
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        try (URLClassLoader job = new URLClassLoader(urls, flink)) {
            Thread.currentThread().setContextClassLoader(job);
            Class<?> optionsClass = job.loadClass("dev.streamretrieval.jobs.JobOptions");
            assertThat(optionsClass.getClassLoader()).isSameAs(job);
            Object options = optionsClass.getMethod("parse", String[].class).invoke(null, (Object) new String[] {
                "--bootstrap-servers", "kafka:9092", "--shards", "4", "--checkpoint-dir", "file:///tmp/cp"});
            Class<?> retrievalJob = job.loadClass("dev.streamretrieval.jobs.RetrievalJob");
            Method build = retrievalJob.getMethod("buildWithKafka", StreamExecutionEnvironment.class, optionsClass);
            Method conf = retrievalJob.getMethod("flinkConfiguration", optionsClass);
            StreamExecutionEnvironment env = new StreamExecutionEnvironment((Configuration) conf.invoke(null, options), job);
            build.invoke(null, env, options);
            return env.getStreamGraph().getJobGraph(job, null);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    void imageContextHasTheJobAndTheBuiltInModels() throws IOException {
        Path usrlib = IMAGE.resolve("usrlib");
        assertThat(usrlib.resolve("stream-retrieval-job.jar")).exists().hasSameBinaryContentAs(JOB_JAR);
        List<Path> models;
        try (Stream<Path> s = Files.list(usrlib)) {
            models = s.filter(p -> p.getFileName().toString().startsWith("langchain4j-embeddings-")).sorted().toList();
        }
        assertThat(models).hasSize(6);
        for (Path m : models) {
            try (JarFile jar = new JarFile(m.toFile())) {
                assertThat(jar.stream().map(e -> e.getName()))
                        .as(m.getFileName() + " holds an ONNX model and a tokenizer")
                        .anyMatch(n -> n.endsWith(".onnx")).anyMatch(n -> n.endsWith("tokenizer.json"));
            }
        }
    }
}
