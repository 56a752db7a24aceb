package dev.streamretrieval.operators.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The best documents of a shard by score: score descending in {@link Float#compare} order, then ordinal
 * ascending, so every search and both of its implementations order ties the same way.
 *
 * <p>An instance is a bounded heap over primitive arrays (worst of the kept entries at the root), fed one
 * document at a time: the dense scan and block-max BM25 keep k entries without an object per document.
 */
public final class TopK {
    private final int k;
    private final long[] ordinals;
    private final float[] scores;
    private int size;

    public TopK(int k) {
        this.k = Math.max(0, k);
        this.ordinals = new long[this.k];
        this.scores = new float[this.k];
    }

    /** True when (s1, o1) ranks after (s2, o2). */
    private static boolean worse(float s1, long o1, float s2, long o2) {
        int c = Float.compare(s1, s2);
        return c < 0 || (c == 0 && o1 > o2);
    }

    public boolean full() {
        return size == k;
    }

    /** Score of the k-th entry; only meaningful when {@link #full()}. */
    public float threshold() {
        return scores[0];
    }

    public int size() {
        return size;
    }

    /** Offers a document; kept when there is room or it ranks before the current k-th. */
    public void offer(long ordinal, float score) {
        if (size < k) {
            int i = size++;
            ordinals[i] = ordinal;
            scores[i] = score;
            siftUp(i);
        } else if (k > 0 && worse(scores[0], ordinals[0], score, ordinal)) {
            ordinals[0] = ordinal;
            scores[0] = score;
            siftDown(0);
        }
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!worse(scores[i], ordinals[i], scores[parent], ordinals[parent])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int worst = i;
            if (l < size && worse(scores[l], ordinals[l], scores[worst], ordinals[worst])) {
                worst = l;
            }
            if (r < size && worse(scores[r], ordinals[r], scores[worst], ordinals[worst])) {
                worst = r;
            }
            if (worst == i) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        long o = ordinals[a];
        ordinals[a] = ordinals[b];
        ordinals[b] = o;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }

    /** Drains the heap: {ordinals, scores} best first. The instance is empty afterwards. */
    public DenseResult drain(float[] alsoScores, long scored) {
        int n = size;
        long[] outOrdinals = new long[n];
        float[] outScores = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            outOrdinals[i] = ordinals[0];
            outScores[i] = scores[0];
            size--;
            ordinals[0] = ordinals[size];
            scores[0] = scores[size];
            siftDown(0);
        }
        return new DenseResult(outOrdinals, outScores, alsoScores, scored);
    }

    /**
     * Best {@code depth} of the given ordinals at once. Sorts one primitive key per document (score bits made
     * sortable in the high half, ordinal in the low half); falls back to a queue for ordinals beyond 32 bits.
     */
    public static List<Long> of(long[] ordinals, float[] scores, int depth) {
        int n = ordinals.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            if (ordinals[i] < 0 || ordinals[i] > 0xffffffffL) {
                return ofQueue(ordinals, scores, depth);
            }
            int bits = Float.floatToIntBits(scores[i]);
            long ascending = ((bits ^ ((bits >> 31) & 0x7fffffff)) ^ 0x80000000) & 0xffffffffL;
            keys[i] = (((0xffffffffL - ascending) << 32) | ordinals[i]) ^ Long.MIN_VALUE; // unsigned order for a signed sort
        }
        Arrays.sort(keys);
        List<Long> out = new ArrayList<>(Math.min(depth, n));
        for (int i = 0; i < n && i < depth; i++) {
            out.add(keys[i] & 0xffffffffL);
        }
        return out;
    }

    static List<Long> ofQueue(long[] ordinals, float[] scores, int depth) {
        PriorityQueue<Integer> best = new PriorityQueue<>(
                (a, b) -> Float.compare(scores[a], scores[b]) != 0 ? Float.compare(scores[a], scores[b])
                        : Long.compare(ordinals[b], ordinals[a]));
        for (int i = 0; i < ordinals.length; i++) {
            best.add(i);
            if (best.size() > depth) {
                best.poll();
            }
        }
        List<Long> out = new ArrayList<>(best.size());
        while (!best.isEmpty()) {
            out.add(ordinals[best.poll()]);
        }
        Collections.reverse(out);
        return out;
    }
}
