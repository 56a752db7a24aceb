package dev.streamretrieval.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamretrieval.operators.encoding.BuiltinModels;
import dev.streamretrieval.operators.encoding.DenseEncoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenisation on the ingest path: {@link DenseEncoder#tokenizePassages} (passage prefix, truncation to the
 * model's {@code max_passage_tokens}, special tokens) over a whole shared collection ({@code title + " " + text}
 * per document, as ingest indexes it), with the built-in all-MiniLM-L6-v2 tokenizer. One operation tokenises
 * every document of the collection, so documents per second = documents / (score in seconds).
 *
 * <p>The model jar and ONNX Runtime are not in the executable benchmarks jar; run it from the reactor's
 * classpath (from the repository root, which has {@code ../shared/data} next to it):
 * <pre>
 *   mvn -B -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main TokenizerBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class TokenizerBenchmark {
    /** nfcorpus: preprocessed medical abstracts (lowercase, no punctuation); cisi: plain English with punctuation. */
    @Param({"nfcorpus", "cisi"})
    public String collection;

    private DenseEncoder encoder;
    private List<String> texts;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        texts = corpus(collection);
        encoder = DenseEncoder.open(BuiltinModels.resolve("all-minilm-l6-v2-q", "dense"), 1, 32);
        System.out.println("\n" + collection + ": " + texts.size() + " documents");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoder.close();
    }

    @Benchmark
    public int tokenizePassages() {
        int tokens = 0;
        for (var t : encoder.tokenizePassages(texts)) {
            tokens += t.length();
        }
        return tokens;
    }

    /** {@code title + " " + text} of every document in ../shared/data/NAME/corpus.jsonl next to the repository root. */
    static List<String> corpus(String name) throws IOException {
        Path file = repositoryRoot().resolve("..").resolve("shared").resolve("data").resolve(name)
                .resolve("corpus.jsonl").normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the shared collection '" + name + "' is missing: expected " + file
                    + " (../shared/data/" + name + " next to the repository root)");
        }
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    JsonNode d = json.readTree(line);
                    out.add(d.path("title").asText("") + " " + d.path("text").asText(""));
                }
            }
        }
        return out;
    }

    /** The folder with pom.xml and benchmarks/pom.xml, from the working directory upwards. */
    private static Path repositoryRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isRegularFile(p.resolve("benchmarks").resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (a folder with pom.xml and benchmarks/pom.xml) above " + start);
    }
}
