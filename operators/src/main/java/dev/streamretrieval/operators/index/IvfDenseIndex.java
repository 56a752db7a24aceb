package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.vectors.DenseCodec;
import java.util.HashMap;
import java.util.Map;

/**
 * The approximate {@link DenseIndex}: an {@link IvfIndex} per shard over {@link IvfStorage}, searched by
 * {@link IvfSearcher} with {@code nprobe} lists. One instance serves every shard of a subtask (the storage is scoped
 * by the current key), so the per-shard heap caches (list sizes and centroids) are kept by shard id.
 * {@link ShardCounters#denseBytes} counts the IVF's payload: per vector its block entry (8-byte ordinal + int8
 * code), its location (16 bytes: two longs) and, unless the codec is int8, the codec's vector.
 */
public final class IvfDenseIndex implements DenseIndex {
    private final IvfStorage storage;
    private final DenseCodec codec;
    private final int nprobe;
    private final int maxListSize;
    private final Map<Integer, IvfIndex> shards = new HashMap<>();

    public IvfDenseIndex(IvfStorage storage, DenseCodec codec, int nprobe, int maxListSize) {
        this.storage = storage;
        this.codec = codec;
        this.nprobe = nprobe;
        this.maxListSize = maxListSize;
    }

    private IvfIndex shard(int shard) {
        return shards.computeIfAbsent(shard, s -> new IvfIndex(storage, codec, maxListSize));
    }

    /** Payload bytes of one vector of {@code dim} dimensions (see the class comment). */
    private long payload(int dim) {
        return 8 + DenseCodec.INT8.bytes(dim) + 16 + (codec == DenseCodec.INT8 ? 0 : codec.bytes(dim));
    }

    @Override
    public void add(int shard, long ordinal, byte[] vector, DocEntry entry, ShardCounters c) {
        IvfIndex index = shard(shard);
        index.add(ordinal, vector);
        c.denseBytes += payload(index.dim());
    }

    @Override
    public void remove(int shard, DocEntry entry, ShardCounters c) {
        IvfIndex index = shard(shard);
        if (index.remove(entry.ordinal)) {
            c.denseBytes -= payload(index.dim());
        }
    }

    @Override
    public DenseResult search(int shard, float[] query, int k, long[] alsoScore, ShardCounters c) {
        if (query == null) {
            return DenseResult.empty(alsoScore.length);
        }
        return new IvfSearcher(shard(shard)).search(query, k, nprobe, alsoScore);
    }
}
