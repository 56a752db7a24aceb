package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.HeapKeyValueState;
import dev.streamretrieval.operators.index.state.KeyValueState;

/**
 * Where one shard's {@link IvfIndex} keeps its data (state names in the job: {@code ivf-lists}, {@code ivf-blocks},
 * {@code ivf-locations}, {@code ivf-vectors}):
 * <ul>
 *   <li>lists: list number → (size, centroid); key {@link #COUNT_KEY} holds the number of lists;</li>
 *   <li>blocks: {@link #blockKey}(list, block number) → up to {@link IvfIndex#BLOCK_ENTRIES} entries of
 *   (ordinal, int8 code);</li>
 *   <li>locations: ordinal → (list, position in the list), so a removal finds its entry with one read;</li>
 *   <li>vectors: ordinal → the vector in the job's dense codec, for exact re-scoring (unused when the codec is
 *   int8: then the list codes are the codec's bytes and already exact).</li>
 * </ul>
 */
public record IvfStorage(
        KeyValueState<Integer, byte[]> lists,
        KeyValueState<Long, byte[]> blocks,
        KeyValueState<Long, Long> locations,
        KeyValueState<Long, byte[]> vectors) {
    static final int COUNT_KEY = -1;

    /** One shard's IVF storage on the heap. */
    public static IvfStorage onHeap() {
        return new IvfStorage(new HeapKeyValueState<>(), new HeapKeyValueState<>(), new HeapKeyValueState<>(),
                new HeapKeyValueState<>());
    }

    int listCount() {
        byte[] count = lists.get(COUNT_KEY);
        return count == null ? 0 : java.nio.ByteBuffer.wrap(count).getInt();
    }

    void setListCount(int count) {
        lists.put(COUNT_KEY, java.nio.ByteBuffer.allocate(4).putInt(count).array());
    }

    byte[] block(int list, int block) {
        return blocks.get(blockKey(list, block));
    }

    void putBlock(int list, int block, byte[] bytes) {
        blocks.put(blockKey(list, block), bytes);
    }

    void removeBlock(int list, int block) {
        blocks.remove(blockKey(list, block));
    }

    /** The location of an ordinal's entry, or -1 when the index does not hold it. */
    long location(long ordinal) {
        Long at = locations.get(ordinal);
        return at == null ? -1 : at;
    }

    /** The key of block {@code block} of list {@code list}: the list in the high half. */
    static long blockKey(int list, int block) {
        return ((long) list << 32) | (block & 0xffffffffL);
    }
}
