package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.KeyValueState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One shard's centroid → documents inverted lists of the {@code colbert} query mode: list c holds the ordinal of every
 * document with at least one token vector whose residual code uses centroid c (PLAID's IVF over token centroids),
 * once per document.
 *
 * <p><b>Layout</b> (as {@link IvfIndex}'s lists): a list is stored in blocks of {@value #BLOCK} ordinals, key
 * {@code (c << 32) | block}; position p lives in block p / {@value #BLOCK}, so every block but the last is full. A
 * document's record ({@code entries}: ordinal → (centroid, position) pairs) lets a removal find its slots with one
 * read; removing moves the list's last entry into the freed slot (swap-with-last) and rewrites that document's
 * position. So an upsert or delete touches the blocks of the document's distinct centroids only, and the lists hold
 * exactly the stored documents (tests rebuild them from the documents and compare). The list sizes (one int per
 * centroid, key {@link #SIZES_KEY}) are cached on the heap per shard; this class is their only writer.
 */
public final class CentroidLists {
    static final int BLOCK = 128;
    static final long SIZES_KEY = -1L;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final KeyValueState<Long, byte[]> blocks;
    private final KeyValueState<Long, byte[]> entries;
    private final Map<Integer, int[]> sizes = new HashMap<>();

    public CentroidLists(KeyValueState<Long, byte[]> blocks, KeyValueState<Long, byte[]> entries) {
        this.blocks = blocks;
        this.entries = entries;
    }

    private int[] sizes(int shard) {
        int[] s = sizes.get(shard);
        if (s == null) {
            byte[] stored = blocks.get(SIZES_KEY);
            s = new int[stored == null ? 0 : stored.length / 4];
            for (int c = 0; c < s.length; c++) {
                s[c] = (int) INT_LE.get(stored, 4 * c);
            }
            sizes.put(shard, s);
        }
        return s;
    }

    private void writeSizes(int shard, int[] s) {
        byte[] out = new byte[4 * s.length];
        for (int c = 0; c < s.length; c++) {
            INT_LE.set(out, 4 * c, s[c]);
        }
        blocks.put(SIZES_KEY, out);
        sizes.put(shard, s);
    }

    private static long key(int centroid, int block) {
        return ((long) centroid << 32) | block;
    }

    /** Number of documents in centroid c's list. */
    public int size(int shard, int centroid) {
        int[] s = sizes(shard);
        return centroid < s.length ? s[centroid] : 0;
    }

    /** Adds a document that is not in the lists to the lists of its distinct centroids. */
    public void add(int shard, long ordinal, int[] centroids) {
        int[] distinct = Arrays.stream(centroids).distinct().sorted().toArray();
        int[] s = sizes(shard);
        if (distinct.length > 0 && distinct[distinct.length - 1] >= s.length) {
            s = Arrays.copyOf(s, distinct[distinct.length - 1] + 1);
        }
        byte[] record = new byte[8 * distinct.length];
        for (int i = 0; i < distinct.length; i++) {
            int c = distinct[i];
            int p = s[c];
            int slot = p % BLOCK;
            byte[] block = slot == 0 ? new byte[8] : Arrays.copyOf(blocks.get(key(c, p / BLOCK)), 8 * (slot + 1));
            LONG_LE.set(block, 8 * slot, ordinal);
            blocks.put(key(c, p / BLOCK), block);
            s[c] = p + 1;
            INT_LE.set(record, 8 * i, c);
            INT_LE.set(record, 8 * i + 4, p);
        }
        entries.put(ordinal, record);
        writeSizes(shard, s);
    }

    /** Removes a document from every list it is in; false when the lists do not hold it. */
    public boolean remove(int shard, long ordinal) {
        byte[] record = entries.get(ordinal);
        if (record == null) {
            return false;
        }
        int[] s = sizes(shard);
        for (int i = 0; i < record.length / 8; i++) {
            int c = (int) INT_LE.get(record, 8 * i);
            int p = (int) INT_LE.get(record, 8 * i + 4);
            int last = s[c] - 1;
            byte[] lastBlock = blocks.get(key(c, last / BLOCK));
            if (p != last) { // swap-with-last: the list's last document takes the freed slot
                long moved = (long) LONG_LE.get(lastBlock, 8 * (last % BLOCK));
                byte[] block = p / BLOCK == last / BLOCK ? lastBlock : blocks.get(key(c, p / BLOCK));
                LONG_LE.set(block, 8 * (p % BLOCK), moved);
                if (block != lastBlock) {
                    blocks.put(key(c, p / BLOCK), block);
                }
                reposition(moved, c, p);
            }
            if (last % BLOCK == 0) {
                blocks.remove(key(c, last / BLOCK));
            } else {
                blocks.put(key(c, last / BLOCK), Arrays.copyOf(lastBlock, 8 * (last % BLOCK)));
            }
            s[c] = last;
        }
        entries.remove(ordinal);
        writeSizes(shard, s);
        return true;
    }

    /** Rewrites a document's position in centroid c's list. */
    private void reposition(long ordinal, int centroid, int position) {
        byte[] record = entries.get(ordinal);
        for (int i = 0; i < record.length / 8; i++) {
            if ((int) INT_LE.get(record, 8 * i) == centroid) {
                INT_LE.set(record, 8 * i + 4, position);
                entries.put(ordinal, record);
                return;
            }
        }
        throw new IllegalStateException("centroid lists corrupt: ordinal " + ordinal + " not in list " + centroid);
    }

    /** The ordinals of centroid c's list. */
    public long[] list(int shard, int centroid) {
        int n = size(shard, centroid);
        long[] out = new long[n];
        for (int b = 0; b * BLOCK < n; b++) {
            byte[] block = blocks.get(key(centroid, b));
            for (int i = 0; i < block.length / 8; i++) {
                out[b * BLOCK + i] = (long) LONG_LE.get(block, 8 * i);
            }
        }
        return out;
    }

    private int lastCount;

    /**
     * The distinct centroids of a listed document into {@code into} (grown when too small; the array used is
     * returned, the count is {@link #lastCount()}, 0 for a document not listed): the colbert query reads one record
     * per candidate, without allocating.
     */
    public int[] centroidsOf(long ordinal, int[] into) {
        byte[] record = entries.get(ordinal);
        lastCount = record == null ? 0 : record.length / 8;
        if (into.length < lastCount) {
            into = new int[Math.max(lastCount, 2 * into.length)];
        }
        for (int i = 0; i < lastCount; i++) {
            into[i] = (int) INT_LE.get(record, 8 * i);
        }
        return into;
    }

    /** How many centroids the last {@link #centroidsOf(long, int[])} wrote. */
    public int lastCount() {
        return lastCount;
    }

    /** Empties every list (a re-train rebuilds them). */
    public void clear(int shard, long[] ordinals) {
        int[] s = sizes(shard);
        for (int c = 0; c < s.length; c++) {
            for (int b = 0; b * BLOCK < s[c]; b++) {
                blocks.remove(key(c, b));
            }
        }
        for (long ordinal : ordinals) {
            entries.remove(ordinal);
        }
        writeSizes(shard, new int[0]);
    }

    /** Every listed ordinal once, ascending. */
    public long[] allOrdinals(int shard) {
        int[] s = sizes(shard);
        long total = 0;
        for (int size : s) {
            total += size;
        }
        long[] all = new long[Math.toIntExact(total)];
        int n = 0;
        for (int c = 0; c < s.length; c++) {
            long[] list = list(shard, c);
            System.arraycopy(list, 0, all, n, list.length);
            n += list.length;
        }
        Arrays.sort(all);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || all[i] != all[distinct - 1]) {
                all[distinct++] = all[i];
            }
        }
        return Arrays.copyOf(all, distinct);
    }
}
