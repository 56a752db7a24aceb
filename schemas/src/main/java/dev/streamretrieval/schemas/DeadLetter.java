package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record the job could not process, on the dead-letter topic: where it came from, its original bytes
 * (base64, so invalid UTF-8 survives), which stage refused it, why, and when. With {@code degraded} set, a
 * record the job did process, but without the named stage.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public class DeadLetter {
    @JsonProperty("topic")
    public String topic;

    @JsonProperty("partition")
    public int partition;

    @JsonProperty("offset")
    public long offset;

    /** The record key as UTF-8 text, or null; {@code key_base64} carries the exact bytes. */
    @JsonProperty("key")
    public String key;

    @JsonProperty("key_base64")
    public String keyBase64;

    /** The original value bytes in base64; null for a tombstone. Truncated when {@code value_truncated}. */
    @JsonProperty("value_base64")
    public String valueBase64;

    /** Size of the original value in bytes (-1 for a tombstone). */
    @JsonProperty("value_bytes")
    public int valueBytes;

    /**
     * True when the value was larger than the dead-letter limit and only its first bytes are carried; the whole
     * record stays on its source topic at {@code topic/partition/offset}.
     */
    @JsonProperty("value_truncated")
    public boolean valueTruncated;

    @JsonProperty("error")
    public String error;

    @JsonProperty("stage")
    public String stage;

    /**
     * False for a refused record. True for a record that was processed without one stage (a document the dense
     * model could not encode is indexed for BM25 only): {@code stage} names the stage, {@code error} the reason,
     * {@code key} the document id; the value is not carried (it stays on its topic at the given offset).
     */
    @JsonProperty("degraded")
    public boolean degraded;

    /** ISO-8601 instant at which the record was refused. */
    @JsonProperty("at")
    public String at;

    public DeadLetter() {}

    @Override
    public String toString() {
        return "DeadLetter{" + topic + "-" + partition + "@" + offset + ", stage=" + stage + ", error=" + error + "}";
    }
}
