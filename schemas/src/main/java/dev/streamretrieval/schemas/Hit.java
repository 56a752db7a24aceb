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
