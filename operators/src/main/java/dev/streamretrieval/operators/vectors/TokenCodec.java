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
 * </ul>
 * Layout: {@code int tokens, int dim}, then the tokens one after another.
 */
public enum TokenCodec {
    FLOAT16,
    INT8,
    BINARY;

    public static TokenCodec parse(String name) {
        return switch (name) {
            case "float16" -> FLOAT16;
            case "int8" -> INT8;
            case "binary" -> BINARY;
            default -> throw new IllegalArgumentException("token codec '" + name + "' is not float16, int8 or binary");
        };
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
        };
    }

    public byte[] encode(float[][] tokens) {
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
            }
        }
        return b.array();
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

    /** MaxSim of a prepared query against one encoded document. */
    public float maxSim(PreparedQuery q, byte[] doc) {
        ByteBuffer b = ByteBuffer.wrap(doc).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(0);
        int dim = b.getInt(4);
        if (n == 0) {
            return 0f;
        }
        int stride = bytesPerToken(dim);
        float total = 0;
        switch (this) {
            case FLOAT16 -> {
                float[][] d = new float[n][dim];
                for (int j = 0; j < n; j++) {
                    int base = 8 + j * stride;
                    for (int k = 0; k < dim; k++) {
                        d[j][k] = Half.toFloat(b.getShort(base + 2 * k));
                    }
                }
                for (float[] qi : q.vectors) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (float[] dj : d) {
                        float s = 0;
                        for (int k = 0; k < dim; k++) {
                            s += qi[k] * dj[k];
                        }
                        best = Math.max(best, s);
                    }
                    total += best;
                }
            }
            case INT8 -> {
                float[] scales = new float[n];
                for (int j = 0; j < n; j++) {
                    scales[j] = b.getFloat(8 + j * stride) / 127f;
                }
                for (float[] qi : q.vectors) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        int base = 8 + j * stride + 4;
                        float s = 0;
                        for (int k = 0; k < dim; k++) {
                            s += qi[k] * doc[base + k];
                        }
                        best = Math.max(best, s * scales[j]);
                    }
                    total += best;
                }
            }
            case BINARY -> {
                int words = (dim + 63) / 64;
                long[] d = new long[n * words];
                for (int j = 0; j < n; j++) {
                    for (int w = 0; w < words; w++) {
                        d[j * words + w] = b.getLong(8 + j * stride + 8 * w);
                    }
                }
                for (long[] qi : q.bits) {
                    int bestHamming = Integer.MAX_VALUE;
                    for (int j = 0; j < n; j++) {
                        int h = 0;
                        for (int w = 0; w < words; w++) {
                            h += Long.bitCount(qi[w] ^ d[j * words + w]);
                        }
                        bestHamming = Math.min(bestHamming, h);
                    }
                    total += 1f - 2f * bestHamming / dim;
                }
            }
        }
        return total;
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
