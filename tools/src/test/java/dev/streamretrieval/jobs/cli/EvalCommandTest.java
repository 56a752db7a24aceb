package dev.streamretrieval.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamretrieval.jobs.evaluation.MetricSummary;
import dev.streamretrieval.jobs.evaluation.Qrels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval's --cutoffs and --per-query. */
class EvalCommandTest {

    @Test
    void cutoffsAreWholeNumbersOfAtLeastOne() {
        assertThat(EvalCommand.parseCutoffs("5, 10,100")).containsExactly(5, 10, 100);
        assertThatThrownBy(() -> EvalCommand.parseCutoffs("10,ten")).hasMessageContaining("'ten'");
        assertThatThrownBy(() -> EvalCommand.parseCutoffs("0")).hasMessageContaining(">= 1");
    }

    @Test
    void perQueryFileHoldsEveryRunAndJudgedQuery(@TempDir Path dir) throws Exception {
        Map<String, Map<String, Integer>> j = new LinkedHashMap<>();
        j.put("q1", Map.of("a", 1));
        j.put("q2", Map.of("b", 2));
        j.put("q3", Map.of("c", 0)); // no relevant document: not averaged over, not listed
        Qrels qrels = new Qrels(j);
        Map<String, MetricSummary> runs = new LinkedHashMap<>();
        runs.put("bm25", MetricSummary.of(Map.of("q1", List.of("a"), "q2", List.of("x", "b")), qrels, List.of(1)));
        runs.put("lucene-bm25", MetricSummary.of(Map.of("q1", List.of("x", "a")), qrels, List.of(1)));
        Path file = dir.resolve("out/per-query.tsv");
        EvalCommand.writePerQuery(file, runs);
        assertThat(Files.readAllLines(file)).containsExactly(
                "run\tquery\tnDCG@1\tRecall@1\tMRR@1\tP@1\tSuccess@1\tF1@1\tMAP",
                "bm25\tq1\t1.000000\t1.000000\t1.000000\t1.000000\t1.000000\t1.000000\t1.000000",
                // q2: b at rank 2, so every @1 metric is 0 and AP = (1/2) / 1
                "bm25\tq2\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t0.500000",
                "lucene-bm25\tq1\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t0.500000",
                "lucene-bm25\tq2\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000");
    }
}
