package dev.streamretrieval.jobs.evaluation;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run in TREC format, one line per retrieved document: {@code qid Q0 docid rank score tag}.
 *
 * <p>{@code trec_eval} (and ir_measures, which follows it) ignores the rank column: it orders each query's
 * documents by score descending and breaks ties by document id descending, comparing the ids as byte strings.
 * {@link #trecEvalOrder} applies that order, so metrics computed here on a run equal trec_eval's on the same file.
 * Scores are written with {@link Double#toString}, the shortest text that reads back to the same double, so no
 * two different scores become equal in the file (a rounded format such as {@code %.4f} would create ties that
 * trec_eval then breaks by id).
 */
public final class TrecRun {
    private TrecRun() {}

    /** One retrieved document with the score the system gave it. */
    public record Entry(String docId, double score) {}

    /**
     * trec_eval's order: score descending, then document id descending. Java compares strings by UTF-16 code
     * unit and trec_eval by UTF-8 byte ({@code strcmp}); the two orders agree except between a character above
     * U+FFFF and one in U+E000..U+FFFF, which no id of the shared collections (all ASCII) has.
     */
    public static final Comparator<Entry> TREC_EVAL_ORDER =
            Comparator.comparingDouble(Entry::score).reversed().thenComparing(Entry::docId, Comparator.reverseOrder());

    /**
     * The entries as trec_eval should see them: unchanged when their scores never increase down the system's
     * ranking; otherwise (full mode: MaxSim- or cross-encoder-scored hits above hits that keep their fusion score,
     * on another scale) each gets score n - i + 1 for rank i of n, so that trec_eval keeps the system's order.
     */
    public static List<Entry> scoresFollowingRank(List<Entry> ranked) {
        boolean monotone = true;
        for (int i = 1; i < ranked.size(); i++) {
            if (ranked.get(i).score() > ranked.get(i - 1).score() || Double.isNaN(ranked.get(i).score())) {
                monotone = false;
                break;
            }
        }
        if (monotone) {
            return ranked;
        }
        List<Entry> out = new ArrayList<>(ranked.size());
        for (int i = 0; i < ranked.size(); i++) {
            out.add(new Entry(ranked.get(i).docId(), ranked.size() - i));
        }
        return out;
    }

    /** The document ids of {@code entries} in trec_eval's order (repeated ids are left for the metrics to drop). */
    public static List<String> trecEvalOrder(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(TREC_EVAL_ORDER);
        List<String> ids = new ArrayList<>(sorted.size());
        for (Entry e : sorted) {
            ids.add(e.docId());
        }
        return ids;
    }

    /** Query id → document ids in trec_eval's order, for every query of a run. */
    public static Map<String, List<String>> rankings(Map<String, List<Entry>> run) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        run.forEach((q, entries) -> out.put(q, trecEvalOrder(entries)));
        return out;
    }

    /**
     * Writes {@code run} (query id → entries, best first as the system ranked them) to {@code file}; rank is the
     * 1-based position in that order. Queries are written in the map's order.
     */
    public static void write(Path file, Map<String, List<Entry>> run, String tag) throws IOException {
        if (tag.isEmpty() || tag.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a run tag must be one non-empty word, got '" + tag + "'");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, List<Entry>> q : run.entrySet()) {
                checkId("query id", q.getKey());
                int rank = 0;
                for (Entry e : q.getValue()) {
                    checkId("document id", e.docId());
                    w.write(q.getKey() + " Q0 " + e.docId() + " " + (++rank) + " " + Double.toString(e.score())
                            + " " + tag);
                    w.newLine();
                }
            }
        }
    }

    private static void checkId(String what, String id) {
        if (id == null || id.isEmpty() || id.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a TREC run cannot hold the " + what + " '" + id
                    + "' (empty or with white space)");
        }
    }

    /**
     * Reads a run file: six white-space separated fields per line, blank lines skipped. Entries keep file order
     * per query (use {@link #rankings} for trec_eval's order).
     *
     * @throws IllegalArgumentException for a malformed line, naming the file and line number
     */
    public static Map<String, List<Entry>> read(Path file) throws IOException {
        Map<String, List<Entry>> run = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.strip().split("\\s+");
                if (f.length != 6) {
                    throw new IllegalArgumentException(file + " line " + lineNo
                            + ": expected 6 fields (qid Q0 docid rank score tag), got " + f.length);
                }
                double score;
                try {
                    score = Double.parseDouble(f[4]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": score '" + f[4]
                            + "' is not a number");
                }
                run.computeIfAbsent(f[0], q -> new ArrayList<>()).add(new Entry(f[2], score));
            }
        }
        run.replaceAll((q, entries) -> Collections.unmodifiableList(entries));
        return run;
    }
}
