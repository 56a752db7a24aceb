package dev.streamretrieval.benchmarks;

import dev.streamretrieval.operators.vectors.TokenCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * TokenCodec's MaxSim as first written (commit 5f1f5e2), before profiling: float16 decoded through a ByteBuffer
 * and a branchy half-to-float conversion into a freshly allocated {@code float[n][dim]}, then a scalar dot product
 * per (query token, document token) pair; int8 and binary likewise. Kept only as the "before" of the benchmark.
 */
final class ReferenceMaxSim {
    private ReferenceMaxSim() {}

    static final class Prepared {
        final float[][] vectors;
        final long[][] bits;

        Prepared(float[][] vectors) {
            this.vectors = vectors;
            this.bits = new long[vectors.length][];
            for (int i = 0; i < vectors.length; i++) {
                bits[i] = signBits(vectors[i]);
            }
        }
    }

    static Prepared prepare(float[][] query) {
        return new Prepared(query);
    }

    static long[] signBits(float[] v) {
        long[] words = new long[(v.length + 63) / 64];
        for (int i = 0; i < v.length; i++) {
            if (v[i] > 0) {
                words[i >>> 6] |= 1L << (i & 63);
            }
        }
        return words;
    }

    static float maxSim(TokenCodec codec, Prepared q, byte[] doc) {
        ByteBuffer b = ByteBuffer.wrap(doc).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(0);
        int dim = b.getInt(4);
        if (n == 0) {
            return 0f;
        }
        int stride = codec.bytesPerToken(dim);
        float total = 0;
        switch (codec) {
            case FLOAT16 -> {
                float[][] d = new float[n][dim];
                for (int j = 0; j < n; j++) {
                    int base = 8 + j * stride;
                    for (int k = 0; k < dim; k++) {
                        d[j][k] = halfToFloat(b.getShort(base + 2 * k));
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

    static float halfToFloat(short h) {
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
