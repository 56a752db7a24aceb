package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

/** Which retrieval stages a query runs. */
public enum QueryMode {
    BM25("bm25"),
    DENSE("dense"),
    HYBRID("hybrid"),
    FULL("full"),
    /** End-to-end late interaction: candidates from the token centroids' lists, ranked by MaxSim (no BM25 or dense). */
    COLBERT("colbert");

    private final String wireName;

    QueryMode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** @return the mode for a wire name, or null when the name is not one of ours. */
    public static QueryMode fromWire(String name) {
        for (QueryMode m : values()) {
            if (m.wireName.equals(name)) {
                return m;
            }
        }
        return null;
    }
}
