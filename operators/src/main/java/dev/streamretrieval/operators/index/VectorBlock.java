package dev.streamretrieval.operators.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A block of up to {@link #CAPACITY} dense vectors of one shard, stored under one RocksDB key, so that an exact
 * scan reads a shard's vectors with one state read per block and scores the encoded bytes in place.
 * Layout: {@code int count, int vectorBytes}, then per entry {@code long ordinal} + the codec's vector bytes.
 * Appends go to the last block; a removal rewrites only the block that holds the vector.
 */
public final class VectorBlock {
    public static final int CAPACITY = 64;
    static final int HEADER = 8;

    private byte[] bytes;

    private VectorBlock(byte[] bytes) {
        this.bytes = bytes;
    }

    public static VectorBlock empty(int vectorBytes) {
        return new VectorBlock(ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(vectorBytes).array());
    }

    public static VectorBlock wrap(byte[] bytes) {
        return new VectorBlock(bytes);
    }

    public byte[] bytes() {
        return bytes;
    }

    public int size() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    public int vectorBytes() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    private int stride() {
        return 8 + vectorBytes();
    }

    public long ordinal(int i) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(HEADER + i * stride());
    }

    /** Offset of entry i's vector bytes in {@link #bytes()}. */
    public int vectorOffset(int i) {
        return HEADER + i * stride() + 8;
    }

    public void append(long ordinal, byte[] vector) {
        if (vector.length != vectorBytes()) {
            throw new IllegalArgumentException("vector of " + vector.length + " bytes in a block of "
                    + vectorBytes() + "-byte vectors (was the dense model or codec changed?)");
        }
        int n = size();
        byte[] grown = Arrays.copyOf(bytes, bytes.length + stride());
        ByteBuffer b = ByteBuffer.wrap(grown).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, n + 1);
        b.putLong(HEADER + n * stride(), ordinal);
        System.arraycopy(vector, 0, grown, HEADER + n * stride() + 8, vector.length);
        bytes = grown;
    }

    /** Removes the entry of {@code ordinal}; false when absent. */
    public boolean remove(long ordinal) {
        int n = size();
        int stride = stride();
        for (int i = 0; i < n; i++) {
            if (ordinal(i) == ordinal) {
                byte[] shrunk = new byte[bytes.length - stride];
                System.arraycopy(bytes, 0, shrunk, 0, HEADER + i * stride);
                System.arraycopy(bytes, HEADER + (i + 1) * stride, shrunk, HEADER + i * stride, (n - i - 1) * stride);
                ByteBuffer.wrap(shrunk).order(ByteOrder.LITTLE_ENDIAN).putInt(0, n - 1);
                bytes = shrunk;
                return true;
            }
        }
        return false;
    }
}
