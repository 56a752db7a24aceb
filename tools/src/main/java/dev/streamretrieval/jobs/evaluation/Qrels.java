package dev.streamretrieval.jobs.evaluation;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Relevance judgments: query id → (document id → grade). A grade of 1 or more means relevant (higher is more
 * relevant); 0 or less means judged not relevant. Query and document order follow the order of first appearance.
 */
public final class Qrels {
    private final Map<String, Map<String, Integer>> judgments;

    /** Copies {@code judgments}, keeping iteration order. */
    public Qrels(Map<String, Map<String, Integer>> judgments) {
        Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
        judgments.forEach((q, docs) -> copy.put(q, Collections.unmodifiableMap(new LinkedHashMap<>(docs))));
        this.judgments = Collections.unmodifiableMap(copy);
    }

    /**
     * Reads the BEIR qrels TSV: an optional header line ({@code query-id<TAB>corpus-id<TAB>score}), then one
     * {@code query-id<TAB>corpus-id<TAB>score} line per judgment. Blank lines are skipped. When the same
     * (query, document) pair is judged twice the higher grade is kept.
     *
     * @param source the file name used in error messages
     * @throws IllegalArgumentException for a malformed line, naming {@code source} and the line number
     */
    public static Qrels parse(BufferedReader in, String source) throws IOException {
        Map<String, Map<String, Integer>> judgments = new LinkedHashMap<>();
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (lineNo == 1 && f.length >= 3 && !isInteger(f[2].strip())) {
                continue; // header
            }
            if (f.length != 3) {
                throw new IllegalArgumentException(source + " line " + lineNo
                        + ": expected 3 tab-separated fields (query-id, corpus-id, score), got " + f.length);
            }
            String q = f[0].strip();
            String d = f[1].strip();
            if (q.isEmpty() || d.isEmpty()) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": empty query-id or corpus-id");
            }
            int grade;
            try {
                grade = Integer.parseInt(f[2].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": score '" + f[2]
                        + "' is not an integer");
            }
            judgments.computeIfAbsent(q, x -> new LinkedHashMap<>()).merge(d, grade, Math::max);
        }
        return new Qrels(judgments);
    }

    private static boolean isInteger(String s) {
        try {
            Integer.parseInt(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Every judged query id, including queries whose judgments are all non-relevant. */
    public Set<String> queryIds() {
        return judgments.keySet();
    }

    /** The judgments of one query (document id → grade); empty when the query has none. */
    public Map<String, Integer> judgments(String queryId) {
        return judgments.getOrDefault(queryId, Map.of());
    }

    /** The documents judged relevant (grade ≥ 1) for {@code queryId}, in file order. */
    public Set<String> relevant(String queryId) {
        Set<String> out = new LinkedHashSet<>();
        judgments(queryId).forEach((d, g) -> {
            if (g >= 1) {
                out.add(d);
            }
        });
        return out;
    }

    /** The grade of {@code docId} for {@code queryId}; 0 when unjudged. */
    public int grade(String queryId, String docId) {
        return judgments(queryId).getOrDefault(docId, 0);
    }

    /** True when {@code queryId} has at least one relevant (grade ≥ 1) document. */
    public boolean hasRelevant(String queryId) {
        for (int g : judgments(queryId).values()) {
            if (g >= 1) {
                return true;
            }
        }
        return false;
    }

    /** The whole table, unmodifiable. */
    public Map<String, Map<String, Integer>> asMap() {
        return judgments;
    }

    /** Number of (query, document) judgments. */
    public int size() {
        int n = 0;
        for (Map<String, Integer> m : judgments.values()) {
            n += m.size();
        }
        return n;
    }

    @Override
    public String toString() {
        return "Qrels{queries=" + judgments.size() + ", judgments=" + size() + "}";
    }
}
