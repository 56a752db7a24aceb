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
 * {@code bench} end to end on the shipped sample collection with reduced sizes (one codec configuration, three
 * modes, a few queries, short freshness and kernel runs): every section is present and every measurement is a
 * positive number, the plot is a readable PNG. Checks the plumbing, not the speed: nothing here is timed.
 */
class BenchSmokeIT {
    @Test
    void benchOnTheSampleWritesAllEightSections(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        int code = BenchCommand.run(List.of("--dataset", "sample", "--out-dir", out.toString(),
                "--configs", "float32/float16", "--modes", "bm25,hybrid,full", "--shards", "2",
                "--max-queries", "5", "--max-qps-queries", "8", "--warmup-queries", "2", "--concurrency", "4",
                "--freshness-seconds", "2", "--kernel-seconds", "0.2", "--lucene-passes", "1", "--encode-docs", "40",
                "--onnx-threads", "1"));
        assertThat(code).isZero();

        JsonNode r = new ObjectMapper().readTree(Files.readAllBytes(out.resolve("bench-sample.json")));
        for (String section : List.of("1_encode_limit", "2_ingest", "3_bm25_vs_lucene", "4_query_latency",
                "5_freshness", "6_index_size", "7_maxsim_kernel", "8_pareto", "targets")) {
            assertThat(r.has(section)).as(section).isTrue();
        }
        assertThat(r.get("documents").asInt()).isEqualTo(60);

        JsonNode encode = r.get("1_encode_limit");
        assertThat(encode.get("onnx_docs_per_second").asDouble()).isPositive();
        assertThat(encode.get("encoder_docs_per_second").asDouble()).isPositive();
        assertThat(encode.get("documents").asInt()).isEqualTo(40);

        JsonNode ingest = r.get("2_ingest");
        assertThat(ingest.get("documents_indexed").asLong() + ingest.get("dead_lettered").asLong()).isEqualTo(60);
        assertThat(ingest.get("docs_per_second").asDouble()).isPositive();
        assertThat(ingest.get("indexed_and_checkpointed_seconds").asDouble())
                .isGreaterThanOrEqualTo(ingest.get("indexed_seconds").asDouble());
        assertThat(ingest.get("checkpoint").asInt()).isPositive();
        assertThat(ingest.get("ratio_to_onnx").asDouble()).isPositive();

        JsonNode bm25 = r.get("3_bm25_vs_lucene");
        assertThat(bm25.at("/pipeline/cpu_ms_shard_search_sum/mean").asDouble()).isPositive();
        assertThat(bm25.at("/pipeline/queries").asInt()).isEqualTo(5);
        assertThat(bm25.at("/lucene/cpu_ms_search_and_ids/mean").asDouble()).isPositive();
        assertThat(bm25.get("cpu_ratio").asDouble()).isPositive();

        JsonNode latency = r.get("4_query_latency");
        assertThat(latency).hasSize(3);
        for (JsonNode m : latency) {
            String mode = m.get("mode").asText();
            assertThat(m.get("answered").asInt()).as(mode).isEqualTo(5);
            assertThat(m.get("max_qps_closed_loop").asDouble()).as(mode).isPositive();
            assertThat(m.at("/latency_ms/p50").asDouble()).as(mode).isPositive();
            assertThat(m.at("/latency_ms/p99").asDouble()).as(mode).isGreaterThanOrEqualTo(m.at("/latency_ms/p50").asDouble());
            assertThat(m.at("/stages_ms/shard_search_cpu_sum/p50").asDouble()).as(mode).isPositive();
            assertThat(m.get("stages_ms").has("gather")).as(mode).isTrue();
            assertThat(m.get("nDCG@10").asDouble()).as(mode).isBetween(0.0, 1.0);
            if (!mode.equals("bm25")) {
                assertThat(m.at("/stages_ms/query_encode/p50").asDouble()).as(mode).isPositive();
            }
            if (mode.equals("full")) {
                assertThat(m.at("/stages_ms/maxsim_max/p50").asDouble()).as(mode).isPositive();
            }
        }

        JsonNode fresh = r.get("5_freshness");
        assertThat(fresh.get("documents_produced").asInt()).isPositive();
        assertThat(fresh.get("documents_found").asInt()).isEqualTo(fresh.get("documents_produced").asInt());
        assertThat(fresh.at("/freshness_ms/p50").asDouble()).isPositive();

        JsonNode size = r.get("6_index_size").get(0);
        for (String f : List.of("postings_bytes_per_doc", "document_store_bytes_per_doc", "dense_bytes_per_doc",
                "token_bytes_per_doc", "rocksdb_on_disk_bytes", "checkpoint_bytes")) {
            assertThat(size.get(f).asDouble()).as(f).isPositive();
        }
        // the default IVF index: block entry (8-byte ordinal + 384 int8 + 4-byte scale), location (16 bytes) and the
        // float32 vector (384 x 4) it re-scores from
        assertThat(size.get("dense_bytes_per_doc").asDouble()).isEqualTo(8 + 388 + 16 + 1536.0);

        for (String codec : List.of("float16", "int8", "binary")) {
            assertThat(r.at("/7_maxsim_kernel/" + codec + "/ns_per_op").asLong()).as(codec).isPositive();
            assertThat(r.at("/7_maxsim_kernel/at_128_dims/" + codec + "/ns_per_op").asLong()).as(codec).isPositive();
        }
        assertThat(r.at("/7_maxsim_kernel/at_128_dims/workload/dim").asInt()).isEqualTo(128);

        JsonNode pareto = r.get("8_pareto");
        assertThat(pareto.get("points")).hasSize(3);
        assertThat(pareto.get("points").findValues("pareto").stream().anyMatch(JsonNode::asBoolean)).isTrue();
        BufferedImage png = ImageIO.read(out.resolve(pareto.get("png").asText()).toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isPositive();

        assertThat(r.get("targets").size()).isGreaterThanOrEqualTo(6);
        assertThat(Files.exists(out.resolve("work"))).as("work folders removed").isTrue();
        try (var left = Files.list(out.resolve("work"))) {
            assertThat(left.count()).isZero();
        }
    }
}
