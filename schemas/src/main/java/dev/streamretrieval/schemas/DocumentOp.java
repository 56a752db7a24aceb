package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a document record asks the index to do. */
public enum DocumentOp {
    UPSERT("upsert"),
    DELETE("delete");

    private final String wireName;

    DocumentOp(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** @return the op for a wire name, or null when the name is not one of ours. */
    public static DocumentOp fromWire(String name) {
        for (DocumentOp op : values()) {
            if (op.wireName.equals(name)) {
                return op;
            }
        }
        return null;
    }
}
