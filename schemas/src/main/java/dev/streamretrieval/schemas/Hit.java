package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/** One ranked document in a {@link SearchResult}; {@code scores} holds every stage's score by stage name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Hit {
    @JsonProperty("doc_id")
    public String docId;

    @JsonProperty("rank")
    public int rank;

    @JsonProperty("score")
    public double score;

    @JsonProperty("scores")
    public Map<String, Double> scores = new LinkedHashMap<>();

    /**
     * Hybrid and full: the hit's 1-based rank in each list the fusion combined ({@code bm25}, {@code dense}); a list
     * that does not hold the hit has no entry. Absent in bm25 and dense mode.
     */
    @JsonProperty("ranks")
    public Map<String, Integer> ranks;

    @JsonProperty("title")
    public String title;

    public Hit() {}

    public Hit(String docId, int rank, double score, Map<String, Double> scores, String title) {
        this.docId = docId;
        this.rank = rank;
        this.score = score;
        this.scores = scores;
        this.title = title;
    }
}
