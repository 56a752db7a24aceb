package dev.streamretrieval.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard (k8s/base/grafana/stream-retrieval.json) and its provisioning, without Grafana: the base
 * renders both ConfigMaps, every panel queries Flink metrics through the dashboard's data source, and the panels
 * cover what the job must show. That each query selects series the job really exports is checked against a live
 * scrape by jobs' PrometheusMetricsIT, which reads the same file.
 */
class GrafanaDashboardTest {
    static final Path DASHBOARD = DeployManifestsTest.K8S.resolve("base/grafana/stream-retrieval.json");
    private static final String OP = "flink_taskmanager_job_task_operator_";
    private static final Pattern METRIC = Pattern.compile("\\bflink_[a-zA-Z0-9_:]*");

    /** What the dashboard must show → a query that shows it must contain every one of these strings. */
    static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            Map.entry("ingest rate", List.of(OP + "documentsIndexedPerSecond")),
            Map.entry("consumer lag of the documents source", List.of(OP + "pendingRecords", "Source:_documents_source")),
            Map.entry("consumer lag of the queries source", List.of(OP + "pendingRecords", "Source:_queries_source")),
            Map.entry("document dead-letter rate", List.of("rate(" + OP + "documentsDeadLettered")),
            Map.entry("query dead-letter rate", List.of("rate(" + OP + "queriesDeadLettered")),
            Map.entry("end-to-end latency per mode", List.of("by (mode)", OP + "mode_endToEndLatencyMs")),
            Map.entry("shard search latency per mode", List.of("by (mode)", OP + "mode_shardSearchLatencyUs")),
            Map.entry("encoder batch latency per operator", List.of("by (operator_name)", OP + "batchMillis")),
            Map.entry("partial results", List.of(OP + "partialResults")),
            Map.entry("documents per shard", List.of("by (shard)", OP + "shard_documents")),
            Map.entry("documents per subtask", List.of("by (subtask_index)", OP + "shard_documents")),
            Map.entry("state bytes per shard", List.of("by (shard)", OP + "shard_postingBytes")),
            Map.entry("state bytes per subtask", List.of("by (subtask_index)", OP + "shard_storeBytes")),
            Map.entry("checkpoint duration", List.of("flink_jobmanager_job_lastCheckpointDuration")));

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        return out;
    }

    /** What is wrong with a dashboard; empty when nothing. */
    static List<String> problems(JsonNode dashboard) {
        List<String> problems = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            if (!ids.add(panel.path("id").asInt(-1))) {
                problems.add("panel " + title + ": id " + panel.path("id") + " used twice");
            }
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            if (!panel.path("datasource").path("uid").asText().equals("${datasource}")) {
                problems.add("panel " + title + ": data source is not the dashboard's ${datasource}");
            }
            if (panel.path("targets").isEmpty()) {
                problems.add("panel " + title + ": no queries");
            }
            for (JsonNode t : panel.path("targets")) {
                String expr = t.path("expr").asText();
                if (!METRIC.matcher(expr).find()) {
                    problems.add("panel " + title + ": query '" + expr + "' selects no Flink metric");
                }
                if (!expr.isEmpty() && !expr.contains("job_name=~\"$job\"")) {
                    problems.add("panel " + title + ": query '" + expr + "' ignores the $job variable");
                }
            }
        }
        List<String> queries = queries(dashboard);
        REQUIRED.forEach((what, parts) -> {
            if (queries.stream().noneMatch(q -> parts.stream().allMatch(q::contains))) {
                problems.add("no panel shows " + what + " (a query with " + parts + ")");
            }
        });
        return problems;
    }

    @Test
    void theDashboardCoversTheJobAndQueriesOnlyFlinkMetrics() throws IOException {
        JsonNode d = dashboard();
        assertThat(d.path("uid").asText()).isEqualTo("stream-retrieval");
        assertThat(problems(d)).isEmpty();
    }

    @Test
    void eachCheckReportsAPlantedMistake() throws IOException {
        ObjectNode noLag = (ObjectNode) dashboard();
        for (JsonNode panel : noLag.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                ((ObjectNode) t).put("expr", t.path("expr").asText().replace("Source:_queries_source", "Source:_query_source"));
            }
        }
        assertThat(problems(noLag)).containsExactly(
                "no panel shows consumer lag of the queries source (a query with [" + OP + "pendingRecords, Source:_queries_source])");

        ObjectNode bad = (ObjectNode) dashboard();
        ObjectNode panel = (ObjectNode) bad.path("panels").get(1);
        ((ObjectNode) panel.path("targets").get(0)).put("expr", "sum(up)");
        ((ObjectNode) panel.path("datasource")).put("uid", "prometheus");
        assertThat(problems(bad)).contains(
                "panel " + panel.path("title").asText() + ": query 'sum(up)' selects no Flink metric",
                "panel " + panel.path("title").asText() + ": query 'sum(up)' ignores the $job variable",
                "panel " + panel.path("title").asText() + ": data source is not the dashboard's ${datasource}");
    }

    @Test
    void theBaseProvisionsTheDashboardThroughConfigMaps() throws IOException {
        List<ObjectNode> docs = DeployManifestsTest.base();
        ObjectNode dashboards = configMap(docs, "stream-retrieval-grafana-dashboard");
        assertThat(dashboards.at("/metadata/labels/grafana_dashboard").asText()).as("the Grafana sidecar's label").isEqualTo("1");
        assertThat(dashboards.at("/data/stream-retrieval.json").asText()).isEqualTo(Files.readString(DASHBOARD));
        JsonNode provider = Yaml.readAll(configMap(docs, "stream-retrieval-grafana-provider").at("/data/dashboard-provider.yaml").asText()).get(0);
        assertThat(provider.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(provider.at("/providers/0/type").asText()).isEqualTo("file");
        assertThat(provider.at("/providers/0/options/path").asText()).startsWith("/var/lib/grafana/dashboards");
    }

    @Test
    void generatorsWithAHashSuffixAreRefused(@TempDir Path tmp) throws IOException {
        Path copy = DeployManifestsTest.copyTree(DeployManifestsTest.K8S, tmp.resolve("k8s"));
        Path k = copy.resolve("base/kustomization.yaml");
        Files.writeString(k, Files.readString(k).replaceFirst("disableNameSuffixHash: true", "disableNameSuffixHash: false"));
        assertThatThrownBy(() -> Kustomize.render(copy.resolve("base"), List.of()))
                .hasMessageContaining("disableNameSuffixHash: true are supported");
    }

    private static ObjectNode configMap(List<ObjectNode> docs, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap") && d.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in the base"));
    }
}
