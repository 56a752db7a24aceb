package dev.streamretrieval.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scale} end to end on two tiny sizes grown from the shipped sample (a local cluster of separate JVMs per
 * size, a TaskManager killed in each): the JSON has the documented shape, every measurement is a sane positive
 * number, the per-subtask counts add up to the size, dense recall@100 against the exact scan is high (the job
 * stores exactly the vectors the generator sends), and the plot is a readable PNG. Nothing here is timed.
 */
class ScaleSmokeIT {
    private static final long[] SIZES = {300, 900};
    private static final int QUERIES = 8;

    @Test
    void scaleOnTwoTinySizesWritesTheReportAndThePlot(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        int code = ScaleCommand.run(List.of("--dataset", "sample", "--sizes", SIZES[0] + "," + SIZES[1],
                "--out-dir", out.toString(), "--queries", Integer.toString(QUERIES), "--warmup-queries", "2",
                "--bm25-cpu-queries", "5", "--recall-queries", "5", "--lucene-passes", "1", "--rate", "10",
                "--taskmanager-heap", "320m", "--managed-memory", "128m", "--onnx-threads", "1"));
        assertThat(code).isZero();

        JsonNode r = new ObjectMapper().readTree(Files.readAllBytes(out.resolve("scale-sample.json")));
        assertThat(r.get("dataset").asText()).isEqualTo("sample");
        assertThat(r.get("sizes")).hasSize(SIZES.length);
        for (int i = 0; i < SIZES.length; i++) {
            JsonNode s = r.get("sizes").get(i);
            long n = SIZES[i];
            String at = "size " + n;
            assertThat(s.get("documents").asLong()).as(at).isEqualTo(n);
            assertThat(s.get("parallelism").asInt()).as(at).isEqualTo(2);
            assertThat(s.get("shards").asInt()).as(at).isEqualTo(8);
            JsonNode perSubtask = s.get("documents_per_subtask");
            assertThat(perSubtask).as(at).hasSize(2);
            assertThat(perSubtask.get(0).asLong() + perSubtask.get(1).asLong()).as(at).isEqualTo(n);
            // balanced placement: 8 shards over 2 subtasks, 4 each
            assertThat(s.get("shards_per_subtask").get(0).asInt()).as(at).isEqualTo(4);
            assertThat(s.get("shards_per_subtask").get(1).asInt()).as(at).isEqualTo(4);
            assertThat(s.get("ingest_docs_per_second").asDouble()).as(at).isPositive();
            assertThat(s.at("/ingest/dead_lettered").asLong()).as(at).isZero();
            assertThat(s.get("dense_recall_at_100").asDouble()).as(at).isBetween(0.9, 1.0);
            assertThat(s.get("bm25_cpu_ratio_to_lucene").asDouble()).as(at).isPositive();
            for (String mode : List.of("bm25", "dense", "hybrid")) {
                JsonNode m = s.get("modes").get(mode);
                assertThat(m.get("answered").asInt()).as(at + " " + mode).isEqualTo(QUERIES);
                assertThat(m.get("p50_ms").asDouble()).as(at + " " + mode).isPositive();
                assertThat(m.get("p99_ms").asDouble()).as(at + " " + mode).isGreaterThanOrEqualTo(m.get("p50_ms").asDouble());
                assertThat(m.get("cpu_ms_per_query").asDouble()).as(at + " " + mode).isPositive();
            }
            JsonNode bytes = s.get("bytes_per_document");
            for (String f : List.of("state", "rocksdb", "checkpoint")) {
                assertThat(bytes.get(f).asDouble()).as(at + " " + f).isPositive();
            }
            // the supplied vectors are stored: 384 float32 each, plus what the dense index (IVF) adds
            assertThat(bytes.get("dense").asDouble()).as(at).isGreaterThanOrEqualTo(1536.0);
            assertThat(bytes.get("token_vectors").asDouble()).as(at + ": vectors supplied, encoder skipped").isZero();
            assertThat(s.get("checkpoint_seconds").asDouble()).as(at).isPositive();
            assertThat(s.get("restore_seconds").asDouble()).as(at)
                    .isGreaterThanOrEqualTo(s.at("/restore/all_tasks_running_seconds").asDouble()).isPositive();
            assertThat(s.at("/restore/restarts").asLong()).as(at).isPositive();
        }
        BufferedImage png = ImageIO.read(out.resolve("scale-sample.png").toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isPositive();
        try (var left = Files.list(out.resolve("work"))) {
            assertThat(left.count()).as("work folders removed").isZero();
        }
    }
}
