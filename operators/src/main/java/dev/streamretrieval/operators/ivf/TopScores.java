package dev.streamretrieval.operators.ivf;

/**
 * The best {@code capacity} (ordinal, score) pairs offered, kept in a bounded min-heap of two primitive arrays so
 * that scanning a list allocates nothing per document. Order: score descending in {@link Float#compare} order,
 * then ordinal ascending, the order of the exact scan's top k.
 */
public final class TopScores {
    private final long[] ordinals;
    private final float[] scores;
    private int size;

    public TopScores(int capacity) {
        ordinals = new long[Math.max(capacity, 0)];
        scores = new float[Math.max(capacity, 0)];
    }

    public int size() {
        return size;
    }

    public long ordinal(int i) {
        return ordinals[i];
    }

    public float score(int i) {
        return scores[i];
    }

    /** Whether (sa, oa) ranks below (sb, ob). */
    private static boolean worse(float sa, long oa, float sb, long ob) {
        int c = Float.compare(sa, sb);
        return c < 0 || (c == 0 && oa > ob);
    }

    public void offer(long ordinal, float score) {
        int capacity = ordinals.length;
        if (size < capacity) {
            int i = size++;
            while (i > 0) { // sift up: the root is the worst kept pair
                int parent = (i - 1) >>> 1;
                if (!worse(score, ordinal, scores[parent], ordinals[parent])) {
                    break;
                }
                ordinals[i] = ordinals[parent];
                scores[i] = scores[parent];
                i = parent;
            }
            ordinals[i] = ordinal;
            scores[i] = score;
        } else if (capacity > 0 && worse(scores[0], ordinals[0], score, ordinal)) {
            siftDown(ordinal, score, size);
        }
    }

    /** Puts (ordinal, score) at the root of the heap of the first {@code n} entries and restores the heap. */
    private void siftDown(long ordinal, float score, int n) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && worse(scores[child + 1], ordinals[child + 1], scores[child], ordinals[child])) {
                child++;
            }
            if (!worse(scores[child], ordinals[child], score, ordinal)) {
                break;
            }
            ordinals[i] = ordinals[child];
            scores[i] = scores[child];
            i = child;
        }
        ordinals[i] = ordinal;
        scores[i] = score;
    }

    /** Sorts the kept pairs best first (heap sort in place); offering afterwards is not allowed. */
    public void sortDescending() {
        for (int n = size - 1; n > 0; n--) {
            long o = ordinals[n];
            float s = scores[n];
            ordinals[n] = ordinals[0];
            scores[n] = scores[0];
            siftDown(o, s, n);
        }
    }
}
