package dev.streamretrieval.operators.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualCodebookTest {
    /**
     * Token-like vectors: n points around 48 random directions (token vectors of one collection cluster around
     * frequent contexts), Gaussian noise of the given spread, unit length when asked.
     */
    static float[][] clustered(Random r, int n, int dim, double spread, boolean unit) {
        float[][] centres = MaxSimWorkload.randomUnitVectors(new Random(99), 48, dim);
        float[][] out = new float[n][dim];
        for (float[] x : out) {
            float[] c = centres[r.nextInt(centres.length)];
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                x[i] = (float) (c[i] + spread * r.nextGaussian() / Math.sqrt(dim));
                norm += x[i] * x[i];
            }
            if (unit) {
                for (int i = 0; i < dim; i++) {
                    x[i] /= (float) Math.sqrt(norm);
                }
            }
        }
        return out;
    }

    private static float exactMaxSim(float[][] q, float[][] d) {
        float total = 0;
        for (float[] qi : q) {
            float best = Float.NEGATIVE_INFINITY;
            for (float[] dj : d) {
                float s = 0;
                for (int i = 0; i < qi.length; i++) {
                    s += qi[i] * dj[i];
                }
                best = Math.max(best, s);
            }
            total += best;
        }
        return total;
    }

    @Test
    void bucketsAreThePlaidQuantilesOfTheHeldOutResiduals() {
        float[] sorted = {0f, 1f, 2f, 3f, 4f};
        assertThat(ResidualCodebook.quantile(sorted, 0.5)).isEqualTo(2f);
        assertThat(ResidualCodebook.quantile(sorted, 0.125)).isEqualTo(0.5f);
        ResidualCodebook cb = ResidualCodebook.train(clustered(new Random(1), 2000, 32, 0.6, true), 2, 7);
        float[] cut = cb.cutoffs();
        float[] w = cb.weights();
        assertThat(cut).hasSize(3);
        assertThat(w).hasSize(4);
        // each weight (the median of its bucket) lies between its bucket's cutoffs; residuals centre on 0
        assertThat(w[0]).isLessThan(cut[0]);
        assertThat(w[1]).isBetween(cut[0], cut[1]);
        assertThat(w[2]).isBetween(cut[1], cut[2]);
        assertThat(w[3]).isGreaterThan(cut[2]);
        assertThat(Math.abs(cut[1])).isLessThan(0.01f);
        assertThat(cb.bucket(cut[0] - 1e-6f)).isZero();
        assertThat(cb.bucket(cut[0])).isZero(); // torch.bucketize: a value equal to a cutoff stays below it
        assertThat(cb.bucket(cut[2] + 1e-6f)).isEqualTo(3);
        assertThat(cb.centroids()).isEqualTo(ResidualCodebook.centroidCount(2000)).isEqualTo(512); // 2^⌊log2(16·√2000)⌋
    }

    /**
     * Without re-normalisation (vectors not of unit length) every decoded dimension lies in the bucket of its
     * residual: the error is at most the bucket's width, the outer buckets bounded by the sample's extreme residuals.
     */
    @Test
    void decodingErrorIsBoundedByTheBucketWidth() {
        for (int bits : new int[] {1, 2}) {
            float[][] sample = clustered(new Random(2), 3000, 64, 0.8, false);
            ResidualCodebook cb = ResidualCodebook.train(sample, bits, 11);
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float[] x : sample) {
                float[] c = cb.centroid(cb.nearest(x));
                for (int i = 0; i < x.length; i++) {
                    lo = Math.min(lo, x[i] - c[i]);
                    hi = Math.max(hi, x[i] - c[i]);
                }
            }
            float[] cut = cb.cutoffs();
            float[][] decoded = cb.decode(cb.encode(sample));
            double sumSq = 0;
            for (int t = 0; t < sample.length; t++) {
                float[] c = cb.centroid(cb.nearest(sample[t]));
                for (int i = 0; i < sample[t].length; i++) {
                    float r = sample[t][i] - c[i];
                    int b = cb.bucket(r);
                    float width = (b == cut.length ? hi : cut[b]) - (b == 0 ? lo : cut[b - 1]);
                    float error = Math.abs(decoded[t][i] - sample[t][i]);
                    assertThat(error).as("bits %d token %d dim %d", bits, t, i).isLessThanOrEqualTo(width + 1e-6f);
                    sumSq += error * error;
                }
            }
            // and on average far below it
            double rms = Math.sqrt(sumSq / (sample.length * 64.0));
            assertThat(rms).as("bits %d", bits).isLessThan(bits == 2 ? 0.045 : 0.075);
        }
    }

    @Test
    void maxSimOnDecompressedResidualsIsCloseToFloatMaxSim() {
        Random r = new Random(3);
        int dim = 128;
        float[][] sample = clustered(r, 4000, dim, 0.8, true);
        ResidualCodebook two = ResidualCodebook.train(sample, 2, 5);
        ResidualCodebook one = ResidualCodebook.train(sample, 1, 5);
        double err2 = 0;
        double err1 = 0;
        double errCentroids = 0;
        int queryTokens = 0;
        for (int trial = 0; trial < 30; trial++) {
            float[][] q = clustered(r, 16, dim, 0.8, true);
            float[][] d = clustered(r, 80, dim, 0.8, true);
            float exact = exactMaxSim(q, d);
            TokenCodec.PreparedQuery pq = TokenCodec.prepare(q);
            byte[] encoded = two.encode(d);
            assertThat(encoded).hasSize(8 + 80 * two.bytesPerToken());
            float kernel = two.maxSim(pq, encoded);
            assertThat(kernel).isCloseTo(exactMaxSim(q, two.decode(encoded)), org.assertj.core.data.Offset.offset(1e-3f));
            err2 += Math.abs(kernel - exact);
            err1 += Math.abs(one.maxSim(pq, one.encode(d)) - exact);
            float[][] centroidsOnly = new float[d.length][];
            for (int j = 0; j < d.length; j++) {
                centroidsOnly[j] = two.centroid(two.nearest(d[j]));
            }
            errCentroids += Math.abs(exactMaxSim(q, centroidsOnly) - exact);
            queryTokens += q.length;
        }
        // per query token (a MaxSim term lies in [-1, 1]; measured 0.035 and 0.064 on this noisy sample, where the
        // noise is 0.8 of a centre's length, against 0.114 with the centroids alone): the residual bits remove most
        // of the centroids' error, 2 bits about half as much as 1 bit
        assertThat(err2 / queryTokens).isLessThan(0.045);
        assertThat(err1 / queryTokens).isLessThan(0.085);
        assertThat(err2).isLessThan(0.7 * err1).isLessThan(0.4 * errCentroids);
        assertThat(err1).isLessThan(0.7 * errCentroids);
    }

    @Test
    void residual2StaysWithin36BytesPerTokenAt128Dimensions() {
        assertThat(TokenCodec.RESIDUAL2.bytesPerToken(128)).isEqualTo(34).isLessThanOrEqualTo(36);
        assertThat(TokenCodec.RESIDUAL1.bytesPerToken(128)).isEqualTo(18);
        assertThat(TokenCodec.RESIDUAL2.bytesPerToken(384)).isEqualTo(98);
        ResidualCodebook cb = ResidualCodebook.train(clustered(new Random(4), 500, 128, 0.8, true), 2, 1);
        assertThat(cb.bytesPerToken()).isEqualTo(TokenCodec.RESIDUAL2.bytesPerToken(128));
    }

    @Test
    void codebookRoundTripsThroughItsBytes() {
        float[][] sample = clustered(new Random(5), 600, 24, 0.8, true);
        ResidualCodebook cb = ResidualCodebook.train(sample, 1, 3);
        ResidualCodebook back = ResidualCodebook.fromBytes(cb.toBytes());
        assertThat(back.encode(sample)).isEqualTo(cb.encode(sample));
        assertThat(back.decode(cb.encode(sample))).isDeepEqualTo(cb.decode(cb.encode(sample)));
        assertThat(ResidualCodebook.train(sample, 1, 3).toBytes()).as("deterministic").isEqualTo(cb.toBytes());
    }

    @Test
    void refusesVectorsOfAnotherLayoutOrDimension() {
        ResidualCodebook cb = ResidualCodebook.train(clustered(new Random(6), 300, 16, 0.8, true), 2, 1);
        float[][] other = clustered(new Random(6), 3, 32, 0.8, true);
        assertThatThrownBy(() -> cb.encode(other)).hasMessageContaining("32 dimensions");
        byte[] float16 = TokenCodec.FLOAT16.encode(other);
        assertThat(ResidualCodebook.isResidual(float16)).isFalse();
        assertThatThrownBy(() -> cb.decode(float16)).hasMessageContaining("plain codec");
        assertThat(ResidualCodebook.isResidual(cb.encode(clustered(new Random(6), 3, 16, 0.8, true)))).isTrue();
    }

    @Test
    void parsesTheResidualCodecNames() {
        assertThat(TokenCodec.parse("residual2")).isEqualTo(TokenCodec.RESIDUAL2);
        assertThat(TokenCodec.parse("residual1").residualBits()).isEqualTo(1);
        assertThat(TokenCodec.RESIDUAL2.wireCodec()).isEqualTo(TokenCodec.FLOAT16);
        assertThatThrownBy(() -> TokenCodec.parse("residual3")).hasMessageContaining("residual2 or residual1");
    }
}
