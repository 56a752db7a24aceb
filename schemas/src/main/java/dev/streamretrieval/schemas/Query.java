package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A query on the queries topic: {@code {"id", "text", "k", "mode", "op", "fusion", "vector"}}, keyed by id. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Query {
    @JsonProperty("id")
    public String id;

    @JsonProperty("text")
    public String text;

    /** Number of hits wanted; null means the job's default. */
    @JsonProperty("k")
    public Integer k;

    @JsonProperty("mode")
    public QueryMode mode = QueryMode.BM25;

    @JsonProperty("op")
    public QueryOp op = QueryOp.SEARCH;

    /** hybrid/full: rrf or linear; null means the job's default. */
    @JsonProperty("fusion")
    public String fusion;

    /** dense/hybrid/full: the query's dense vector, embedded upstream; null means the job encodes the text. */
    @JsonProperty("vector")
    public float[] vector;

    public Query() {}

    public Query(String id, String text, Integer k, QueryMode mode, QueryOp op) {
        this.id = id;
        this.text = text;
        this.k = k;
        this.mode = mode;
        this.op = op;
    }

    public static Query search(String id, String text, Integer k) {
        return new Query(id, text, k, QueryMode.BM25, QueryOp.SEARCH);
    }

    public static Query stats(String id) {
        return new Query(id, null, null, null, QueryOp.STATS);
    }

    @Override
    public String toString() {
        return "Query{id=" + id + ", op=" + op + ", mode=" + mode + ", k=" + k + "}";
    }
}
