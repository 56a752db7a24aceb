package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The embedded pipeline with Flink's Prometheus reporter (configured as on the cluster, through
 * {@code --flink.metrics.reporter.prom.*}) and the default dense model: after indexing documents, refusing bad
 * records and answering bm25 and hybrid queries, the reporter's HTTP endpoint on 127.0.0.1 exposes the job's
 * metrics with the names README lists ("Deploy on Kubernetes", watch metrics), and their values add up; and every
 * query of the Grafana dashboard (deploy/k8s/base/grafana/stream-retrieval.json) selects series the job exports.
 */
class PrometheusMetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OP = "flink_taskmanager_job_task_operator_";

    /** Metric name (as the endpoint writes it, without labels) → what it is; every one must appear. */
    static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put(OP + "documentsReceived", "documents read from the documents topic (PrepareDocuments)");
        EXPECTED.put(OP + "documentsReceivedPerSecond", "meter of the above");
        EXPECTED.put(OP + "documentsIndexed", "upserts applied (ShardIndex)");
        EXPECTED.put(OP + "documentsIndexedPerSecond", "meter of the above");
        EXPECTED.put(OP + "documentsDeleted", "deletes applied");
        EXPECTED.put(OP + "staleVersionsIgnored", "stale versions ignored");
        EXPECTED.put(OP + "documentsDeadLettered", "documents refused to the dead-letter topic");
        EXPECTED.put(OP + "queriesDeadLettered", "queries refused to the dead-letter topic");
        EXPECTED.put(OP + "shardSearches", "shard searches");
        EXPECTED.put(OP + "shard_documents", "live documents per shard (label shard)");
        EXPECTED.put(OP + "shard_terms", "distinct terms per shard");
        EXPECTED.put(OP + "shard_tombstones", "tombstones per shard");
        EXPECTED.put(OP + "shard_postingBytes", "bytes of posting blocks per shard");
        EXPECTED.put(OP + "shard_storeBytes", "bytes of stored documents per shard");
        EXPECTED.put(OP + "shard_denseBytes", "bytes of dense vectors per shard");
        EXPECTED.put(OP + "shard_tokenBytes", "bytes of token vectors per shard");
        EXPECTED.put(OP + "shard_tokenCodebookRetrains", "re-trains of the residual token codebook per shard");
        EXPECTED.put(OP + "documentsEncoded", "documents through the encoder (neural stages)");
        EXPECTED.put(OP + "batches", "ONNX batches run (document and query encoders)");
        EXPECTED.put(OP + "batchSize", "records per ONNX batch (summary)");
        EXPECTED.put(OP + "batchMillis", "time per ONNX batch (summary)");
        EXPECTED.put(OP + "mode_endToEndLatencyMs", "query record timestamp → answer, per mode (summary)");
        EXPECTED.put(OP + "mode_endToEndLatencyMs_count", "queries answered per mode");
        EXPECTED.put(OP + "mode_shardSearchLatencyUs", "slowest shard's search per query, per mode (summary)");
        EXPECTED.put(OP + "partialResults", "results answered partially after the gather timeout");
        EXPECTED.put(OP + "lateShardAnswers", "shard answers after a partial result");
        EXPECTED.put(OP + "pendingRecords", "consumer lag: records behind the topic's end, per Kafka source (label operator_name)");
        EXPECTED.put(OP + "KafkaSourceReader_KafkaConsumer_records_lag_max", "the Kafka consumer's own records-lag-max");
        EXPECTED.put("flink_jobmanager_job_lastCheckpointDuration", "duration of the last completed checkpoint");
    }

    @Test
    void reporterEndpointExposesTheJobMetrics() throws Exception {
        int base;
        try (ServerSocket s = new ServerSocket(0)) {
            base = s.getLocalPort();
        }
        String portRange = base + "-" + (base + 20);
        Path work = Files.createTempDirectory("prometheus-it");
        JobOptions options = JobOptions.parse("--dense-model", "all-minilm-l6-v2-q", "--shards", "4", "--parallelism", "2",
                "--checkpoint-interval-ms", "1000", "--work-dir", work.toString(), "--queries-start", "earliest",
                "--flink.metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                "--flink.metrics.reporter.prom.port", portRange);
        try (LocalPipeline pipeline = LocalPipeline.start(options);
                PipelineClient client = new PipelineClient(options, null)) {
            int docs = 30;
            for (int i = 0; i < docs; i++) {
                client.publish(Document.upsert("m" + i, "Metric " + i, "stream metrics document " + i
                        + (i % 2 == 0 ? " prometheus" : " grafana") + " caf\u00e9", 1L));
            }
            client.sendRaw(options.documentsTopic, "bad-1", "{\"id\": \"bad-1\", \"text\": 42}".getBytes(StandardCharsets.UTF_8));
            client.sendRaw(options.queriesTopic, null, "{{{".getBytes(StandardCharsets.UTF_8));
            client.flush();
            IndexStats stats = client.awaitDocuments(docs + 1, WAIT, null);
            assertThat(stats.documents).isEqualTo(docs);
            assertThat(stats.postingBytes).isPositive();
            assertThat(stats.storeBytes).isPositive();
            int queries = 6;
            List<QueryMode> modes = List.of(QueryMode.BM25, QueryMode.HYBRID);
            for (int q = 0; q < queries; q++) {
                for (QueryMode mode : modes) {
                    SearchResult r = client.askAndWait(new Query("pq-" + mode.wireName() + "-" + q,
                            q % 2 == 0 ? "prometheus" : "grafana metrics", 5, mode, QueryOp.SEARCH), WAIT);
                    assertThat(r.hits).isNotEmpty();
                }
            }

            List<Selector> dashboard = dashboardSelectors();
            // bounded polling: gauges, meters and histograms show up once the reporter has scraped them
            Map<String, List<Sample>> found = Map.of();
            String body = "";
            long end = System.nanoTime() + WAIT.toNanos();
            for (int attempt = 0; attempt < 120 && System.nanoTime() < end; attempt++) {
                body = scrape(base, base + 20);
                found = parse(body);
                if (found.keySet().containsAll(EXPECTED.keySet())
                        && sum(found, OP + "documentsIndexed") >= docs
                        && sum(found, OP + "shard_documents") == docs
                        && sum(found, OP + "mode_endToEndLatencyMs_count") >= queries * modes.size()
                        && sum(found, OP + "documentsIndexedPerSecond") > 0
                        && unmatched(dashboard, found).isEmpty()) {
                    break;
                }
                Thread.sleep(500);
            }
            // what the endpoint served, for reading (tools/target/prometheus-scrape.txt)
            Files.writeString(Path.of("target", "prometheus-scrape.txt"), body);
            List<String> missing = new ArrayList<>(EXPECTED.keySet());
            missing.removeAll(found.keySet());
            assertThat(missing).as("metrics missing from the Prometheus endpoint; it served:%n%s", names(found)).isEmpty();
            assertThat(sum(found, OP + "documentsIndexed")).isEqualTo(docs);
            assertThat(sum(found, OP + "documentsReceived")).isEqualTo(docs + 1);
            assertThat(sum(found, OP + "documentsDeadLettered")).isEqualTo(1);
            assertThat(sum(found, OP + "queriesDeadLettered")).isEqualTo(1);
            assertThat(sum(found, OP + "shard_documents")).isEqualTo(docs);
            assertThat(labels(found, OP + "shard_documents", "shard")).containsExactlyInAnyOrder("0", "1", "2", "3");
            // the per-shard state bytes add up to what the stats query reports
            assertThat(sum(found, OP + "shard_postingBytes")).isEqualTo(stats.postingBytes);
            assertThat(sum(found, OP + "shard_storeBytes")).isEqualTo(stats.storeBytes);
            assertThat(sum(found, OP + "shard_denseBytes")).isPositive();
            assertThat(labels(found, OP + "mode_endToEndLatencyMs", "mode")).containsExactlyInAnyOrder("bm25", "hybrid");
            assertThat(labels(found, OP + "mode_endToEndLatencyMs", "quantile")).contains("0.5", "0.95", "0.99");
            assertThat(sum(found, OP + "mode_endToEndLatencyMs_count")).isGreaterThanOrEqualTo(queries * modes.size());
            assertThat(sum(found, OP + "mode_shardSearchLatencyUs_count")).isGreaterThanOrEqualTo(queries * modes.size());
            assertThat(sum(found, OP + "documentsEncoded")).isGreaterThanOrEqualTo(docs);
            assertThat(sum(found, OP + "batchSize_count")).isPositive();
            assertThat(sum(found, OP + "documentsIndexedPerSecond")).isPositive();
            assertThat(sum(found, OP + "partialResults")).isZero();
            assertThat(labels(found, OP + "pendingRecords", "operator_name"))
                    .containsExactlyInAnyOrder("Source:_documents_source", "Source:_queries_source");

            assertThat(unmatched(dashboard, found)).as("dashboard queries that select no series the job exports; it served:%n%s", names(found))
                    .isEmpty();
        }
    }

    // ------------------------------------------------------------------ the dashboard's queries

    /** Flink's Prometheus names all start with flink_; the dashboard queries no other metric. */
    private static final Pattern SELECTOR = Pattern.compile("\\b(flink_[a-zA-Z0-9_:]*)\\s*(\\{([^}]*)\\})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** A PromQL series selector: metric name and label matchers; a dashboard variable ($job) matches anything. */
    record Selector(String text, String metric, List<String[]> matchers) {
        boolean matches(Sample s) {
            for (String[] m : matchers) {
                String value = s.labels().getOrDefault(m[0], "");
                String pattern = m[2].replaceAll("\\$\\{?\\w+}?", ".*");
                boolean ok = switch (m[1]) {
                    case "=" -> m[2].startsWith("$") || value.equals(m[2]);
                    case "!=" -> !value.equals(m[2]);
                    case "=~" -> value.matches(pattern); // PromQL regexes are anchored, like String.matches
                    default -> !value.matches(pattern);
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The selectors that select no series in the scrape. */
    private static List<String> unmatched(List<Selector> selectors, Map<String, List<Sample>> found) {
        return selectors.stream().filter(sel -> found.getOrDefault(sel.metric(), List.of()).stream().noneMatch(sel::matches))
                .map(Selector::text).toList();
    }

    /** Every selector in the dashboard's panel queries and template variable queries. */
    static List<Selector> dashboardSelectors() throws Exception {
        Path dashboard = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && dashboard == null; p = p.getParent()) {
            Path candidate = p.resolve("deploy/k8s/base/grafana/stream-retrieval.json");
            dashboard = Files.isRegularFile(candidate) ? candidate : null;
        }
        assertThat(dashboard).as("deploy/k8s/base/grafana/stream-retrieval.json above %s", Path.of("").toAbsolutePath()).isNotNull();
        JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                queries.add(t.path("expr").asText());
            }
        }
        for (JsonNode v : root.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                queries.add(v.path("query").path("query").asText());
            }
        }
        List<Selector> out = new ArrayList<>();
        for (String q : queries) {
            Matcher m = SELECTOR.matcher(q);
            while (m.find()) {
                List<String[]> matchers = new ArrayList<>();
                if (m.group(3) != null) {
                    Matcher l = MATCHER.matcher(m.group(3));
                    while (l.find()) {
                        matchers.add(new String[] {l.group(1), l.group(2), l.group(3)});
                    }
                }
                out.add(new Selector(m.group(), m.group(1), matchers));
            }
        }
        assertThat(out).as("selectors in %s", dashboard).hasSizeGreaterThan(10);
        return out;
    }

    record Sample(Map<String, String> labels, double value) {}

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Prometheus text format → samples by metric name. */
    static Map<String, List<Sample>> parse(String body) {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            double value;
            try {
                value = Double.parseDouble(m.group(4));
            } catch (NumberFormatException e) {
                continue;
            }
            out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new Sample(labels, value));
        }
        return out;
    }

    private static double sum(Map<String, List<Sample>> found, String name) {
        return found.getOrDefault(name, List.of()).stream().mapToDouble(Sample::value).sum();
    }

    private static List<String> labels(Map<String, List<Sample>> found, String name, String label) {
        return found.getOrDefault(name, List.of()).stream().map(s -> s.labels().get(label))
                .filter(v -> v != null).distinct().toList();
    }

    private static String names(Map<String, List<Sample>> found) {
        return String.join("\n", found.keySet().stream().filter(n -> n.startsWith(OP)).toList());
    }

    /** Reads every reporter endpoint in the port range (the MiniCluster may open one per registry). */
    private static String scrape(int from, int to) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        StringBuilder all = new StringBuilder();
        for (int port = from; port <= to; port++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    all.append(r.body()).append('\n');
                }
            } catch (Exception e) {
                // nothing listening on this port
            }
        }
        return all.toString();
    }
}
