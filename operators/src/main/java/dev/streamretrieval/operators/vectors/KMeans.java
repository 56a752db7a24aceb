package dev.streamretrieval.operators.vectors;

import java.util.Arrays;
import java.util.Random;

/**
 * Lloyd's k-means over a sample of vectors, as PLAID trains its centroids (faiss k-means: centres initialised with
 * a random sample of distinct points, a fixed number of iterations). With {@code spherical} (unit-length vectors,
 * as token vectors are) the centres are re-normalised after every update and a point belongs to the centre of
 * largest dot product — ColBERTv2 normalises its faiss centroids the same way. Otherwise a point belongs to the
 * centre of least squared L2 distance, i.e. the largest {@code x·c − |c|²/2}.
 *
 * <p>The assignment step keeps the centres dimension-major ({@code ct[dim][k]}) and accumulates
 * {@code s[c] += x[i] · ct[i][c]} over dimensions: the inner loop runs over centres with no reduction, so C2
 * compiles it to SIMD (the same layout as the MaxSim kernel in {@link TokenCodec}). A point costs k · dim
 * multiply-adds, an iteration n · k · dim.
 */
public final class KMeans {
    private KMeans() {}

    /**
     * k centres (row-major, k × dim) of the n = {@code points.length} points; k ≤ n. Deterministic for a seed and
     * point order. An emptied cluster keeps its previous centre.
     */
    public static float[] train(float[][] points, int k, int iterations, boolean spherical, long seed) {
        int n = points.length;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k-means needs 1 <= k <= points, got k = " + k + " for " + n);
        }
        int dim = points[0].length;
        float[] centres = new float[k * dim];
        int[] picks = distinctSample(n, k, new Random(seed));
        for (int c = 0; c < k; c++) {
            System.arraycopy(points[picks[c]], 0, centres, c * dim, dim);
        }
        int[] assigned = new int[n];
        for (int iteration = 0; iteration < iterations; iteration++) {
            Assigner a = new Assigner(centres, k, dim, spherical);
            for (int p = 0; p < n; p++) {
                assigned[p] = a.nearest(points[p]);
            }
            float[] sums = new float[k * dim];
            int[] sizes = new int[k];
            for (int p = 0; p < n; p++) {
                int base = assigned[p] * dim;
                sizes[assigned[p]]++;
                float[] x = points[p];
                for (int i = 0; i < dim; i++) {
                    sums[base + i] += x[i];
                }
            }
            for (int c = 0; c < k; c++) {
                if (sizes[c] == 0) {
                    continue;
                }
                int base = c * dim;
                double norm = 0;
                for (int i = 0; i < dim; i++) {
                    float m = sums[base + i] / sizes[c];
                    centres[base + i] = m;
                    norm += (double) m * m;
                }
                if (spherical && norm > 0) {
                    float inv = (float) (1 / Math.sqrt(norm));
                    for (int i = 0; i < dim; i++) {
                        centres[base + i] *= inv;
                    }
                }
            }
        }
        return centres;
    }

    /** k distinct indices out of n, by a partial Fisher–Yates shuffle. */
    private static int[] distinctSample(int n, int k, Random random) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }

    /** Nearest-centre search over fixed centres; not thread-safe (one score buffer). */
    public static final class Assigner {
        private final float[][] byDimension;
        /** |c|² / 2 per centre (L2), or zeros (spherical: the largest dot product wins). */
        private final float[] halfNorms;
        private final float[] scores;
        private final int k;

        public Assigner(float[] centres, int k, int dim, boolean spherical) {
            this.k = k;
            this.byDimension = new float[dim][k];
            this.halfNorms = new float[k];
            this.scores = new float[k];
            for (int c = 0; c < k; c++) {
                float norm = 0;
                for (int i = 0; i < dim; i++) {
                    float v = centres[c * dim + i];
                    byDimension[i][c] = v;
                    norm += v * v;
                }
                halfNorms[c] = spherical ? 0 : norm / 2;
            }
        }

        /** The centre of largest {@code x·c − |c|²/2} (ties: the lower index). */
        public int nearest(float[] x) {
            float[] s = scores;
            for (int c = 0; c < k; c++) {
                s[c] = -halfNorms[c];
            }
            for (int i = 0; i < x.length; i++) {
                float xi = x[i];
                float[] row = byDimension[i];
                for (int c = 0; c < k; c++) {
                    s[c] += xi * row[c];
                }
            }
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (s[c] > s[best]) {
                    best = c;
                }
            }
            return best;
        }
    }
}
