package dev.streamretrieval.jobs.cli;

import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.evaluation.Qrels;
import dev.streamretrieval.jobs.evaluation.RunComparison;
import dev.streamretrieval.jobs.evaluation.TrecRun;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code compare RUN_A RUN_B --qrels Q}: the queries where two TREC runs (e.g. {@code eval --run-dir} output)
 * differ most on one metric, with the documents that differ and their scores in both runs.
 */
final class CompareCommand {
    private CompareCommand() {}

    /** {@code compare RUN_A RUN_B --qrels PATH [--metric nDCG@10] [--cutoffs 10] [--top 20] [--depth 10]}. */
    static int run(CommandLine.ParseResult args) throws Exception {
        List<String> runs = List.of(args.matchedPositionalValue(0, new String[0]));
        String qrels = args.matchedOptionValue("--qrels", null);
        if (runs.size() != 2 || qrels == null) {
            throw new IllegalArgumentException("compare needs two run files and --qrels (a BEIR folder or qrels TSV)");
        }
        int top;
        int depth;
        try {
            top = Integer.parseInt(args.matchedOptionValue("--top", "20"));
            depth = Integer.parseInt(args.matchedOptionValue("--depth", "10"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--top and --depth need whole numbers");
        }
        return run(Path.of(runs.get(0)), Path.of(runs.get(1)), Path.of(qrels),
                args.matchedOptionValue("--metric", "nDCG@10"), args.matchedOptionValue("--cutoffs", "10"), top,
                depth, System.out);
    }

    static int run(Path runA, Path runB, Path qrelsPath, String metric, String cutoffs, int top, int depth,
            PrintStream out) throws Exception {
        Map<String, List<TrecRun.Entry>> a = TrecRun.read(runA);
        Map<String, List<TrecRun.Entry>> b = TrecRun.read(runB);
        Qrels qrels = loadQrels(qrelsPath);
        List<Integer> ks = EvalCommand.parseCutoffs(cutoffs);
        List<RunComparison.Row> rows = RunComparison.compare(TrecRun.rankings(a), TrecRun.rankings(b), qrels,
                metric, ks, depth);
        long judged = qrels.queryIds().stream().filter(qrels::hasRelevant).count();
        out.printf(Locale.ROOT, "%s: A = %s, B = %s; %d of %d judged queries differ (in %s or in the first %d)%n",
                metric, runA, runB, rows.size(), judged, metric, depth);
        Map<String, Double> scoresA = scores(a);
        Map<String, Double> scoresB = scores(b);
        for (RunComparison.Row r : rows.subList(0, Math.min(top, rows.size()))) {
            out.printf(Locale.ROOT, "%n%-12s A %.4f  B %.4f  diff %+.4f  first differing rank %s%n", r.queryId(),
                    r.a(), r.b(), r.diff(), r.firstDiffering() == 0 ? "-" : r.firstDiffering());
            printDocs(out, "only in A", r.queryId(), r.onlyInA(), scoresA, scoresB, qrels);
            printDocs(out, "only in B", r.queryId(), r.onlyInB(), scoresA, scoresB, qrels);
            if (r.firstDiffering() > 0) {
                List<String> ra = TrecRun.trecEvalOrder(a.getOrDefault(r.queryId(), List.of()));
                List<String> rb = TrecRun.trecEvalOrder(b.getOrDefault(r.queryId(), List.of()));
                int i = r.firstDiffering() - 1;
                out.printf(Locale.ROOT, "  at rank %d: A %s, B %s%n", i + 1, describe(r.queryId(), ra, i, scoresA, scoresB, qrels),
                        describe(r.queryId(), rb, i, scoresA, scoresB, qrels));
            }
        }
        return 0;
    }

    /** A BEIR folder (its qrels/test.tsv) or a qrels TSV file. */
    static Qrels loadQrels(Path p) throws Exception {
        if (Files.isDirectory(p)) {
            return BeirCollection.load(p).qrels();
        }
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            return Qrels.parse(r, p.toString());
        }
    }

    /** (query id + " " + doc id) → score. */
    private static Map<String, Double> scores(Map<String, List<TrecRun.Entry>> run) {
        Map<String, Double> out = new HashMap<>();
        run.forEach((q, entries) -> entries.forEach(e -> out.putIfAbsent(q + " " + e.docId(), e.score())));
        return out;
    }

    private static void printDocs(PrintStream out, String label, String q, List<String> docs,
            Map<String, Double> scoresA, Map<String, Double> scoresB, Qrels qrels) {
        if (docs.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("  ").append(label).append(':');
        for (String d : docs.subList(0, Math.min(5, docs.size()))) {
            sb.append(' ').append(doc(q, d, scoresA, scoresB, qrels));
        }
        if (docs.size() > 5) {
            sb.append(" ... (").append(docs.size()).append(')');
        }
        out.println(sb);
    }

    private static String describe(String q, List<String> ranking, int i, Map<String, Double> scoresA,
            Map<String, Double> scoresB, Qrels qrels) {
        return i < ranking.size() ? doc(q, ranking.get(i), scoresA, scoresB, qrels) : "(none)";
    }

    /** {@code doc[grade g](A score / B score)}, "-" for a run that did not retrieve it. */
    private static String doc(String q, String d, Map<String, Double> scoresA, Map<String, Double> scoresB,
            Qrels qrels) {
        Double sa = scoresA.get(q + " " + d);
        Double sb = scoresB.get(q + " " + d);
        return String.format(Locale.ROOT, "%s[grade %d](%s / %s)", d, qrels.grade(q, d),
                sa == null ? "-" : String.valueOf(sa), sb == null ? "-" : String.valueOf(sb));
    }
}
