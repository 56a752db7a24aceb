package dev.streamretrieval.operators.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token projection file: written and read back bit for bit, refused when trained for another model, damaged,
 * or of the wrong size; and the job's encoding stages apply it to documents and queries (their token vectors are
 * the projected, normalised 128-dimensional ones, equal to projecting the raw vectors by hand).
 */
class TokenProjectionTest {
    private static final String MODEL = NeuralOptions.DEFAULT_DENSE_MODEL;

    private static TokenProjection random(String model, int in, int out, boolean bias) {
        Random r = new Random(3);
        float[] p = new float[in * out];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        float[] b = null;
        if (bias) {
            b = new float[out];
            for (int i = 0; i < out; i++) {
                b[i] = (float) r.nextGaussian() * 0.1f;
            }
        }
        return new TokenProjection(model, in, out, p, b, Map.of("seed", 3));
    }

    @Test
    void writesAndReadsTheSameProjection(@TempDir Path dir) {
        TokenProjection p = random(MODEL, 384, 128, true);
        Path file = dir.resolve("p.json");
        p.write(file);
        TokenProjection back = TokenProjection.resolve(file.toString(), MODEL, 384);
        assertThat(back.checksum()).isEqualTo(p.checksum());
        assertThat(back.training()).containsEntry("seed", 3);
        float[] x = new float[384];
        x[5] = 1;
        x[200] = -0.5f;
        float[] y = back.apply(x);
        assertThat(y).hasSize(128).containsExactly(p.apply(x), offset(0f));
        double norm = 0;
        for (float v : y) {
            norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, offset(1e-5));
    }

    @Test
    void refusesAProjectionTrainedForAnotherModel(@TempDir Path dir) {
        Path file = dir.resolve("other.json");
        random("e5-small-v2-q", 384, 128, false).write(file);
        assertThatThrownBy(() -> TokenProjection.resolve(file.toString(), MODEL, 384))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trained for model 'e5-small-v2-q'")
                .hasMessageContaining("token model is '" + MODEL + "'");
        // through the job's options: the job does not start
        NeuralOptions n = new NeuralOptions();
        n.tokenProjection = file.toString();
        assertThatThrownBy(n::validate).hasMessageContaining("trained for model 'e5-small-v2-q'");
    }

    @Test
    void refusesADamagedOrMisshapenFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.json");
        random(MODEL, 384, 128, false).write(file);
        String json = Files.readString(file);
        // flip one weight: the checksum no longer holds
        String weights = json.replaceAll("(?s).*\"weights\" : \"([^\"]+)\".*", "$1");
        byte[] raw = java.util.Base64.getDecoder().decode(weights);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putFloat(40, 0.125f);
        Path damaged = dir.resolve("damaged.json");
        Files.writeString(damaged, json.replace(weights, java.util.Base64.getEncoder().encodeToString(raw)));
        assertThatThrownBy(() -> TokenProjection.resolve(damaged.toString(), MODEL, 384))
                .hasMessageContaining("checksum mismatch");

        Path truncated = dir.resolve("truncated.json");
        Files.write(truncated, json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TokenProjection.resolve(truncated.toString(), MODEL, 384))
                .hasMessageContaining("is not a projection file");

        Path narrow = dir.resolve("narrow.json");
        random(MODEL, 256, 64, false).write(narrow);
        assertThatThrownBy(() -> TokenProjection.resolve(narrow.toString(), MODEL, 384))
                .hasMessageContaining("takes 256-dimensional token vectors");

        assertThatThrownBy(() -> TokenProjection.resolve(dir.resolve("missing.json").toString(), MODEL, 384))
                .hasMessageContaining("no such file");
    }

    @Test
    void theEncodingStagesProjectDocumentsAndQueries(@TempDir Path dir) {
        TokenProjection projection = random(MODEL, 384, 128, true);
        Path file = dir.resolve("p.json");
        projection.write(file);
        NeuralOptions n = new NeuralOptions();
        n.intraOpThreads = 1;
        n.tokenProjection = file.toString();
        n.validate();
        String text = "late interaction scores every query token against every document token";

        EncodeDocuments documents = new EncodeDocuments(n);
        EncodeQueries queries = new EncodeQueries(n);
        BatchContext context = BatchContext.of(new UnregisteredMetricsGroup(), d -> {});
        documents.open(context);
        queries.open(context);
        try (TokenEncoder raw = TokenEncoder.open(n.tokenSpec(), 1, n.batchSize)) {
            IndexRequest doc = new IndexRequest();
            doc.op = DocumentOp.UPSERT;
            doc.docId = "d1";
            doc.text = text;
            documents.apply(List.of(doc));
            ByteBuffer header = ByteBuffer.wrap(doc.tokens).order(ByteOrder.LITTLE_ENDIAN);
            float[][] rawDoc = raw.encodePassages(List.of(text))[0];
            assertThat(header.getInt(0)).isEqualTo(rawDoc.length);
            assertThat(header.getInt(4)).as("stored dimension").isEqualTo(128);

            ShardQuery q = new ShardQuery();
            q.op = QueryOp.SEARCH;
            q.mode = QueryMode.FULL;
            q.text = "query token interaction";
            queries.apply(List.of(q));
            float[][] rawQuery = raw.encodeQueries(List.of(q.text))[0];
            assertThat(q.tokenVectors).hasNumberOfRows(rawQuery.length);
            for (int i = 0; i < rawQuery.length; i++) {
                assertThat(q.tokenVectors[i]).hasSize(128).containsExactly(projection.apply(rawQuery[i]), offset(1e-4f));
            }
            assertThat(q.denseVector).hasSize(384); // the dense vector is not projected
        } finally {
            documents.close();
            queries.close();
        }
    }

    @Test
    void theShippedDefaultFitsTheDefaultModel() {
        TokenProjection p = TokenProjection.resolve(TokenProjection.DEFAULT, MODEL, 384);
        assertThat(p.inputDimension()).isEqualTo(384);
        assertThat(p.outputDimension()).isEqualTo(128);
        assertThat(p.training()).containsKeys("command", "validation_ndcg10");
        assertThatThrownBy(() -> TokenProjection.resolve(TokenProjection.DEFAULT, "e5-small-v2-q", 384))
                .hasMessageContaining("no projection is shipped for token model 'e5-small-v2-q'");
    }
}
