package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a query record asks for: a ranked search (the default), or the index statistics of every shard, which
 * tools use to reconcile what was produced against what the job's own state holds.
 */
public enum QueryOp {
    SEARCH("search"),
    STATS("stats");

    private final String wireName;

    QueryOp(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** @return the op for a wire name, or null when the name is not one of ours. */
    public static QueryOp fromWire(String name) {
        for (QueryOp op : values()) {
            if (op.wireName.equals(name)) {
                return op;
            }
        }
        return null;
    }
}
