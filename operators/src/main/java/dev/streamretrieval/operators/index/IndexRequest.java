package dev.streamretrieval.operators.index;

import dev.streamretrieval.schemas.DocumentOp;

/**
 * A decoded, analysed document on its way to the shard that owns it. For deletes, {@code terms} is empty:
 * the shard removes the postings it recorded when the document was indexed.
 */
public class IndexRequest {
    public int shard;
    public String docId;
    public DocumentOp op;
    /** Null when the producer gave no version: the record then always applies. */
    public Long version;
    public String title;
    public String text;
    public String[] terms = new String[0];
    public int[] freqs = new int[0];
    public int length;
    /** Where the source record is (topic, partition, offset), for a report about it from a later stage. */
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    /** Kafka timestamp of the source record (ms), for freshness measurement. */
    public long producedAt;
    /** Dense vector encoded with the job's dense codec; null when the neural stages are off. */
    public byte[] dense;
    /** Token vectors encoded with the job's token codec; null when MaxSim is off. */
    public byte[] tokens;

    public IndexRequest() {}
}
