package dev.streamretrieval.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** RRF and normalised linear fusion, as the shard and the gather both use them. */
class FusionTest {
    private static final Fusion RRF60 = new Fusion("rrf", 60, 0.5);

    @Test
    void rrfSumsReciprocalRanksOverBothLists() {
        // candidates 0..3; BM25 ranks 2, 0, 1; dense ranks 0, 3
        double[] f = RRF60.rrf(4, new int[] {2, 0, 1}, new int[] {0, 3});
        assertThat(f[0]).isCloseTo(1.0 / 62 + 1.0 / 61, within(1e-15));
        assertThat(f[1]).isCloseTo(1.0 / 63, within(1e-15));
        assertThat(f[2]).isCloseTo(1.0 / 61, within(1e-15));
        assertThat(f[3]).isCloseTo(1.0 / 62, within(1e-15));
    }

    @Test
    void rrfUsesItsConstant() {
        double[] k0 = new Fusion("rrf", 0, 0.5).rrf(2, new int[] {0, 1});
        assertThat(k0).containsExactly(1.0, 0.5);
        double[] k10 = new Fusion("rrf", 10, 0.5).rrf(2, new int[] {0, 1});
        assertThat(k10[0]).isCloseTo(1.0 / 11, within(1e-15));
    }

    @Test
    void rrfTiesAreExactlyEqualSoTheCallersTieBreakDecides() {
        // first in one list only versus first in the other only: the same fused score, bit for bit
        double[] f = RRF60.rrf(3, new int[] {0, 2}, new int[] {1, 2});
        assertThat(f[0]).isEqualTo(f[1]);
        assertThat(f[2]).isGreaterThan(f[0]); // second in both beats first in one
    }

    @Test
    void aMissingListContributesNothing() {
        double[] onlyBm25 = RRF60.fuse(Fusion.Method.RRF, 3, new int[] {1, 0}, null, null, null);
        assertThat(onlyBm25).containsExactly(1.0 / 62, 1.0 / 61, 0.0);
        double[] emptyDense = RRF60.rrf(3, new int[] {1, 0}, new int[0]);
        assertThat(emptyDense).containsExactly(onlyBm25);
        double[] linear = RRF60.linear(2, new double[] {1, 3}, null);
        assertThat(linear).containsExactly(0.0, 0.5);
    }

    @Test
    void linearNormalisesEachListByMinMaxAndWeighs() {
        Fusion f = new Fusion("linear", 60, 0.25);
        // bm25 {2, 6, 4} → {0, 1, 0.5}; dense {0.1, 0.3, NaN} → {0, 1, 0 (missing counts as the minimum)}
        double[] fused = f.linear(3, new double[] {2, 6, 4}, new double[] {0.1, 0.3, Double.NaN});
        assertThat(fused[0]).isCloseTo(0.0, within(1e-12));
        assertThat(fused[1]).isCloseTo(0.25 + 0.75, within(1e-12));
        assertThat(fused[2]).isCloseTo(0.25 * 0.5, within(1e-12));
    }

    @Test
    void minMaxOfOneCandidateOrEqualScoresIsOne() {
        assertThat(Fusion.minMax(1, new double[] {-3.5})).containsExactly(1.0);
        assertThat(Fusion.minMax(3, new double[] {2, 2, Double.NaN})).containsExactly(1.0, 1.0, 0.0);
        assertThat(Fusion.minMax(2, new double[] {Double.NaN, Double.NaN})).containsExactly(0.0, 0.0);
        Fusion f = new Fusion("linear", 60, 0.5);
        assertThat(f.linear(1, new double[] {7}, new double[] {0.2})).containsExactly(1.0);
    }

    @Test
    void theQueryOverridesTheJobsMethod() {
        assertThat(RRF60.method(null)).isEqualTo(Fusion.Method.RRF);
        assertThat(RRF60.method("linear")).isEqualTo(Fusion.Method.LINEAR);
        assertThat(new Fusion("LINEAR", 60, 0.5).method(null)).isEqualTo(Fusion.Method.LINEAR);
        assertThatThrownBy(() -> RRF60.method("borda")).hasMessageContaining("borda");
        // the chosen method decides which inputs count
        double[] rrf = RRF60.fuse(Fusion.Method.RRF, 2, new int[] {1}, null, new double[] {9, 1}, null);
        double[] linear = RRF60.fuse(Fusion.Method.LINEAR, 2, new int[] {1}, null, new double[] {9, 1}, null);
        assertThat(rrf[1]).isGreaterThan(rrf[0]);
        assertThat(linear[0]).isGreaterThan(linear[1]);
    }
}
