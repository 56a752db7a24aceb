package dev.streamretrieval.operators.gather;

import dev.streamretrieval.schemas.SearchResult;

/**
 * A gathered result on its way to the rerank stage: in full mode the top hits carry their passage text and the
 * query text for the cross-encoder; otherwise the result passes through unchanged.
 */
public class GatheredResult {
    public SearchResult result;
    public String queryText;
    /** Passage text per hit (parallel to result.hits); null entries beyond the rerank depth. */
    public String[] passages = new String[0];

    public GatheredResult() {}

    public GatheredResult(SearchResult result, String queryText, String[] passages) {
        this.result = result;
        this.queryText = queryText;
        this.passages = passages;
    }
}
