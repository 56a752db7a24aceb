package dev.streamretrieval.operators.ivf;

import java.util.HashMap;
import java.util.Map;

/** {@link IvfStorage} in hash maps: for tests and benchmarks that exercise the index without Flink. */
public final class MemoryIvfStorage implements IvfStorage {
    private int lists;
    private final Map<Integer, byte[]> listRecords = new HashMap<>();
    private final Map<Long, byte[]> blocks = new HashMap<>();
    private final Map<Long, Long> locations = new HashMap<>();
    private final Map<Long, byte[]> vectors = new HashMap<>();

    @Override
    public int listCount() {
        return lists;
    }

    @Override
    public void setListCount(int lists) {
        this.lists = lists;
    }

    @Override
    public byte[] list(int list) {
        return listRecords.get(list);
    }

    @Override
    public void putList(int list, byte[] record) {
        listRecords.put(list, record);
    }

    @Override
    public byte[] block(int list, int block) {
        return blocks.get(IvfStorage.blockKey(list, block));
    }

    @Override
    public void putBlock(int list, int block, byte[] bytes) {
        blocks.put(IvfStorage.blockKey(list, block), bytes);
    }

    @Override
    public void removeBlock(int list, int block) {
        blocks.remove(IvfStorage.blockKey(list, block));
    }

    @Override
    public long location(long ordinal) {
        return locations.getOrDefault(ordinal, -1L);
    }

    @Override
    public void putLocation(long ordinal, long location) {
        locations.put(ordinal, location);
    }

    @Override
    public void removeLocation(long ordinal) {
        locations.remove(ordinal);
    }

    @Override
    public byte[] vector(long ordinal) {
        return vectors.get(ordinal);
    }

    @Override
    public void putVector(long ordinal, byte[] vector) {
        vectors.put(ordinal, vector);
    }

    @Override
    public void removeVector(long ordinal) {
        vectors.remove(ordinal);
    }

    /** Stored blocks, locations and exact vectors: lets tests check that removals leave nothing behind. */
    public int blockCount() {
        return blocks.size();
    }

    public int locationCount() {
        return locations.size();
    }

    public int vectorCount() {
        return vectors.size();
    }
}
