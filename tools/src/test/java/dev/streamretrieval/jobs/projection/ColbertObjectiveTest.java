package dev.streamretrieval.jobs.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-derived gradient of {@link ColbertObjective} against central finite differences of its loss, on a
 * small random problem (12 → 5 dimensions, 3 queries, 5 documents, with a bias and with an excluded document), in
 * double-checked float arithmetic. A wrong term (the normalisation's projection, the softmax, the argmax
 * routing, the bias) shows up as a relative error far above the tolerance.
 */
class ColbertObjectiveTest {
    private static final int IN = 12;
    private static final int OUT = 5;

    @Test
    void gradientMatchesFiniteDifferences() {
        Random r = new Random(7);
        ColbertObjective.Batch batch = new ColbertObjective.Batch(
                new float[][] {tokens(r, 3), tokens(r, 4), tokens(r, 2)},
                new float[][] {tokens(r, 6), tokens(r, 4), tokens(r, 7), tokens(r, 3), tokens(r, 5)},
                new int[] {0, 2, 4},
                new boolean[][] {
                    {false, false, false, false, false},
                    {false, true, false, false, false}, // document 1 is relevant to query 1 but not its positive
                    {false, false, false, false, false}});
        float[] p = gaussian(r, IN * OUT, 0.5);
        float[] b = gaussian(r, OUT, 0.3);
        ColbertObjective objective = new ColbertObjective(IN, OUT);
        float[] gp = new float[p.length];
        float[] gb = new float[b.length];
        double loss = objective.lossAndGradient(p, b, batch, gp, gb);
        assertThat(loss).isPositive();

        double worst = 0;
        double norm = 0;
        for (int i = 0; i < p.length; i++) {
            worst = Math.max(worst, Math.abs(numeric(objective, p, b, batch, p, i) - gp[i]));
            norm = Math.max(norm, Math.abs(gp[i]));
        }
        for (int i = 0; i < b.length; i++) {
            worst = Math.max(worst, Math.abs(numeric(objective, p, b, batch, b, i) - gb[i]));
        }
        assertThat(norm).isGreaterThan(1e-3); // a zero gradient would pass trivially
        assertThat(worst / norm).as("max |analytic − numeric| / max |analytic|").isLessThan(2e-2);
    }

    @Test
    void lossFallsWhenFollowingTheGradient() {
        Random r = new Random(11);
        ColbertObjective.Batch batch = new ColbertObjective.Batch(
                new float[][] {tokens(r, 3), tokens(r, 3)},
                new float[][] {tokens(r, 5), tokens(r, 5), tokens(r, 5)},
                new int[] {0, 1}, new boolean[2][3]);
        float[] p = gaussian(r, IN * OUT, 0.5);
        ColbertObjective objective = new ColbertObjective(IN, OUT);
        float[] g = new float[p.length];
        double before = objective.lossAndGradient(p, null, batch, g, null);
        for (int i = 0; i < p.length; i++) {
            p[i] -= 0.05f * g[i];
        }
        assertThat(objective.lossAndGradient(p, null, batch, null, null)).isLessThan(before);
    }

    /** Central difference of the loss in parameter {@code i} of {@code target} (p or b). */
    private static double numeric(ColbertObjective o, float[] p, float[] b, ColbertObjective.Batch batch,
            float[] target, int i) {
        float eps = 1e-2f;
        float keep = target[i];
        target[i] = keep + eps;
        double up = o.lossAndGradient(p, b, batch, null, null);
        target[i] = keep - eps;
        double down = o.lossAndGradient(p, b, batch, null, null);
        target[i] = keep;
        return (up - down) / (2 * eps);
    }

    private static float[] tokens(Random r, int n) {
        float[] x = gaussian(r, n * IN, 1);
        for (int t = 0; t < n; t++) { // unit rows, as the token encoder gives them
            double s = 0;
            for (int k = 0; k < IN; k++) {
                s += x[t * IN + k] * x[t * IN + k];
            }
            for (int k = 0; k < IN; k++) {
                x[t * IN + k] /= (float) Math.sqrt(s);
            }
        }
        return x;
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }
}
