package dev.streamretrieval.operators.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vectorisable MaxSim kernels against the definition evaluated on the decoded vectors: odd and even query
 * token counts (the two-at-a-time loop and its tail), documents of 1 to 300 tokens scored in one thread in
 * growing and shrinking order (the reused scratch buffers), and dimensions that are and are not 384 (binary's
 * unrolled and generic paths).
 */
class MaxSimKernelTest {
    private static float[][] tokens(Random r, int n, int dim) {
        return MaxSimWorkload.randomUnitVectors(r, n, dim);
    }

    /** Decodes a stored token matrix back to floats (what the codec keeps of each vector). */
    private static float[][] decode(TokenCodec codec, byte[] doc, int n, int dim) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(doc).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int stride = codec.bytesPerToken(dim);
        float[][] d = new float[n][dim];
        for (int j = 0; j < n; j++) {
            int base = 8 + j * stride;
            for (int k = 0; k < dim; k++) {
                d[j][k] = codec == TokenCodec.FLOAT16 ? TokenCodec.Half.toFloat(b.getShort(base + 2 * k))
                        : b.getFloat(base) / 127f * doc[base + 4 + k];
            }
        }
        return d;
    }

    private static double definition(float[][] q, float[][] d) {
        double total = 0;
        for (float[] qi : q) {
            double best = Double.NEGATIVE_INFINITY;
            for (float[] dj : d) {
                double s = 0;
                for (int k = 0; k < qi.length; k++) {
                    s += (double) qi[k] * dj[k];
                }
                best = Math.max(best, s);
            }
            total += best;
        }
        return total;
    }

    private static int hammingMaxSimBest(long[] a, long[] b) {
        int h = 0;
        for (int w = 0; w < a.length; w++) {
            h += Long.bitCount(a[w] ^ b[w]);
        }
        return h;
    }

    @Test
    void floatCodecsEqualTheDefinitionOnDecodedVectors() {
        Random r = new Random(3);
        for (TokenCodec codec : new TokenCodec[] {TokenCodec.FLOAT16, TokenCodec.INT8}) {
            for (int dim : new int[] {384, 100}) {
                for (int queryTokens : new int[] {1, 7, 32}) {
                    float[][] q = tokens(r, queryTokens, dim);
                    TokenCodec.PreparedQuery pq = TokenCodec.prepare(q);
                    for (int n : new int[] {1, 300, 17, 200, 2}) {
                        byte[] doc = codec.encode(tokens(r, n, dim));
                        double expected = definition(q, decode(codec, doc, n, dim));
                        assertThat((double) codec.maxSim(pq, doc)).as("%s dim %d q %d n %d", codec, dim, queryTokens, n)
                                .isCloseTo(expected, offset(1e-4 * queryTokens));
                    }
                }
            }
        }
    }

    @Test
    void binaryEqualsTheHammingDefinition() {
        Random r = new Random(5);
        for (int dim : new int[] {384, 128, 100, 64}) {
            float[][] q = tokens(r, 9, dim);
            TokenCodec.PreparedQuery pq = TokenCodec.prepare(q);
            for (int n : new int[] {1, 250, 3}) {
                float[][] d = tokens(r, n, dim);
                double expected = 0;
                for (float[] qi : q) {
                    int best = Integer.MAX_VALUE;
                    for (float[] dj : d) {
                        best = Math.min(best, hammingMaxSimBest(TokenCodec.signBits(qi), TokenCodec.signBits(dj)));
                    }
                    expected += 1.0 - 2.0 * best / dim;
                }
                assertThat((double) TokenCodec.BINARY.maxSim(pq, TokenCodec.BINARY.encode(d)))
                        .as("dim %d n %d", dim, n).isCloseTo(expected, offset(1e-4));
            }
        }
    }

    @Test
    void emptyDocumentScoresZero() {
        TokenCodec.PreparedQuery pq = TokenCodec.prepare(tokens(new Random(1), 4, 384));
        for (TokenCodec codec : TokenCodec.values()) {
            assertThat(codec.maxSim(pq, codec.encode(new float[0][]))).isZero();
        }
    }
}
