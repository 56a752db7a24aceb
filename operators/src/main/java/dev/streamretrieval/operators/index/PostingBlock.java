package dev.streamretrieval.operators.index;

import java.util.Arrays;

/**
 * A fixed-capacity block of one term's postings, the unit stored under one RocksDB key.
 *
 * <p>A term's posting list is a sequence of blocks (see {@link TermInfo}); indexing a document appends to the last
 * block only, so the cost of adding a posting is bounded by the block size, not by the length of the list.
 * Entries are kept in ascending ordinal order (ordinals grow with indexing order) and encoded as
 * {@code varint(ordinal delta), varint(tf), varint(document length)}; the length sits beside the posting so a
 * scan scores without a second lookup.
 */
public final class PostingBlock {
    /** Postings per block: large enough to amortise a RocksDB read, small enough to rewrite on every append. */
    public static final int CAPACITY = 128;

    private long[] ordinals;
    private int[] freqs;
    private int[] lengths;
    private int size;

    public PostingBlock() {
        this(new long[8], new int[8], new int[8], 0);
    }

    private PostingBlock(long[] ordinals, int[] freqs, int[] lengths, int size) {
        this.ordinals = ordinals;
        this.freqs = freqs;
        this.lengths = lengths;
        this.size = size;
    }

    public int size() {
        return size;
    }

    public boolean isFull() {
        return size >= CAPACITY;
    }

    public long ordinal(int i) {
        return ordinals[i];
    }

    public int freq(int i) {
        return freqs[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** Index of the first posting whose ordinal is at least {@code ordinal} ({@link #size()} when none). */
    public int lowerBound(long ordinal) {
        return lowerBound(0, ordinal);
    }

    /** {@link #lowerBound(long)} searching from index {@code from} on. */
    public int lowerBound(int from, long ordinal) {
        int i = Arrays.binarySearch(ordinals, Math.min(from, size), size, ordinal);
        return i >= 0 ? i : -i - 1;
    }

    /** Appends a posting; ordinals must arrive in ascending order. */
    public void append(long ordinal, int freq, int length) {
        if (size > 0 && ordinal <= ordinals[size - 1]) {
            throw new IllegalArgumentException("posting ordinal " + ordinal + " not after " + ordinals[size - 1]);
        }
        if (size == ordinals.length) {
            int n = Math.max(8, size * 2);
            ordinals = Arrays.copyOf(ordinals, n);
            freqs = Arrays.copyOf(freqs, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        ordinals[size] = ordinal;
        freqs[size] = freq;
        lengths[size] = length;
        size++;
    }

    /** Removes the posting of {@code ordinal}; returns false when the block does not hold it. */
    public boolean remove(long ordinal) {
        int i = Arrays.binarySearch(ordinals, 0, size, ordinal);
        if (i < 0) {
            return false;
        }
        int tail = size - i - 1;
        System.arraycopy(ordinals, i + 1, ordinals, i, tail);
        System.arraycopy(freqs, i + 1, freqs, i, tail);
        System.arraycopy(lengths, i + 1, lengths, i, tail);
        size--;
        return true;
    }

    public byte[] encode() {
        byte[] buf = new byte[5 + size * 15];
        int pos = writeVarLong(buf, 0, size);
        long previous = 0;
        for (int i = 0; i < size; i++) {
            pos = writeVarLong(buf, pos, ordinals[i] - previous);
            previous = ordinals[i];
            pos = writeVarLong(buf, pos, freqs[i]);
            pos = writeVarLong(buf, pos, lengths[i]);
        }
        return Arrays.copyOf(buf, pos);
    }

    public static PostingBlock decode(byte[] bytes) {
        int[] pos = {0};
        int n = (int) readVarLong(bytes, pos);
        long[] ords = new long[Math.max(n, 1)];
        int[] fs = new int[Math.max(n, 1)];
        int[] ls = new int[Math.max(n, 1)];
        long previous = 0;
        for (int i = 0; i < n; i++) {
            previous += readVarLong(bytes, pos);
            ords[i] = previous;
            fs[i] = (int) readVarLong(bytes, pos);
            ls[i] = (int) readVarLong(bytes, pos);
        }
        return new PostingBlock(ords, fs, ls, n);
    }

    private static int writeVarLong(byte[] buf, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return pos;
    }

    private static long readVarLong(byte[] buf, int[] pos) {
        long v = 0;
        int shift = 0;
        while (true) {
            byte b = buf[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
            shift += 7;
        }
    }
}
