package dev.streamretrieval.operators.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.streamretrieval.operators.encoding.VectorMath;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecsTest {
    private static float[] unit(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
        }
        VectorMath.normalize(v);
        return v;
    }

    private static float[][] tokens(Random r, int n, int dim) {
        float[][] t = new float[n][];
        for (int i = 0; i < n; i++) {
            t[i] = unit(r, dim);
        }
        return t;
    }

    /** MaxSim(q, d) = Σ_i max_j q_i · d_j, in plain float. */
    private static float exactMaxSim(float[][] q, float[][] d) {
        float total = 0;
        for (float[] qi : q) {
            float best = Float.NEGATIVE_INFINITY;
            for (float[] dj : d) {
                best = Math.max(best, VectorMath.dot(qi, dj));
            }
            total += best;
        }
        return total;
    }

    @Test
    void denseCodecsScoreLikeFloats() {
        Random r = new Random(1);
        for (int trial = 0; trial < 50; trial++) {
            float[] q = unit(r, 384);
            float[] d = unit(r, 384);
            float exact = VectorMath.dot(q, d);
            byte[] f32 = DenseCodec.FLOAT32.encode(d);
            byte[] i8 = DenseCodec.INT8.encode(d);
            assertThat(f32).hasSize(DenseCodec.FLOAT32.bytes(384)).hasSize(1536);
            assertThat(i8).hasSize(DenseCodec.INT8.bytes(384)).hasSize(388);
            assertThat(DenseCodec.FLOAT32.dot(q, f32, 0)).isCloseTo(exact, offset(1e-6f));
            assertThat(DenseCodec.INT8.dot(q, i8, 0)).isCloseTo(exact, offset(0.01f));
            assertThat(DenseCodec.INT8.decode(i8, 0, 384)[7]).isCloseTo(d[7], offset(0.01f));
        }
    }

    @Test
    void halfPrecisionRoundTrips() {
        for (float x : new float[] {0f, 1f, -1f, 0.5f, 0.1f, -0.033f, 65504f, 1e-5f, 3.14159f}) {
            float back = TokenCodec.Half.toFloat(TokenCodec.Half.fromFloat(x));
            assertThat(back).as("%s", x).isCloseTo(x, offset(Math.max(1e-7f, Math.abs(x) * 1e-3f)));
        }
        assertThat(TokenCodec.Half.toFloat(TokenCodec.Half.fromFloat(1e6f))).isEqualTo(65504f);
    }

    @Test
    void tokenCodecsApproximateExactMaxSim() {
        Random r = new Random(7);
        float[][] q = tokens(r, 32, 384);
        TokenCodec.PreparedQuery pq = TokenCodec.prepare(q);
        for (int trial = 0; trial < 10; trial++) {
            float[][] d = tokens(r, 50 + trial * 20, 384);
            float exact = exactMaxSim(q, d);
            assertThat(TokenCodec.FLOAT16.maxSim(pq, TokenCodec.FLOAT16.encode(d))).isCloseTo(exact, offset(0.01f));
            assertThat(TokenCodec.INT8.maxSim(pq, TokenCodec.INT8.encode(d))).isCloseTo(exact, offset(0.1f));
            assertThat(TokenCodec.tokenCount(TokenCodec.BINARY.encode(d))).isEqualTo(d.length);
        }
        assertThat(TokenCodec.FLOAT16.bytesPerToken(384)).isEqualTo(768);
        assertThat(TokenCodec.INT8.bytesPerToken(384)).isEqualTo(388);
        assertThat(TokenCodec.BINARY.bytesPerToken(384)).isEqualTo(48);
    }

    @Test
    void binaryMaxSimIsTheHammingCosineOfSignVectors() {
        float[][] q = {{1, -1, 1, -1}, {-1, -1, -1, -1}};
        float[][] d = {{1, -1, 1, 1}, {1, 1, 1, 1}};
        // q0 vs d0: 1 bit differs of 4 → 1 - 2/4 = 0.5; q0 vs d1: 2 differ → 0. Max 0.5.
        // q1 vs d0: 3 differ → -0.5; q1 vs d1: 4 differ → -1. Max -0.5. Total 0.
        assertThat(TokenCodec.BINARY.maxSim(TokenCodec.prepare(q), TokenCodec.BINARY.encode(d))).isEqualTo(0f);
        float[][] d2 = {{1, -1, 1, -1}};
        // q0 identical → 1; q1: 2 differ → 0.
        assertThat(TokenCodec.BINARY.maxSim(TokenCodec.prepare(q), TokenCodec.BINARY.encode(d2))).isEqualTo(1f);
    }

    @Test
    void emptyDocumentScoresZero() {
        float[][] q = {{1, 0}};
        for (TokenCodec c : TokenCodec.values()) {
            assertThat(c.maxSim(TokenCodec.prepare(q), c.encode(new float[0][]))).isZero();
        }
    }
}
