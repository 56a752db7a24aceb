package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.scoring.Bm25;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What bounds the BM25 score of any posting in a block, per block of one term: the block's ordinal range
 * {@code [lo, hi]}, its largest term frequency and its smallest document length per occurrence
 * ({@link Bm25#smallestScoredLength}(dl) / tf, rounded down). BM25's term score grows with tf and shrinks with
 * dl / tf for every avgdl, so {@link Bm25#termScoreBound} of these bounds every posting of the block at any later
 * collection state (unlike a stored maximum impact, which avgdl changes would invalidate), and more tightly than
 * the largest tf with the smallest length, which rarely come from one document. Removals leave the parts as they
 * are: still a bound, only looser.
 *
 * <p>Stored per term for the closed blocks 0..blocks-2 (the last block's parts live in {@link TermInfo}, which every
 * append rewrites anyway), so the bounds are rewritten once per {@link PostingBlock#CAPACITY} appends.
 * Layout: per block {@code long lo, long hi, int maxFreq, float minLengthPerFreq}, little-endian.
 */
public final class BlockBounds {
    static final int ENTRY = 24;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    final long[] lo;
    final long[] hi;
    final int[] maxFreq;
    final float[] minLengthPerFreq;

    private BlockBounds(int n) {
        lo = new long[n];
        hi = new long[n];
        maxFreq = new int[n];
        minLengthPerFreq = new float[n];
    }

    /** The bounds of all {@code info.blocks} blocks: the closed ones from {@code closed}, the last from the info. */
    static BlockBounds of(TermInfo info, byte[] closed) {
        int n = info.blocks;
        BlockBounds b = new BlockBounds(n);
        for (int i = 0; i < n - 1; i++) {
            int at = i * ENTRY;
            b.lo[i] = (long) LONG.get(closed, at);
            b.hi[i] = (long) LONG.get(closed, at + 8);
            b.maxFreq[i] = (int) INT.get(closed, at + 16);
            b.minLengthPerFreq[i] = (float) FLOAT.get(closed, at + 20);
        }
        if (n > 0) {
            b.lo[n - 1] = info.lastLo;
            b.hi[n - 1] = info.lastHi;
            b.maxFreq[n - 1] = info.lastMaxFreq;
            b.minLengthPerFreq[n - 1] = info.lastMinLengthPerFreq;
        }
        return b;
    }

    /** A posting's length per occurrence as the bounds keep it: rounded down, so never above the real ratio. */
    static float lengthPerFreq(int length, int freq) {
        return Math.nextDown((float) (Bm25.smallestScoredLength(length) / (double) freq));
    }

    int size() {
        return lo.length;
    }

    /** {@code closed} with the last block's parts (from {@code info}) appended: the block is being closed. */
    static byte[] append(byte[] closed, TermInfo info) {
        int n = closed == null ? 0 : closed.length;
        byte[] out = closed == null ? new byte[ENTRY] : Arrays.copyOf(closed, n + ENTRY);
        write(out, n, info.lastLo, info.lastHi, info.lastMaxFreq, info.lastMinLengthPerFreq);
        return out;
    }

    /** Sets entry {@code slot} of {@code closed} to the last block's parts (the last block moved into the slot). */
    static void set(byte[] closed, int slot, TermInfo info) {
        write(closed, slot * ENTRY, info.lastLo, info.lastHi, info.lastMaxFreq, info.lastMinLengthPerFreq);
    }

    /** Makes entry {@code slot} of {@code closed} the last block's parts in {@code info}. */
    static void toLast(byte[] closed, int slot, TermInfo info) {
        int at = slot * ENTRY;
        info.lastLo = (long) LONG.get(closed, at);
        info.lastHi = (long) LONG.get(closed, at + 8);
        info.lastMaxFreq = (int) INT.get(closed, at + 16);
        info.lastMinLengthPerFreq = (float) FLOAT.get(closed, at + 20);
    }

    /** {@code closed} without its final entry. */
    static byte[] dropLast(byte[] closed) {
        return Arrays.copyOf(closed, closed.length - ENTRY);
    }

    private static void write(byte[] out, int at, long lo, long hi, int maxFreq, float minLengthPerFreq) {
        LONG.set(out, at, lo);
        LONG.set(out, at + 8, hi);
        INT.set(out, at + 16, maxFreq);
        FLOAT.set(out, at + 20, minLengthPerFreq);
    }
}
