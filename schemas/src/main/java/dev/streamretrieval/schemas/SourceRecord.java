package dev.streamretrieval.schemas;

import java.util.Base64;

/**
 * A record exactly as it was read from a topic, before any parsing, so that a refusal can carry the original
 * bytes and coordinates to the dead-letter topic.
 */
public class SourceRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    /** Null for a Kafka tombstone. */
    public byte[] value;

    public SourceRecord() {}

    public SourceRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    /**
     * The dead letter for this record, refused by {@code stage} for {@code reason}. A value over
     * {@code maxValueBytes} is cut to that size (and marked), so the dead letter itself stays under Kafka's
     * message size limit.
     */
    public DeadLetter toDeadLetter(String stage, String reason, java.time.Instant at, int maxValueBytes) {
        DeadLetter d = new DeadLetter();
        d.topic = topic;
        d.partition = partition;
        d.offset = offset;
        d.key = key == null ? null : new String(key, java.nio.charset.StandardCharsets.UTF_8);
        d.keyBase64 = key == null ? null : Base64.getEncoder().encodeToString(key);
        d.valueBytes = value == null ? -1 : value.length;
        d.valueTruncated = value != null && value.length > maxValueBytes;
        byte[] carried = d.valueTruncated ? java.util.Arrays.copyOf(value, maxValueBytes) : value;
        d.valueBase64 = carried == null ? null : Base64.getEncoder().encodeToString(carried);
        d.stage = stage;
        d.error = reason;
        d.at = at.toString();
        return d;
    }
}
