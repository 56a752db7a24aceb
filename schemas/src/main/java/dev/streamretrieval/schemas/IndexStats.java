package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the index holds, summed over shards, as answered to a {@code "op": "stats"} query. */
public class IndexStats {
    /** Live (searchable) documents. */
    @JsonProperty("documents")
    public long documents;

    /** Distinct terms with at least one live posting, summed over shards (a term in two shards counts twice). */
    @JsonProperty("terms")
    public long terms;

    /** Postings (document, term) pairs of live documents. */
    @JsonProperty("postings")
    public long postings;

    /** Sum of the analysed lengths of live documents. */
    @JsonProperty("total_length")
    public long totalLength;

    /** Deleted ids remembered with their version, so that an older upsert arriving late stays deleted. */
    @JsonProperty("tombstones")
    public long tombstones;

    /** Upserts applied, deletes applied and records ignored as stale since the index was created. */
    @JsonProperty("upserts_applied")
    public long upsertsApplied;

    @JsonProperty("deletes_applied")
    public long deletesApplied;

    @JsonProperty("stale_ignored")
    public long staleIgnored;

    /** Bytes of the encoded posting blocks (the BM25 representation) in the shards' state. */
    @JsonProperty("posting_bytes")
    public long postingBytes;

    /** UTF-8 bytes of id, title and text of the stored documents in the shards' state. */
    @JsonProperty("store_bytes")
    public long storeBytes;

    /** Bytes of stored dense vectors (codec payload). */
    @JsonProperty("dense_bytes")
    public long denseBytes;

    /** Bytes of stored token vectors (codec payload) and the number of token vectors. */
    @JsonProperty("token_bytes")
    public long tokenBytes;

    @JsonProperty("tokens")
    public long tokens;

    /**
     * Re-trains of the shards' residual token codebooks after the feed drifted (summed over shards; residual
     * token codecs only, the first training of each shard not counted).
     */
    @JsonProperty("token_codebook_retrains")
    public long tokenCodebookRetrains;

    /** Live documents per virtual shard id. */
    @JsonProperty("documents_per_shard")
    public Map<Integer, Long> documentsPerShard = new LinkedHashMap<>();

    /** The shard operator's subtask (0-based) that holds each virtual shard. */
    @JsonProperty("subtask_of_shard")
    public Map<Integer, Integer> subtaskOfShard = new LinkedHashMap<>();

    /** Live documents per subtask of the shard operator (subtasks without a shard are absent). */
    @JsonProperty("documents_per_subtask")
    public Map<Integer, Long> documentsPerSubtask = new LinkedHashMap<>();

    public IndexStats() {}
}
