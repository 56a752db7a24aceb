package dev.streamretrieval.jobs.cli.workbench;

import dev.streamretrieval.jobs.evaluation.RankingMetrics;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.SearchResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Two answers to the same query put side by side, as the workbench page shows them: each hit with why it ranks
 * (its evidence), where the other list ranks the same document (the overlap) and, when the query is judged, its
 * grade. A plain function of the two results and the judgments, so the page only renders what this computes.
 */
public final class SideBySide {
    private SideBySide() {}

    /**
     * The comparison the page renders.
     *
     * @param queryId the collection's id of the query when it is one of the collection's queries, else null
     * @param judged true when {@code queryId} has judgments: every hit then carries a grade or "unjudged"
     * @param overlap documents that both lists hold
     */
    public record Comparison(String query, String queryId, boolean judged, Column left, Column right, int overlap) {}

    /**
     * One mode's answer. {@code ndcg} is nDCG@(number of hits shown) against the judgments (null when the query is
     * not judged); {@code relevant} counts hits graded ≥ 1. {@code error} says why the mode has no answer (then
     * {@code hits} is empty).
     */
    public record Column(String mode, List<Row> hits, Long totalMatched, boolean partial, Double millis, Double ndcg,
            Integer relevant, List<String> notes, String error) {}

    /**
     * One hit. Evidence: the hit's rank and score in the BM25 list and in the dense list (null: the list does not
     * hold it, or the mode has no such list) and its MaxSim and cross-encoder scores where they were computed.
     * {@code otherRank}: the same document's rank in the other column, null when only this column holds it.
     * {@code grade}: the judged grade (0 = judged not relevant), null when unjudged or the query is not judged.
     * {@code snippet}: the start of the document's text when the loaded collection holds it (results carry titles
     * only, and some collections have none), else null.
     */
    public record Row(int rank, String docId, String title, String snippet, double score, Integer bm25Rank,
            Double bm25Score, Integer denseRank, Double denseScore, Double maxSim, Double crossEncoder,
            Integer otherRank, Integer grade) {}

    /** A column for a mode that gave no answer (timeout, refused mode). */
    public static Column failed(QueryMode mode, String error) {
        return new Column(mode.wireName(), List.of(), null, false, null, null, null, List.of(), error);
    }

    /**
     * Builds the comparison. {@code left}/{@code right} are the two results (null with an error given in
     * {@code leftError}/{@code rightError}); {@code grades} the query's judgments (doc id → grade), null when the
     * query is not one of the collection's judged queries; {@code snippets} the start of a document's text by id
     * (null when unknown).
     */
    public static Comparison compare(String query, String queryId, Map<String, Integer> grades,
            Function<String, String> snippets, QueryMode leftMode, SearchResult left, Double leftMillis,
            String leftError, QueryMode rightMode, SearchResult right, Double rightMillis, String rightError) {
        Map<String, Integer> leftRanks = ranks(left);
        Map<String, Integer> rightRanks = ranks(right);
        int overlap = 0;
        for (String d : leftRanks.keySet()) {
            if (rightRanks.containsKey(d)) {
                overlap++;
            }
        }
        return new Comparison(query, queryId, grades != null,
                column(leftMode, left, leftMillis, leftError, rightRanks, grades, snippets),
                column(rightMode, right, rightMillis, rightError, leftRanks, grades, snippets), overlap);
    }

    /** Document id → its rank in the result (the first occurrence when an id repeats). */
    private static Map<String, Integer> ranks(SearchResult r) {
        Map<String, Integer> out = new HashMap<>();
        if (r != null) {
            for (Hit h : r.hits) {
                out.putIfAbsent(h.docId, h.rank);
            }
        }
        return out;
    }

    private static Column column(QueryMode mode, SearchResult r, Double millis, String error,
            Map<String, Integer> other, Map<String, Integer> grades, Function<String, String> snippets) {
        if (r == null) {
            return failed(mode, error == null ? "no answer" : error);
        }
        // the answer's own mode: a dense query whose text could not be encoded is answered by bm25 (degraded)
        QueryMode answered = r.mode == null || QueryMode.fromWire(r.mode) == null ? mode : QueryMode.fromWire(r.mode);
        List<Row> rows = new ArrayList<>();
        List<String> ranking = new ArrayList<>();
        int relevant = 0;
        for (Hit h : r.hits) {
            Integer grade = grades == null ? null : grades.get(h.docId);
            if (grade != null && grade >= 1) {
                relevant++;
            }
            ranking.add(h.docId);
            rows.add(row(answered, h, snippets.apply(h.docId), other.get(h.docId), grade));
        }
        Double ndcg = grades == null || ranking.isEmpty() ? null
                : RankingMetrics.ndcgAt(ranking, grades, ranking.size());
        List<String> notes = new ArrayList<>(r.notes);
        r.degraded.forEach(d -> notes.add("degraded: " + d));
        return new Column(answered.wireName(), rows, r.totalMatched, r.partial, millis, ndcg, grades == null ? null : relevant,
                notes, null);
    }

    /**
     * A hit's evidence. Hybrid and full hits carry their rank in each fused list ({@link Hit#ranks}); a bm25 or
     * dense hit's rank is its rank in that single list.
     */
    static Row row(QueryMode mode, Hit h, String snippet, Integer otherRank, Integer grade) {
        Map<String, Double> scores = h.scores == null ? Map.of() : h.scores;
        Integer bm25Rank;
        Integer denseRank;
        if (h.ranks != null) {
            bm25Rank = h.ranks.get("bm25");
            denseRank = h.ranks.get("dense");
        } else {
            bm25Rank = mode == QueryMode.BM25 ? Integer.valueOf(h.rank) : null;
            denseRank = mode == QueryMode.DENSE ? Integer.valueOf(h.rank) : null;
        }
        // a single-list hit's own score is its score in that list
        Double bm25Score = bm25Rank == null ? null : scores.getOrDefault("bm25", h.ranks == null ? h.score : null);
        Double denseScore = denseRank == null ? null : scores.getOrDefault("dense", h.ranks == null ? h.score : null);
        return new Row(h.rank, h.docId, h.title, snippet, h.score, bm25Rank, bm25Score, denseRank, denseScore,
                scores.get("maxsim"), scores.get("cross_encoder"), otherRank, grade);
    }
}
