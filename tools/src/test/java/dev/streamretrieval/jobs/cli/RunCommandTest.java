package dev.streamretrieval.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.QueryMode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo answers in hybrid mode when it can, and shows each hit's evidence. */
class RunCommandTest {

    @Test
    void hybridByDefaultWhenADenseModelIsConfigured() {
        assertThat(RunCommand.defaultMode(JobOptions.parse())).isEqualTo(QueryMode.HYBRID);
        assertThat(RunCommand.defaultMode(JobOptions.parse("--dense-model", "none"))).isEqualTo(QueryMode.BM25);
        // supplied vectors alone allow hybrid queries, but a query typed on stdin has no vector
        assertThat(RunCommand.defaultMode(JobOptions.parse("--dense-model", "none", "--vector-dimension", "3")))
                .isEqualTo(QueryMode.BM25);
    }

    @Test
    void everyHybridHitShowsItsBm25AndDenseRanks() {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("bm25", 7.25);
        scores.put("dense", 0.8125);
        scores.put("maxsim", 21.5);
        scores.put("rrf", 0.032);
        scores.put("combined", 0.625);
        Hit h = new Hit("d1", 1, 21.5, scores, "t");
        h.ranks = Map.of("bm25", 3, "dense", 1);
        // each list's column is 14 wide so that titles line up
        assertThat(RunCommand.evidence(h)).isEqualTo(
                "  bm25 #3 (7.250)    " + "  dense #1 (0.813)    " + "  maxsim 21.500  combined 0.625");
        h.ranks = Map.of("dense", 12);
        scores.remove("maxsim");
        scores.remove("combined");
        assertThat(RunCommand.evidence(h)).isEqualTo("  bm25 -             " + "  dense #12 (0.813)   ");
        h.ranks = null; // bm25 and dense mode: one list, nothing to explain
        assertThat(RunCommand.evidence(h)).isEmpty();
    }

    @Test
    void uiTakesAnOptionalPort() {
        java.util.List<String> positional = new java.util.ArrayList<>(java.util.List.of("9000"));
        assertThat(RunCommand.uiPort("true", positional)).isEqualTo(9000);
        assertThat(positional).isEmpty();
        assertThat(RunCommand.uiPort("true", new java.util.ArrayList<>()))
                .isEqualTo(dev.streamretrieval.jobs.cli.workbench.WorkbenchServer.DEFAULT_PORT);
        assertThat(RunCommand.uiPort("8123", new java.util.ArrayList<>())).isEqualTo(8123); // --ui=8123
        assertThat(RunCommand.uiPort(null, new java.util.ArrayList<>(java.util.List.of("9000")))).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunCommand.uiPort("http", new java.util.ArrayList<>()))
                .hasMessageContaining("--ui takes a port number");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunCommand.uiPort("70000", new java.util.ArrayList<>()))
                .hasMessageContaining("--ui takes a port number");
    }
}
