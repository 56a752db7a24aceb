package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.vectors.DenseCodec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * The writable side of one shard's inverted-file (IVF) dense index: every vector belongs to the list of its nearest
 * centroid (squared L2), and a query scans only the lists of its nearest centroids ({@link IvfSearcher}).
 *
 * <p><b>Lists.</b> Each list stores its entries as (ordinal, int8 code: {@link DenseCodec#INT8}, 4 + dim bytes) in
 * blocks of {@link #BLOCK_ENTRIES}; position p lives in block p / 64, slot p % 64, so every block but the last is
 * full. Removing an entry moves the list's last entry into its slot (swap-with-last) and truncates the last block;
 * the moved entry's location is rewritten. The list's centroid is the running mean of its members
 * (MacQueen's online k-means: m += (x − m) / n on insert, m = (n·m − x) / (n − 1) on removal), so it follows the
 * feed; an emptied list keeps its last centroid and is skipped by searches.
 *
 * <p><b>Growth by splitting.</b> A shard starts with one list (centroid = its first vector). A list that reaches
 * {@code maxListSize} vectors (default {@value #DEFAULT_MAX_LIST_SIZE}) is split in two by 2-means over its own
 * codes (k-means++ seeding from a fixed seed, at most {@link #SPLIT_ITERATIONS} Lloyd iterations): the old list keeps
 * one side, a new list takes the other. So lists hold about maxListSize / 2 to maxListSize vectors and their number
 * grows as N / 256 .. N / 128 at the default — the centroid count rule — without ever re-training the whole shard:
 * a split costs O(maxListSize · dim) and touches one list, where a global k-means re-train at 125k vectors per shard
 * (1M documents over 8 shards) would stall the shard for seconds and rewrite every block. Splitting is
 * deterministic (fixed seed, the order of writes), so a restore or rescale sees the same lists and replaying the
 * same writes rebuilds the same index.
 *
 * <p><b>Exact scores.</b> With the job's codec int8 the list codes are the codec's bytes, so scan scores equal the
 * exact scan's. Otherwise the codec's vector is also stored by ordinal and the searcher re-scores the best
 * candidates with it.
 *
 * <p>Lists' sizes and centroids are cached on the heap (one instance per shard key and operator instance; the
 * operator is the only writer of the state, so the cache stays equal to it). The cache is loaded from storage on
 * first use, e.g. after a restore.
 */
public final class IvfIndex {
    public static final int BLOCK_ENTRIES = 64;
    /** The default {@code maxListSize}: see the class comment and the README's dense index section. */
    public static final int DEFAULT_MAX_LIST_SIZE = 256;
    static final int SPLIT_ITERATIONS = 8;
    private static final long SEED = 0x1f5eedL;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private final IvfStorage storage;
    private final DenseCodec codec;
    private final int maxListSize;
    private boolean loaded;
    private int dim;
    private int lists;
    private int[] counts = new int[0];
    private float[] centroids = new float[0];
    /** |c|² / 2 per list: nearest centroid by L2 is the largest x·c − |c|² / 2. */
    private float[] halfNorms = new float[0];

    public IvfIndex(IvfStorage storage, DenseCodec codec, int maxListSize) {
        if (maxListSize < 2) {
            throw new IllegalArgumentException("an IVF list must be allowed at least 2 vectors, got " + maxListSize);
        }
        this.storage = storage;
        this.codec = codec;
        this.maxListSize = maxListSize;
    }

    IvfStorage storage() {
        return storage;
    }

    DenseCodec codec() {
        return codec;
    }

    /** Whether the codec's vectors are stored by ordinal for re-scoring (they are whenever the codec is not int8). */
    boolean keepsExactVectors() {
        return codec != DenseCodec.INT8;
    }

    int dim() {
        return dim;
    }

    public int lists() {
        ensureLoaded();
        return lists;
    }

    public int listSize(int list) {
        ensureLoaded();
        return counts[list];
    }

    float[] centroids() {
        return centroids;
    }

    float[] halfNorms() {
        return halfNorms;
    }

    int[] counts() {
        return counts;
    }

    /** Bytes of one block entry: the ordinal and the int8 code. */
    int stride() {
        return 8 + DenseCodec.INT8.bytes(dim);
    }

    static long ordinalAt(byte[] block, int entry, int stride) {
        return (long) LONG_LE.get(block, entry * stride);
    }

    void ensureLoaded() {
        if (loaded) {
            return;
        }
        loaded = true;
        int n = storage.listCount();
        for (int l = 0; l < n; l++) {
            byte[] record = storage.lists().get(l);
            if (record == null) {
                throw new IllegalStateException("dense index corrupt: list " + l + " of " + n + " has no record");
            }
            if (l == 0) {
                dim = (record.length - 4) / 4;
            }
            float[] centroid = new float[dim];
            for (int i = 0; i < dim; i++) {
                centroid[i] = (float) FLOAT_LE.get(record, 4 + 4 * i);
            }
            addList((int) INT_LE.get(record, 0), centroid);
        }
    }

    private int dimOf(byte[] vector) {
        return codec == DenseCodec.FLOAT32 ? vector.length / 4 : vector.length - 4;
    }

    /** Indexes the vector (the job codec's bytes) of a document ordinal that is not in the index. */
    public void add(long ordinal, byte[] vector) {
        ensureLoaded();
        int d = dimOf(vector);
        if (lists > 0 && d != dim) {
            throw new IllegalArgumentException("vector of " + d + " dimensions in a dense index of " + dim
                    + " (was the dense model changed?)");
        }
        float[] x = codec.decode(vector, 0, d);
        if (lists == 0) {
            dim = d;
            addList(0, x);
            storage.setListCount(lists);
        }
        byte[] code = codec == DenseCodec.INT8 ? vector : DenseCodec.INT8.encode(x);
        int l = nearest(x);
        int p = counts[l];
        int stride = stride();
        int b = p / BLOCK_ENTRIES;
        int slot = p % BLOCK_ENTRIES;
        byte[] block = slot == 0 ? new byte[stride] : Arrays.copyOf(storage.block(l, b), (slot + 1) * stride);
        LONG_LE.set(block, slot * stride, ordinal);
        System.arraycopy(code, 0, block, slot * stride + 8, code.length);
        storage.putBlock(l, b, block);
        storage.locations().put(ordinal, location(l, p));
        if (keepsExactVectors()) {
            storage.vectors().put(ordinal, vector);
        }
        counts[l] = p + 1;
        float[] decoded = DenseCodec.INT8.decode(code, 0, dim);
        int base = l * dim;
        for (int i = 0; i < dim; i++) {
            centroids[base + i] += (decoded[i] - centroids[base + i]) / (p + 1);
        }
        writeList(l);
        if (counts[l] >= maxListSize) {
            split(l);
        }
    }

    /** Removes a document ordinal's vector; false when the index does not hold it. */
    public boolean remove(long ordinal) {
        ensureLoaded();
        long loc = storage.location(ordinal);
        if (loc < 0) {
            return false;
        }
        int l = (int) (loc >>> 32);
        int p = (int) loc;
        int stride = stride();
        int last = counts[l] - 1;
        int pb = p / BLOCK_ENTRIES;
        int ps = p % BLOCK_ENTRIES;
        int lb = last / BLOCK_ENTRIES;
        int ls = last % BLOCK_ENTRIES;
        byte[] lastBlock = storage.block(l, lb);
        byte[] block = pb == lb ? lastBlock : storage.block(l, pb);
        if (block == null || lastBlock == null || ordinalAt(block, ps, stride) != ordinal) {
            throw new IllegalStateException("dense index corrupt: ordinal " + ordinal + " not at position " + p
                    + " of list " + l);
        }
        float[] x = DenseCodec.INT8.decode(block, ps * stride + 8, dim);
        if (p != last) { // swap-with-last: the list's last entry takes the removed slot
            long moved = ordinalAt(lastBlock, ls, stride);
            System.arraycopy(lastBlock, ls * stride, block, ps * stride, stride);
            storage.locations().put(moved, location(l, p));
            if (pb != lb) {
                storage.putBlock(l, pb, block);
            }
        }
        if (ls == 0) {
            storage.removeBlock(l, lb);
        } else {
            storage.putBlock(l, lb, Arrays.copyOf(lastBlock, ls * stride));
        }
        storage.locations().remove(ordinal);
        if (keepsExactVectors()) {
            storage.vectors().remove(ordinal);
        }
        int n = counts[l];
        counts[l] = n - 1;
        if (n > 1) {
            int base = l * dim;
            for (int i = 0; i < dim; i++) {
                centroids[base + i] = (n * centroids[base + i] - x[i]) / (n - 1);
            }
        }
        writeList(l);
        return true;
    }

    private static long location(int list, int position) {
        return ((long) list << 32) | position;
    }

    private int nearest(float[] x) {
        int best = 0;
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int l = 0; l < lists; l++) {
            float s = dot(x, centroids, l * dim, dim) - halfNorms[l];
            if (s > bestScore) {
                best = l;
                bestScore = s;
            }
        }
        return best;
    }

    static float dot(float[] x, float[] m, int offset, int dim) {
        float s0 = 0;
        float s1 = 0;
        int i = 0;
        for (; i + 1 < dim; i += 2) {
            s0 += x[i] * m[offset + i];
            s1 += x[i + 1] * m[offset + i + 1];
        }
        for (; i < dim; i++) {
            s0 += x[i] * m[offset + i];
        }
        return s0 + s1;
    }

    private void addList(int count, float[] centroid) {
        if (lists == counts.length) {
            int grown = Math.max(8, 2 * lists);
            counts = Arrays.copyOf(counts, grown);
            halfNorms = Arrays.copyOf(halfNorms, grown);
            centroids = Arrays.copyOf(centroids, grown * dim);
        }
        counts[lists] = count;
        System.arraycopy(centroid, 0, centroids, lists * dim, dim);
        lists++;
        updateNorm(lists - 1);
    }

    private void updateNorm(int l) {
        halfNorms[l] = selfDot(centroids, l * dim, dim) / 2;
    }

    private static float selfDot(float[] a, int offset, int dim) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            s += a[offset + i] * a[offset + i];
        }
        return s;
    }

    /** Record of list l: int size, then the centroid as little-endian floats. */
    private void writeList(int l) {
        updateNorm(l);
        byte[] record = new byte[4 + 4 * dim];
        INT_LE.set(record, 0, counts[l]);
        for (int i = 0; i < dim; i++) {
            FLOAT_LE.set(record, 4 + 4 * i, centroids[l * dim + i]);
        }
        storage.lists().put(l, record);
    }

    /**
     * Splits list l in two by 2-means over its codes. Side 0 stays in l (rewritten from position 0), side 1 becomes
     * a new list; only entries whose (list, position) changed get their location rewritten. A list whose vectors
     * are all equal cannot be split and stays as it is.
     */
    private void split(int l) {
        int n = counts[l];
        int stride = stride();
        byte[] entries = new byte[n * stride];
        for (int b = 0, at = 0; at < n; b++) {
            byte[] block = storage.block(l, b);
            System.arraycopy(block, 0, entries, at * stride, block.length);
            at += block.length / stride;
        }
        float[] xs = new float[n * dim];
        for (int i = 0; i < n; i++) {
            float[] x = DenseCodec.INT8.decode(entries, i * stride + 8, dim);
            System.arraycopy(x, 0, xs, i * dim, dim);
        }
        float[] means = new float[2 * dim];
        int[] side = twoMeans(xs, n, means, new Random(SEED + l));
        int ones = 0;
        for (int s : side) {
            ones += s;
        }
        if (ones == 0 || ones == n) {
            return;
        }
        int m = lists;
        addList(0, Arrays.copyOfRange(means, dim, 2 * dim));
        System.arraycopy(means, 0, centroids, l * dim, dim);
        int[] position = new int[2];
        byte[][] open = new byte[2][];
        int[] target = {l, m};
        int blocksBefore = (n + BLOCK_ENTRIES - 1) / BLOCK_ENTRIES;
        for (int i = 0; i < n; i++) {
            int s = side[i];
            int p = position[s]++;
            int slot = p % BLOCK_ENTRIES;
            if (slot == 0) {
                open[s] = new byte[Math.min(BLOCK_ENTRIES, (s == 0 ? n - ones : ones) - p) * stride];
            }
            System.arraycopy(entries, i * stride, open[s], slot * stride, stride);
            if (s == 1 || p != i) {
                storage.locations().put(ordinalAt(entries, i, stride), location(target[s], p));
            }
            if (slot == BLOCK_ENTRIES - 1 || position[s] == (s == 0 ? n - ones : ones)) {
                storage.putBlock(target[s], p / BLOCK_ENTRIES, open[s]);
            }
        }
        for (int b = (n - ones + BLOCK_ENTRIES - 1) / BLOCK_ENTRIES; b < blocksBefore; b++) {
            storage.removeBlock(l, b);
        }
        counts[l] = n - ones;
        counts[m] = ones;
        writeList(l);
        writeList(m);
        storage.setListCount(lists);
    }

    /**
     * 2-means over the n vectors in xs (row-major): k-means++ seeding (first centre uniform, second with
     * probability ∝ squared distance), then Lloyd iterations until no vector changes side. Fills means
     * (2 × dim) and returns each vector's side.
     */
    private int[] twoMeans(float[] xs, int n, float[] means, Random random) {
        int first = random.nextInt(n);
        double[] d2 = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            d2[i] = squaredDistance(xs, i * dim, xs, first * dim);
            total += d2[i];
        }
        int second = first;
        double pick = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            pick -= d2[i];
            if (pick < 0 && d2[i] > 0) {
                second = i;
                break;
            }
        }
        System.arraycopy(xs, first * dim, means, 0, dim);
        System.arraycopy(xs, second * dim, means, dim, dim);
        int[] side = new int[n];
        Arrays.fill(side, -1);
        for (int iteration = 0; iteration < SPLIT_ITERATIONS; iteration++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int s = squaredDistance(xs, i * dim, means, dim) < squaredDistance(xs, i * dim, means, 0) ? 1 : 0;
                changed |= s != side[i];
                side[i] = s;
            }
            if (!changed) {
                break;
            }
            float[] sums = new float[2 * dim];
            int[] sizes = new int[2];
            for (int i = 0; i < n; i++) {
                sizes[side[i]]++;
                for (int k = 0; k < dim; k++) {
                    sums[side[i] * dim + k] += xs[i * dim + k];
                }
            }
            for (int s = 0; s < 2; s++) {
                if (sizes[s] == 0) {
                    return side; // all vectors on one side: the caller keeps the list whole
                }
                for (int k = 0; k < dim; k++) {
                    means[s * dim + k] = sums[s * dim + k] / sizes[s];
                }
            }
        }
        return side;
    }

    private float squaredDistance(float[] a, int ao, float[] b, int bo) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            float d = a[ao + i] - b[bo + i];
            s += d * d;
        }
        return s;
    }
}
