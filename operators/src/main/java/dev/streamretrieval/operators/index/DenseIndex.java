package dev.streamretrieval.operators.index;

/**
 * A shard's dense vectors and their nearest-neighbour search. {@link ExactDenseIndex} scans every vector; an
 * approximate index ({@link IvfDenseIndex}) is a second implementation behind the same calls. Calls name the shard
 * because one instance serves every shard of a subtask (the state being scoped by the current key). Vectors arrive encoded by the job's
 * {@link dev.streamretrieval.operators.vectors.DenseCodec}; queries are float arrays of the same dimension.
 */
public interface DenseIndex {
    /** Adds the vector of a newly indexed document; records where it went in {@code entry}. */
    void add(int shard, long ordinal, byte[] vector, DocEntry entry, ShardCounters c);

    /** Removes the vector of a document being replaced or deleted (no-op when it has none). */
    void remove(int shard, DocEntry entry, ShardCounters c);

    /**
     * The best {@code k} documents by similarity (dot product), best first, ties by ordinal ascending; plus the
     * exact similarity of each ordinal in {@code alsoScore} (NaN when it has no vector), which hybrid search needs
     * for the BM25 candidates.
     */
    DenseResult search(int shard, float[] query, int k, long[] alsoScore, ShardCounters c);
}
