package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to a query on the results topic, keyed by query id.
 *
 * <p>{@code partial} is true when some shard did not answer before the gather timeout; {@code shards_answered}
 * and {@code shards_expected} say how many. A {@code stats} query fills {@code index_stats} instead of hits.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SearchResult {
    @JsonProperty("query_id")
    public String queryId;

    @JsonProperty("mode")
    public String mode;

    @JsonProperty("hits")
    public List<Hit> hits = new ArrayList<>();

    @JsonProperty("partial")
    public boolean partial;

    @JsonProperty("shards_expected")
    public int shardsExpected;

    @JsonProperty("shards_answered")
    public int shardsAnswered;

    /** Documents that matched at least one query term, over all shards (the size of the BM25 candidate set). */
    @JsonProperty("total_matched")
    public Long totalMatched;

    @JsonProperty("timings_ms")
    public Map<String, Double> timingsMs = new LinkedHashMap<>();

    @JsonProperty("index_stats")
    public IndexStats indexStats;

    /**
     * Stages that failed for this query (a model error), what the answer lacks because of it and why; empty when
     * every stage worked. {@code mode} is then the mode the answer was made with, e.g. bm25 for a dense query
     * whose text could not be encoded.
     */
    @JsonProperty("degraded")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public List<Degradation> degraded = new ArrayList<>();

    /** What the pipeline wants the reader to know, e.g. a stage that was skipped and why. */
    @JsonProperty("notes")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public List<String> notes = new ArrayList<>();

    public SearchResult() {}
}
