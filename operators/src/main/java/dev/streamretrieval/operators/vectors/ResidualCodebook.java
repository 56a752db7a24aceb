package dev.streamretrieval.operators.vectors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * PLAID / ColBERTv2 residual compression of token vectors: each token is stored as the id of its nearest centroid
 * plus a b-bit code per dimension for the residual {@code r = x − c}.
 *
 * <p><b>Training</b> ({@link #train}): from a sample of token vectors, every 20th token is held out (PLAID holds out
 * 5%), k-means ({@link KMeans}, {@value #KMEANS_ITERATIONS} iterations) runs over the rest with
 * {@code k = 2^⌊log2(16·√n)⌋} centroids (PLAID's rule, n = tokens in the sample; at most the training tokens and
 * {@value #MAX_CENTROIDS}). The held-out residuals, all dimensions pooled, give the buckets as PLAID computes them
 * from their quantiles (linear interpolation, as {@code torch.quantile}):
 * <pre>
 *   cutoffs[i] = quantile(r, (i + 1) / 2^b)        i = 0 .. 2^b − 2
 *   weights[i] = quantile(r, (i + 0.5) / 2^b)      i = 0 .. 2^b − 1
 * </pre>
 * so each bucket holds an equal share of the residual values and decodes to its median.
 *
 * <p><b>Encoding</b>: bucket(r) = the number of cutoffs below r ({@code torch.bucketize}); decoding is
 * {@code x̂ = c + weights[bucket]} per dimension, re-normalised to unit length when the training vectors were unit
 * length (ColBERTv2 normalises decompressed vectors). For a residual value inside the training range, its decoded
 * value lies in the same bucket, so the error per dimension is at most that bucket's width (the first and last
 * buckets bounded by the smallest and largest held-out residual) — before the re-normalisation.
 *
 * <p><b>Layout</b> of an encoded document (little-endian): {@code int tokens}, {@code int dim | bits << 24} (the high
 * byte tells it from the plain codecs' layout, whose second int is the dimension), then per token an unsigned
 * 16-bit centroid id and {@code ⌈dim·b/8⌉} bytes of residual codes, dimension i in bits
 * {@code (i·b) mod 8 ..} of byte {@code i·b / 8}. At 128 dimensions: 2 + 32 = 34 bytes per token for b = 2,
 * 2 + 16 = 18 for b = 1.
 */
public final class ResidualCodebook {
    public static final int MAX_CENTROIDS = 1 << 16;
    public static final int KMEANS_ITERATIONS = 6;
    private static final int HELD_OUT_EVERY = 20;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final int dim;
    private final int bits;
    private final int k;
    private final boolean unit;
    /** k × dim, row-major. */
    private final float[] centroids;
    private final float[] cutoffs;
    private final float[] weights;
    /** Decompression table: byte value v, slot s → weights[(v >>> s·b) & (2^b − 1)], 8/b slots per byte. */
    private final float[] byteWeights;
    /** Mean relative squared error {@link #error} of the held-out tokens: what an unseen token of the sample's kind costs. */
    private final float heldOutError;
    private transient KMeans.Assigner assigner;

    ResidualCodebook(int dim, int bits, int k, boolean unit, float[] centroids, float[] cutoffs, float[] weights,
            float heldOutError) {
        if (bits != 1 && bits != 2) {
            throw new IllegalArgumentException("residual bits must be 1 or 2, got " + bits);
        }
        if (k < 1 || k > MAX_CENTROIDS || centroids.length != k * dim || cutoffs.length != (1 << bits) - 1
                || weights.length != 1 << bits) {
            throw new IllegalArgumentException("inconsistent residual codebook (k " + k + ", dim " + dim + ")");
        }
        this.dim = dim;
        this.bits = bits;
        this.k = k;
        this.unit = unit;
        this.centroids = centroids;
        this.cutoffs = cutoffs;
        this.weights = weights;
        this.heldOutError = heldOutError;
        int perByte = 8 / bits;
        this.byteWeights = new float[256 * perByte];
        for (int v = 0; v < 256; v++) {
            for (int s = 0; s < perByte; s++) {
                byteWeights[v * perByte + s] = weights[(v >>> (s * bits)) & ((1 << bits) - 1)];
            }
        }
    }

    /** PLAID's centroid count for n token vectors: 2^⌊log2(16·√n)⌋. */
    public static int centroidCount(int n) {
        double target = 16 * Math.sqrt(n);
        return Integer.highestOneBit((int) Math.max(1, Math.min(target, MAX_CENTROIDS)));
    }

    /** Trains a codebook of {@code bits} bits per dimension on the sample (see the class comment). */
    public static ResidualCodebook train(float[][] sample, int bits, long seed) {
        return train(sample, bits, centroidCount(sample.length), seed);
    }

    /** As {@link #train(float[][], int, long)}, with at most {@code centroids} centroids. */
    public static ResidualCodebook train(float[][] sample, int bits, int centroids, long seed) {
        if (sample.length < 2) {
            throw new IllegalArgumentException("a residual codebook needs at least 2 sample vectors");
        }
        int dim = sample[0].length;
        int heldOutCount = Math.max(1, sample.length / HELD_OUT_EVERY);
        float[][] heldOut = new float[heldOutCount][];
        float[][] training = new float[sample.length - heldOutCount][];
        for (int i = 0, h = 0, t = 0; i < sample.length; i++) {
            if (h < heldOutCount && i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 || t == training.length) {
                heldOut[h++] = sample[i];
            } else {
                training[t++] = sample[i];
            }
        }
        boolean unit = true;
        for (float[] x : sample) {
            double norm = 0;
            for (float v : x) {
                norm += (double) v * v;
            }
            unit &= Math.abs(Math.sqrt(norm) - 1) < 1e-3;
        }
        int k = Math.min(centroids, training.length);
        float[] means = KMeans.train(training, k, KMEANS_ITERATIONS, unit, seed);
        KMeans.Assigner a = new KMeans.Assigner(means, k, dim, unit);
        float[] residuals = new float[heldOutCount * dim];
        for (int h = 0; h < heldOutCount; h++) {
            int base = a.nearest(heldOut[h]) * dim;
            for (int i = 0; i < dim; i++) {
                residuals[h * dim + i] = heldOut[h][i] - means[base + i];
            }
        }
        Arrays.sort(residuals);
        int buckets = 1 << bits;
        float[] cutoffs = new float[buckets - 1];
        float[] weights = new float[buckets];
        for (int i = 0; i < buckets - 1; i++) {
            cutoffs[i] = quantile(residuals, (i + 1) / (double) buckets);
        }
        for (int i = 0; i < buckets; i++) {
            weights[i] = quantile(residuals, (i + 0.5) / buckets);
        }
        ResidualCodebook cb = new ResidualCodebook(dim, bits, k, unit, means, cutoffs, weights, 0f);
        return new ResidualCodebook(dim, bits, k, unit, means, cutoffs, weights, cb.error(heldOut));
    }

    /**
     * Quantisation error of tokens: the mean over tokens of {@code |x − x̂|² / |x|²} (for unit vectors
     * {@code 2 − 2 cos(x, x̂)}), x̂ the decoded token.
     */
    public float error(float[][] tokens) {
        return tokens.length == 0 ? 0f : error(tokens, encode(tokens));
    }

    /** {@link #error(float[][])} of tokens already encoded by this codebook (encoding is the costly part). */
    public float error(float[][] tokens, byte[] encoded) {
        if (tokens.length == 0) {
            return 0f;
        }
        float[][] decoded = decode(encoded);
        double sum = 0;
        for (int t = 0; t < tokens.length; t++) {
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                double d = tokens[t][i] - decoded[t][i];
                diff += d * d;
                norm += (double) tokens[t][i] * tokens[t][i];
            }
            sum += norm == 0 ? 0 : diff / norm;
        }
        return (float) (sum / tokens.length);
    }

    /** The held-out tokens' {@link #error} at training. */
    public float heldOutError() {
        return heldOutError;
    }

    /** The q-quantile of sorted values, interpolated linearly between the two nearest ranks (torch.quantile). */
    static float quantile(float[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return (float) (sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]));
    }

    public int dim() {
        return dim;
    }

    public int bits() {
        return bits;
    }

    public int centroids() {
        return k;
    }

    float[] cutoffs() {
        return cutoffs.clone();
    }

    float[] weights() {
        return weights.clone();
    }

    /** Bytes per stored token: the centroid id and the residual codes. */
    public int bytesPerToken() {
        return 2 + residualBytes();
    }

    private int residualBytes() {
        return (dim * bits + 7) / 8;
    }

    /** Whether an encoded document is in this layout (rather than a plain codec's). */
    public static boolean isResidual(byte[] doc) {
        return ((int) INT_LE.get(doc, 4) >>> 24) != 0;
    }

    /** The index of the nearest centroid. */
    public int nearest(float[] x) {
        if (assigner == null) {
            assigner = new KMeans.Assigner(centroids, k, dim, unit);
        }
        return assigner.nearest(x);
    }

    /** The bucket of a residual value: how many cutoffs lie below it. */
    int bucket(float r) {
        int b = 0;
        while (b < cutoffs.length && cutoffs[b] < r) {
            b++;
        }
        return b;
    }

    public byte[] encode(float[][] tokens) {
        int stride = bytesPerToken();
        byte[] out = new byte[8 + tokens.length * stride];
        INT_LE.set(out, 0, tokens.length);
        INT_LE.set(out, 4, dim | bits << 24);
        for (int j = 0; j < tokens.length; j++) {
            float[] x = tokens[j];
            if (x.length != dim) {
                throw new IllegalArgumentException("token vector of " + x.length + " dimensions for a residual"
                        + " codebook of " + dim + " (was the token model or projection changed?)");
            }
            int c = nearest(x);
            int at = 8 + j * stride;
            SHORT_LE.set(out, at, (short) c);
            at += 2;
            for (int i = 0; i < dim; i++) {
                int code = bucket(x[i] - centroids[c * dim + i]);
                out[at + (i * bits >>> 3)] |= (byte) (code << ((i * bits) & 7));
            }
        }
        return out;
    }

    /** The decompressed token vectors of an encoded document, token-major. */
    public float[][] decode(byte[] doc) {
        int n = checkLayout(doc);
        float[][] out = new float[n][dim];
        for (int j = 0; j < n; j++) {
            decodeToken(doc, j, out[j]);
        }
        return out;
    }

    private int checkLayout(byte[] doc) {
        int word = (int) INT_LE.get(doc, 4);
        if ((word >>> 24) != bits || (word & 0xffffff) != dim) {
            throw new IllegalArgumentException("token vectors encoded as " + ((word >>> 24) == 0 ? "a plain codec"
                    : "residual" + (word >>> 24)) + " of " + (word & 0xffffff) + " dimensions, codebook is residual"
                    + bits + " of " + dim);
        }
        return (int) INT_LE.get(doc, 0);
    }

    /** x̂ = c + weights[code] per dimension, then unit length when the codebook's vectors are. */
    private void decodeToken(byte[] doc, int j, float[] x) {
        int at = 8 + j * bytesPerToken();
        int base = (Short.toUnsignedInt((short) SHORT_LE.get(doc, at))) * dim;
        at += 2;
        // 8/b codes per byte; a shift and a mask rather than i / perByte and i % perByte, which (perByte not being a
        // constant to the compiler) cost two integer divisions per dimension, most of the decompression time
        int shift = bits == 2 ? 2 : 3; // log2(8 / b)
        int slot = (1 << shift) - 1;
        float norm = 0;
        for (int i = 0; i < dim; i++) {
            int v = doc[at + (i >>> shift)] & 0xff;
            float value = centroids[base + i] + byteWeights[(v << shift) + (i & slot)];
            x[i] = value;
            norm += value * value;
        }
        if (unit && norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < dim; i++) {
                x[i] *= inv;
            }
        }
    }

    /**
     * MaxSim of a prepared query against a residual-encoded document: the tokens are decompressed straight into the
     * kernel's dimension-major scratch rows, un-normalised, and scored by {@link TokenCodec#maxSimRows}, the float16
     * kernel, with each token's {@code 1/‖c + weights[code]‖} as its scale: {@code q·x̂ = (q·(c + w))/‖c + w‖}, the
     * same score as normalising first without a second pass over the token.
     */
    public float maxSim(TokenCodec.PreparedQuery q, byte[] doc) {
        int n = checkLayout(doc);
        if (n == 0) {
            return 0f;
        }
        TokenCodec.Scratch sc = TokenCodec.scratch();
        float[][] d = sc.rows(dim, n);
        float[] inverseNorms = unit ? sc.scales(n) : null;
        int stride = bytesPerToken();
        int shift = bits == 2 ? 2 : 3; // log2(8 / b), as in decodeToken
        int slot = (1 << shift) - 1;
        for (int j = 0, at = 8; j < n; j++, at += stride) {
            int base = (Short.toUnsignedInt((short) SHORT_LE.get(doc, at))) * dim;
            int codes = at + 2;
            float norm = 0;
            for (int i = 0; i < dim; i++) {
                int v = doc[codes + (i >>> shift)] & 0xff;
                float value = centroids[base + i] + byteWeights[(v << shift) + (i & slot)];
                d[i][j] = value;
                norm += value * value;
            }
            if (unit) {
                inverseNorms[j] = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 1f;
            }
        }
        return TokenCodec.maxSimRows(q, d, n, dim, inverseNorms, sc);
    }

    /** Serialised form (state value): dim, bits, k, unit, held-out error, cutoffs, weights, centroids; little-endian. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(17 + 4 * (cutoffs.length + weights.length + centroids.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(dim).putInt(bits).putInt(k).put((byte) (unit ? 1 : 0)).putFloat(heldOutError);
        for (float f : cutoffs) {
            b.putFloat(f);
        }
        for (float f : weights) {
            b.putFloat(f);
        }
        for (float f : centroids) {
            b.putFloat(f);
        }
        return b.array();
    }

    public static ResidualCodebook fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt();
        int bits = b.getInt();
        int k = b.getInt();
        boolean unit = b.get() != 0;
        float heldOutError = b.getFloat();
        float[] cutoffs = new float[(1 << bits) - 1];
        float[] weights = new float[1 << bits];
        float[] centroids = new float[k * dim];
        for (int i = 0; i < cutoffs.length; i++) {
            cutoffs[i] = b.getFloat();
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] = b.getFloat();
        }
        for (int i = 0; i < centroids.length; i++) {
            centroids[i] = b.getFloat();
        }
        return new ResidualCodebook(dim, bits, k, unit, centroids, cutoffs, weights, heldOutError);
    }

    /**
     * Every query token's dot product with every centroid, {@code [tokens][k]}: PLAID's centroid scores, from which
     * the colbert mode picks each token's nearest lists and scores candidates by their centroids alone.
     */
    public float[][] centroidScores(float[][] queryTokens) {
        float[][] byDimension = centroidsByDimension();
        float[][] out = new float[queryTokens.length][k];
        for (int t = 0; t < queryTokens.length; t++) {
            float[] s = out[t];
            for (int i = 0; i < dim; i++) {
                float qi = queryTokens[t][i];
                float[] row = byDimension[i];
                for (int c = 0; c < k; c++) { // over centroids, no reduction: compiled to SIMD
                    s[c] += qi * row[c];
                }
            }
        }
        return out;
    }

    private transient float[][] byDimension;

    private float[][] centroidsByDimension() {
        if (byDimension == null) {
            float[][] t = new float[dim][k];
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < dim; i++) {
                    t[i][c] = centroids[c * dim + i];
                }
            }
            byDimension = t;
        }
        return byDimension;
    }

    /** The centroid of index c (a copy). */
    public float[] centroid(int c) {
        return Arrays.copyOfRange(centroids, c * dim, (c + 1) * dim);
    }

    /** The centroid ids of an encoded document's tokens. */
    public int[] centroidIds(byte[] doc) {
        int n = checkLayout(doc);
        int[] ids = new int[n];
        for (int j = 0; j < n; j++) {
            ids[j] = Short.toUnsignedInt((short) SHORT_LE.get(doc, 8 + j * bytesPerToken()));
        }
        return ids;
    }
}
