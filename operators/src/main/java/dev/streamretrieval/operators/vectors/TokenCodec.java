package dev.streamretrieval.operators.vectors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How a document's token vectors are stored, and MaxSim over them.
 *
 * <pre>
 *   MaxSim(q, d) = Σ_{i ∈ query tokens} max_{j ∈ document tokens} q_i · d_j
 * </pre>
 *
 * <ul>
 *   <li>{@code float16}: 2 bytes per dimension (IEEE half precision);</li>
 *   <li>{@code int8}: 1 byte per dimension plus a 4-byte scale per token (symmetric, per token);</li>
 *   <li>{@code binary}: 1 bit per dimension (the sign). Query tokens are binarised too and the similarity of two
 *       sign vectors is estimated from their Hamming distance h over D dimensions as {@code 1 − 2h/D}
 *       (the cosine of the two ±1 vectors), computed with {@link Long#bitCount} over 64 dimensions at a time.</li>
 *   <li>{@code residual2}, {@code residual1}: PLAID residual compression ({@link ResidualCodebook}): a centroid id
 *       and 2 or 1 bits per dimension against centroids that each shard trains on its first token vectors. The
 *       centroids are shard state, so these codecs travel from the encoder to the shard as float16 ({@link #encode}
 *       gives the float16 bytes) and the shard compresses them; {@link #bytesPerToken} is the stored size.</li>
 * </ul>
 * Layout: {@code int tokens, int dim}, then the tokens one after another.
 */
public enum TokenCodec {
    FLOAT16,
    INT8,
    BINARY,
    RESIDUAL2,
    RESIDUAL1;

    public static TokenCodec parse(String name) {
        return switch (name) {
            case "float16" -> FLOAT16;
            case "int8" -> INT8;
            case "binary" -> BINARY;
            case "residual2" -> RESIDUAL2;
            case "residual1" -> RESIDUAL1;
            default -> throw new IllegalArgumentException("token codec '" + name
                    + "' is not float16, int8, binary, residual2 or residual1");
        };
    }

    /** Residual bits per dimension: 2 or 1 for the residual codecs, 0 for the others. */
    public int residualBits() {
        return switch (this) {
            case RESIDUAL2 -> 2;
            case RESIDUAL1 -> 1;
            default -> 0;
        };
    }

    /** The codec token vectors travel in from the encoder to the shard: float16 for the residual codecs. */
    public TokenCodec wireCodec() {
        return residualBits() > 0 ? FLOAT16 : this;
    }

    public String wireName() {
        return name().toLowerCase();
    }

    /** Bytes per token vector of {@code dim} dimensions. */
    public int bytesPerToken(int dim) {
        return switch (this) {
            case FLOAT16 -> 2 * dim;
            case INT8 -> 4 + dim;
            case BINARY -> 8 * ((dim + 63) / 64);
            case RESIDUAL2, RESIDUAL1 -> 2 + (dim * residualBits() + 7) / 8;
        };
    }

    /** The bytes a document's token vectors travel in: the codec's layout, float16 for the residual codecs. */
    public byte[] encode(float[][] tokens) {
        if (wireCodec() != this) {
            return wireCodec().encode(tokens);
        }
        int dim = tokens.length == 0 ? 0 : tokens[0].length;
        ByteBuffer b = ByteBuffer.allocate(8 + tokens.length * bytesPerToken(dim)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(tokens.length).putInt(dim);
        for (float[] t : tokens) {
            switch (this) {
                case FLOAT16 -> {
                    for (float x : t) {
                        b.putShort(Half.fromFloat(x));
                    }
                }
                case INT8 -> {
                    float scale = 0;
                    for (float x : t) {
                        scale = Math.max(scale, Math.abs(x));
                    }
                    b.putFloat(scale);
                    float k = scale == 0 ? 0 : 127f / scale;
                    for (float x : t) {
                        b.put((byte) Math.round(x * k));
                    }
                }
                case BINARY -> {
                    for (long word : signBits(t)) {
                        b.putLong(word);
                    }
                }
                case RESIDUAL2, RESIDUAL1 -> throw new AssertionError("residual codecs are encoded as float16");
            }
        }
        return b.array();
    }

    /** The token vectors of a float16- or int8-encoded document (token-major). */
    public float[][] decode(byte[] doc) {
        if (this != FLOAT16 && this != INT8) {
            throw new UnsupportedOperationException(wireName() + " token vectors are not decoded to floats");
        }
        int n = (int) INT_LE.get(doc, 0);
        int dim = (int) INT_LE.get(doc, 4);
        int stride = bytesPerToken(dim);
        float[][] out = new float[n][dim];
        for (int j = 0; j < n; j++) {
            int at = 8 + j * stride;
            if (this == FLOAT16) {
                for (int k = 0; k < dim; k++) {
                    out[j][k] = HALF_TO_FLOAT[(doc[at + 2 * k] & 0xff) | (doc[at + 2 * k + 1] & 0xff) << 8];
                }
            } else {
                float scale = Float.intBitsToFloat((int) INT_LE.get(doc, at)) / 127f;
                for (int k = 0; k < dim; k++) {
                    out[j][k] = doc[at + 4 + k] * scale;
                }
            }
        }
        return out;
    }

    public static int tokenCount(byte[] encoded) {
        return ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    /** Sign bits of a vector, 64 dimensions per long (bit set = positive). */
    static long[] signBits(float[] v) {
        long[] words = new long[(v.length + 63) / 64];
        for (int i = 0; i < v.length; i++) {
            if (v[i] > 0) {
                words[i >>> 6] |= 1L << (i & 63);
            }
        }
        return words;
    }

    /** A query prepared once for many documents: float rows, and sign bits for the binary codec. */
    public static final class PreparedQuery {
        final float[][] vectors;
        final long[][] bits;

        PreparedQuery(float[][] vectors) {
            this.vectors = vectors;
            this.bits = new long[vectors.length][];
            for (int i = 0; i < vectors.length; i++) {
                bits[i] = signBits(vectors[i]);
            }
        }

        public int tokens() {
            return vectors.length;
        }
    }

    public static PreparedQuery prepare(float[][] queryTokens) {
        return new PreparedQuery(queryTokens);
    }

    /**
     * MaxSim of a prepared query against one encoded document.
     *
     * <p>float16 and int8 decode the document once into a dimension-major scratch matrix {@code d[k][j]} (through a
     * 65536-entry table for float16, four dimensions per 8-byte read) and then, two query tokens at a time, accumulate {@code s[j] += q[k] · d[k][j]}
     * over k: the inner loop runs over document tokens with no reduction, so HotSpot's C2 compiles it to SIMD on
     * Java 17 (a per-pair dot product is a float reduction, which C2 keeps scalar). Binary keeps one query token's words in
     * registers (six for 384 dimensions, two for 128) and scans the document's words. Scores equal the scalar definition up to
     * float summation order.
     */
    public float maxSim(PreparedQuery q, byte[] doc) {
        int n = (int) INT_LE.get(doc, 0);
        int dim = (int) INT_LE.get(doc, 4);
        if (n == 0) {
            return 0f;
        }
        return switch (this) {
            case FLOAT16, INT8 -> maxSimDense(q, doc, n, dim);
            case BINARY -> maxSimBinary(q, doc, n, dim);
            // a shard's residual codec stores float16 until it has trained its centroids: those documents score here
            case RESIDUAL2, RESIDUAL1 -> FLOAT16.maxSimDense(q, doc, n, dim);
        };
    }

    private float maxSimDense(PreparedQuery q, byte[] doc, int n, int dim) {
        Scratch sc = SCRATCH.get();
        // One row per dimension: d[k][j] = dimension k of document token j. Separate arrays (rather than one
        // array with offsets) keep every access in the inner loops at index j, which Java 17's C2 can vectorize.
        float[][] d = sc.rows(dim, n);
        int stride = bytesPerToken(dim);
        float[] scales = null;
        // Decoded dimension by dimension (float16: four per 8-byte read), so that each row is written sequentially;
        // decoding token by token scatters every value into a different row and is 2-3x slower.
        if (this == FLOAT16) {
            float[] table = HALF_TO_FLOAT;
            int k = 0;
            for (; k + 3 < dim; k += 4) {
                float[] d0 = d[k];
                float[] d1 = d[k + 1];
                float[] d2 = d[k + 2];
                float[] d3 = d[k + 3];
                for (int j = 0, at = 8 + 2 * k; j < n; j++, at += stride) {
                    long v = (long) LONG_LE.get(doc, at);
                    d0[j] = table[(int) v & 0xffff];
                    d1[j] = table[(int) (v >>> 16) & 0xffff];
                    d2[j] = table[(int) (v >>> 32) & 0xffff];
                    d3[j] = table[(int) (v >>> 48)];
                }
            }
            for (; k < dim; k++) {
                float[] dk = d[k];
                for (int j = 0, at = 8 + 2 * k; j < n; j++, at += stride) {
                    dk[j] = table[(doc[at] & 0xff) | (doc[at + 1] & 0xff) << 8];
                }
            }
        } else {
            scales = sc.scales(n);
            for (int j = 0; j < n; j++) {
                scales[j] = Float.intBitsToFloat((int) INT_LE.get(doc, 8 + j * stride)) / 127f;
            }
            for (int k = 0; k < dim; k++) {
                float[] dk = d[k];
                for (int j = 0, at = 12 + k; j < n; j++, at += stride) {
                    dk[j] = doc[at];
                }
            }
        }
        return maxSimRows(q, d, n, dim, scales, sc);
    }

    /**
     * MaxSim over a document decoded into dimension-major rows {@code d[k][j]} (times the per-token int8 scales
     * when not null), the kernel the float16, int8 and residual codecs share.
     */
    static float maxSimRows(PreparedQuery q, float[][] d, int n, int dim, float[] scales, Scratch sc) {
        float[] s0 = sc.scores0(n);
        float[] s1 = sc.scores1(n);
        float[][] qv = q.vectors;
        float total = 0;
        int i = 0;
        for (; i + 1 < qv.length; i += 2) { // two query tokens per pass: each document value is loaded once for both
            float[] q0 = qv[i];
            float[] q1 = qv[i + 1];
            java.util.Arrays.fill(s0, 0, n, 0f);
            java.util.Arrays.fill(s1, 0, n, 0f);
            for (int k = 0; k < dim; k++) {
                float a0 = q0[k];
                float a1 = q1[k];
                float[] dk = d[k];
                for (int j = 0; j < n; j++) {
                    float x = dk[j];
                    s0[j] += a0 * x;
                    s1[j] += a1 * x;
                }
            }
            total += best(s0, scales, n) + best(s1, scales, n);
        }
        if (i < qv.length) {
            float[] q0 = qv[i];
            java.util.Arrays.fill(s0, 0, n, 0f);
            for (int k = 0; k < dim; k++) {
                float a0 = q0[k];
                float[] dk = d[k];
                for (int j = 0; j < n; j++) {
                    s0[j] += a0 * dk[j];
                }
            }
            total += best(s0, scales, n);
        }
        return total;
    }

    /** max_j s[j] (times the int8 token scale when there is one). */
    private static float best(float[] s, float[] scales, int n) {
        float best = Float.NEGATIVE_INFINITY;
        if (scales == null) {
            for (int j = 0; j < n; j++) {
                best = Math.max(best, s[j]);
            }
        } else {
            for (int j = 0; j < n; j++) {
                best = Math.max(best, s[j] * scales[j]);
            }
        }
        return best;
    }

    private static float maxSimBinary(PreparedQuery q, byte[] doc, int n, int dim) {
        int words = (dim + 63) / 64;
        long[] d = SCRATCH.get().longs(n * words);
        for (int i = 0; i < n * words; i++) {
            d[i] = (long) LONG_LE.get(doc, 8 + 8 * i);
        }
        float total = 0;
        for (long[] qi : q.bits) {
            int bestHamming = Integer.MAX_VALUE;
            if (words == 6) { // 384 dimensions (MiniLM, bge-small, e5-small): the query token stays in registers
                long q0 = qi[0], q1 = qi[1], q2 = qi[2], q3 = qi[3], q4 = qi[4], q5 = qi[5];
                for (int o = 0; o < 6 * n; o += 6) {
                    int h = Long.bitCount(q0 ^ d[o]) + Long.bitCount(q1 ^ d[o + 1]) + Long.bitCount(q2 ^ d[o + 2])
                            + Long.bitCount(q3 ^ d[o + 3]) + Long.bitCount(q4 ^ d[o + 4]) + Long.bitCount(q5 ^ d[o + 5]);
                    bestHamming = Math.min(bestHamming, h);
                }
            } else if (words == 2) { // 128 dimensions (ColBERT's projection size)
                long q0 = qi[0], q1 = qi[1];
                for (int o = 0; o < 2 * n; o += 2) {
                    bestHamming = Math.min(bestHamming, Long.bitCount(q0 ^ d[o]) + Long.bitCount(q1 ^ d[o + 1]));
                }
            } else {
                for (int j = 0; j < n; j++) {
                    int h = 0;
                    for (int w = 0; w < words; w++) {
                        h += Long.bitCount(qi[w] ^ d[j * words + w]);
                    }
                    bestHamming = Math.min(bestHamming, h);
                }
            }
            total += 1f - 2f * bestHamming / dim;
        }
        return total;
    }

    private static final java.lang.invoke.VarHandle INT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Every half-precision bit pattern (as an unsigned 16-bit index) → its float value. */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = Half.toFloat((short) h);
        }
    }

    /** Per-thread decode buffers, grown on demand, so scoring a candidate allocates nothing. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    static final class Scratch {
        private float[][] rows = new float[0][];
        private float[] scores0 = new float[0];
        private float[] scores1 = new float[0];
        private float[] scales = new float[0];
        private long[] longs = new long[0];

        float[][] rows(int dim, int n) {
            if (rows.length < dim || rows[0].length < n) {
                int width = Math.max(n, rows.length == 0 ? 0 : rows[0].length);
                rows = new float[Math.max(dim, rows.length)][width];
            }
            return rows;
        }

        float[] scores0(int size) {
            return scores0 = atLeast(scores0, size);
        }

        float[] scores1(int size) {
            return scores1 = atLeast(scores1, size);
        }

        float[] scales(int size) {
            return scales = atLeast(scales, size);
        }

        private static float[] atLeast(float[] a, int size) {
            return a.length < size ? new float[size] : a;
        }

        long[] longs(int size) {
            if (longs.length < size) {
                longs = new long[size];
            }
            return longs;
        }
    }

    /** IEEE 754 half precision conversion (Java 17 has no Float.floatToFloat16). */
    static final class Half {
        private Half() {}

        static short fromFloat(float f) {
            int bits = Float.floatToIntBits(f);
            int sign = (bits >>> 16) & 0x8000;
            int val = (bits & 0x7fffffff) + 0x1000; // round to nearest
            if (val >= 0x47800000) { // beyond the half range: NaN stays NaN, anything else saturates
                if ((bits & 0x7fffffff) > 0x7f800000) {
                    return (short) (sign | 0x7e00);
                }
                return (short) (sign | 0x7bff); // ±65504, the largest half
            }
            if (val >= 0x38800000) { // normal
                return (short) (sign | ((val - 0x38000000) >>> 13));
            }
            if (val < 0x33000000) { // too small: zero
                return (short) sign;
            }
            val = (bits & 0x7fffffff) >>> 23; // subnormal
            return (short) (sign | ((((bits & 0x7fffff) | 0x800000) + (0x800000 >>> (val - 102))) >>> (126 - val)));
        }

        static float toFloat(short h) {
            int bits = h & 0xffff;
            int sign = (bits & 0x8000) << 16;
            int exp = (bits >>> 10) & 0x1f;
            int mant = bits & 0x3ff;
            if (exp == 0) {
                if (mant == 0) {
                    return Float.intBitsToFloat(sign);
                }
                float v = mant / 1024f * (float) Math.pow(2, -14);
                return sign != 0 ? -v : v;
            }
            if (exp == 31) {
                return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
            }
            return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        }
    }
}
