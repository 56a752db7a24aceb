package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.operators.encoding.DenseEncoder;
import dev.streamretrieval.operators.encoding.EncodeDocuments;
import dev.streamretrieval.operators.encoding.ModelSpec;
import dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents and queries that carry their own {@code vector}, through Kafka and a MiniCluster: a BM25-only job
 * with {@code --vector-dimension} answers dense and hybrid queries from supplied vectors alone; a job with a dense
 * model does not run the model for a document that supplied its vector (and uses that vector, not the text's);
 * vectors of the wrong dimension, non-numbers, infinities and zero vectors reach the dead-letter topic with the
 * reason while the valid records are indexed.
 */
class SuppliedVectorsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static JobOptions options(String bootstrap, Path work, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--shards", "2",
                "--parallelism", "1", "--checkpoint-interval-ms", "1000", "--queries-start", "earliest",
                "--work-dir", work.toString(), "--onnx-threads", "1"));
        args.addAll(List.of(more));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static Document doc(String id, String text, float... vector) {
        Document d = Document.upsert(id, null, text, 1L);
        d.vector = vector.length == 0 ? null : vector;
        return d;
    }

    private static Query query(String id, String text, QueryMode mode, float... vector) {
        Query q = new Query(id, text, 10, mode, QueryOp.SEARCH);
        q.vector = vector.length == 0 ? null : vector;
        return q;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Waits (bounded) until {@code expected} dead letters have arrived. */
    private static void awaitDeadLetters(List<DeadLetter> seen, int expected) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (seen.size() < expected && System.nanoTime() < end) {
            Thread.sleep(100);
        }
    }

    @Test
    void bm25OnlyJobServesDenseAndHybridFromSuppliedVectors(@TempDir Path tmp) throws Exception {
        Map<String, float[]> vectors = new LinkedHashMap<>();
        vectors.put("north", new float[] {1f, 0.1f, 0f});
        vectors.put("east", new float[] {0.1f, 1f, 0f});
        vectors.put("up", new float[] {0f, 0.2f, 3f});
        vectors.put("diagonal", new float[] {1f, 1f, 1f});
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions o = options(kafka.bootstrapServers(), tmp.resolve("work"), "--dense-model", "none",
                    "--vector-dimension", "3");
            List<DeadLetter> dead = new CopyOnWriteArrayList<>();
            try (LocalPipeline pipeline = LocalPipeline.start(o);
                    PipelineClient client = new PipelineClient(o, null);
                    ResultStream<DeadLetter> deadStream = new ResultStream<>(o.kafkaClientProperties(),
                            o.deadLetterTopic, DeadLetter.class, false, true, dead::add)) {
                vectors.forEach((id, v) -> client.publish(doc(id, "compass direction " + id, v)));
                client.publish(doc("plain", "compass without a vector"));
                Map<String, String> badDocs = new LinkedHashMap<>();
                badDocs.put("{\"id\": \"b1\", \"text\": \"t\", \"vector\": [1, 2]}",
                        "field 'vector' has 2 numbers, but this job's dense vectors have 3 dimensions");
                badDocs.put("{\"id\": \"b2\", \"text\": \"t\", \"vector\": [1, \"2\", 3]}",
                        "field 'vector' element 1 must be a number, got string");
                badDocs.put("{\"id\": \"b3\", \"text\": \"t\", \"vector\": [1, 2, 1e400]}",
                        "field 'vector' element 2 is Infinity, not a finite 32-bit float");
                badDocs.put("{\"id\": \"b4\", \"text\": \"t\", \"vector\": [0, 0, 0]}", "field 'vector' is all zeros");
                badDocs.put("{\"id\": \"b5\", \"text\": \"t\", \"vector\": \"1 2 3\"}",
                        "field 'vector' must be an array of numbers, got string");
                int n = 0;
                for (String json : badDocs.keySet()) {
                    client.sendRaw(o.documentsTopic, "b" + (++n), utf8(json));
                }
                client.flush();
                assertThat(client.awaitDocuments(vectors.size() + 1 + badDocs.size(), WAIT, null).documents)
                        .isEqualTo(vectors.size() + 1);

                float[] probe = {0.9f, 0.3f, 0.2f};
                SearchResult dense = client.askAndWait(query("q-dense", "anything", QueryMode.DENSE, probe), WAIT);
                List<String> expected = vectors.keySet().stream()
                        .sorted(Comparator.comparingDouble((String id) -> -cosine(probe, vectors.get(id)))).toList();
                assertThat(dense.hits).extracting(h -> h.docId).containsExactlyElementsOf(expected);
                for (Hit h : dense.hits) {
                    assertThat(h.scores.get("dense")).as(h.docId)
                            .isCloseTo(cosine(probe, vectors.get(h.docId)), offset(1e-5));
                }

                SearchResult hybrid = client.askAndWait(query("q-hybrid", "compass vector", QueryMode.HYBRID,
                        0f, 0f, 1f), WAIT);
                assertThat(hybrid.hits).extracting(h -> h.docId).contains("plain", "up");
                Hit up = hybrid.hits.stream().filter(h -> h.docId.equals("up")).findFirst().orElseThrow();
                assertThat(up.scores).containsKeys("bm25", "dense");
                // each hybrid hit says where it stood in the lists the fusion combined: "up" is the nearest vector,
                // "plain" (no vector) matches both query terms and is in no dense list
                assertThat(up.ranks).containsEntry("dense", 1);
                Hit plain = hybrid.hits.stream().filter(h -> h.docId.equals("plain")).findFirst().orElseThrow();
                assertThat(plain.ranks).containsEntry("bm25", 1).doesNotContainKey("dense");
                assertThat(dense.hits).allMatch(h -> h.ranks == null);

                // without a model, a dense-mode query must bring its vector; full mode needs a token model
                client.sendRaw(o.queriesTopic, "q-novector", utf8("{\"id\": \"q-novector\", \"text\": \"x\", \"mode\": \"dense\"}"));
                client.sendRaw(o.queriesTopic, "q-full", utf8("{\"id\": \"q-full\", \"text\": \"x\", \"mode\": \"full\", \"vector\": [1, 0, 0]}"));
                client.sendRaw(o.queriesTopic, "q-dim", utf8("{\"id\": \"q-dim\", \"text\": \"x\", \"mode\": \"dense\", \"vector\": [1, 0, 0, 0]}"));
                client.flush();
                awaitDeadLetters(dead, badDocs.size() + 3);
                for (Map.Entry<String, String> e : badDocs.entrySet()) {
                    assertThat(dead).as(e.getValue()).anyMatch(d -> d.topic.equals(o.documentsTopic)
                            && d.stage.equals("decode-document") && d.error.startsWith(e.getValue())
                            && new String(java.util.Base64.getDecoder().decode(d.valueBase64), StandardCharsets.UTF_8)
                                    .equals(e.getKey()));
                }
                assertThat(dead).anyMatch(d -> d.key.equals("q-novector") && d.error.equals(
                        "mode 'dense' needs a 'vector' in this job: it has no dense model to encode the text (--dense-model none)"));
                assertThat(dead).anyMatch(d -> d.key.equals("q-full") && d.error.contains("mode 'full' is not available"));
                assertThat(dead).anyMatch(d -> d.key.equals("q-dim") && d.error.equals(
                        "field 'vector' has 4 numbers, but this job's dense vectors have 3 dimensions"));
                assertThat(dead).hasSize(badDocs.size() + 3);
                assertThat(pipeline.job().getJobStatus().get().isTerminalState()).isFalse();
            }
        }
    }

    static Path biEncoderFolder(Path dir, float[][] embedding) throws Exception {
        Files.createDirectories(dir);
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        OnnxTestModels.writeBiEncoder(dir, embedding);
        Files.writeString(dir.resolve("model.json"), "{\"role\": \"dense\"}");
        return dir;
    }

    @Test
    void aSuppliedVectorIsUsedAndTheModelDoesNotRunForIt(@TempDir Path tmp) throws Exception {
        Path model = biEncoderFolder(tmp.resolve("model"), OnnxTestModels.randomEmbedding(30522, 8, 11));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions o = options(kafka.bootstrapServers(), tmp.resolve("work"), "--dense-model", model.toString(),
                    "--token-model", "none");
            float[] likeQuery;
            float[] likeOther;
            try (DenseEncoder encoder = DenseEncoder.open(o.neural.denseSpec(), 1, 4)) {
                float[][] v = encoder.encodeQueries(List.of("neutron star collapse", "green tea leaves"));
                likeQuery = v[0];
                likeOther = v[1];
            }
            List<DeadLetter> dead = new CopyOnWriteArrayList<>();
            long encodedBefore = EncodeDocuments.ENCODED_IN_JVM.get();
            try (LocalPipeline pipeline = LocalPipeline.start(o);
                    PipelineClient client = new PipelineClient(o, null);
                    ResultStream<DeadLetter> deadStream = new ResultStream<>(o.kafkaClientProperties(),
                            o.deadLetterTopic, DeadLetter.class, false, true, dead::add)) {
                for (Document d : NeuralPipelineIT.DOCS) {
                    client.publish(d);
                }
                // texts unrelated to the vectors they carry: only the supplied vector can rank them first
                client.publish(doc("supplied-1", "road bicycles with drop handlebars", likeQuery));
                client.publish(doc("supplied-2", "boil salted water for pasta", likeOther));
                client.sendRaw(o.documentsTopic, "bad-dim",
                        utf8("{\"id\": \"bad-dim\", \"text\": \"t\", \"vector\": [1, 0, 0, 0]}"));
                client.flush();
                int docs = NeuralPipelineIT.DOCS.size() + 2;
                assertThat(client.awaitDocuments(docs + 1, WAIT, null).documents).isEqualTo(docs);
                // only the documents without a vector went through the model
                assertThat(EncodeDocuments.ENCODED_IN_JVM.get() - encodedBefore).isEqualTo(NeuralPipelineIT.DOCS.size());

                SearchResult byText = client.askAndWait(query("q1", "neutron star collapse", QueryMode.DENSE), WAIT);
                assertThat(byText.hits.get(0).docId).isEqualTo("supplied-1");
                assertThat(byText.hits.get(0).scores.get("dense")).isCloseTo(1.0, offset(1e-4));

                // a query's own vector is used instead of its text's
                SearchResult byVector = client.askAndWait(
                        query("q2", "neutron star collapse", QueryMode.DENSE, likeOther), WAIT);
                assertThat(byVector.hits.get(0).docId).isEqualTo("supplied-2");
                assertThat(byVector.hits.get(0).scores.get("dense")).isCloseTo(1.0, offset(1e-4));

                awaitDeadLetters(dead, 1);
                assertThat(dead).singleElement().satisfies(d -> {
                    assertThat(d.key).isEqualTo("bad-dim");
                    assertThat(d.error).isEqualTo("field 'vector' has 4 numbers, but this job's dense vectors have 8 dimensions");
                });
                assertThat(pipeline.job().getJobStatus().get().isTerminalState()).isFalse();
            }
        }
    }
}
