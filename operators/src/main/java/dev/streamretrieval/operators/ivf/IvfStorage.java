package dev.streamretrieval.operators.ivf;

/**
 * Where one shard's IVF index keeps its data. The Flink operator backs it with keyed state (one instance per shard
 * key, RocksDB in the job); {@link MemoryIvfStorage} keeps it in hash maps for tests and benchmarks. Absent values
 * read as {@code null} (byte arrays), {@code -1} (locations) or {@code 0} (list count).
 *
 * <ul>
 *   <li>list count, and per list a record of its size and centroid ({@link IvfIndex} encodes it);</li>
 *   <li>blocks: (list, block number) → up to {@link IvfIndex#BLOCK_ENTRIES} entries of (ordinal, int8 code);</li>
 *   <li>locations: ordinal → (list, position in the list), so a delete finds its entry with one read;</li>
 *   <li>vectors: ordinal → the vector in the job's dense codec, for exact re-scoring (absent when the codec is
 *   int8: then the list codes are the codec's bytes and already exact).</li>
 * </ul>
 */
public interface IvfStorage {
    int listCount() throws Exception;

    void setListCount(int lists) throws Exception;

    byte[] list(int list) throws Exception;

    void putList(int list, byte[] record) throws Exception;

    byte[] block(int list, int block) throws Exception;

    void putBlock(int list, int block, byte[] bytes) throws Exception;

    void removeBlock(int list, int block) throws Exception;

    long location(long ordinal) throws Exception;

    void putLocation(long ordinal, long location) throws Exception;

    void removeLocation(long ordinal) throws Exception;

    byte[] vector(long ordinal) throws Exception;

    void putVector(long ordinal, byte[] vector) throws Exception;

    void removeVector(long ordinal) throws Exception;

    /** The key of block {@code block} of list {@code list} in a single long-keyed map. */
    static long blockKey(int list, int block) {
        return ((long) list << 32) | (block & 0xffffffffL);
    }
}
