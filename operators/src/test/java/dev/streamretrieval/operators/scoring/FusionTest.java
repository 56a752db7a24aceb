package dev.streamretrieval.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** RRF and normalised linear fusion, as the shard and the gather both use them, and full mode's combination. */
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

    @Test
    void fullCombinesTheThreeNormalisedScoresWithTheGivenWeights() {
        // bm25 {2, 6, 4} → {0, 1, 0.5}; dense {0.1, 0.3, NaN} → {0, 1, 0 (missing counts as the minimum)};
        // maxsim {5, 3, 4.5} → {1, 0, 0.75}; weights 0.2 / 0.2 / 0.6
        double[] f = Fusion.full(3, new double[] {2, 6, 4}, new double[] {0.1, 0.3, Double.NaN},
                new double[] {5, 3, 4.5}, 0.2, 0.2);
        assertThat(f[0]).isCloseTo(0.6, within(1e-12)); // 0.6 · 1
        assertThat(f[1]).isCloseTo(0.4, within(1e-12)); // 0.2 · 1 + 0.2 · 1
        assertThat(f[2]).isCloseTo(0.55, within(1e-12)); // 0.2 · 0.5 + 0.6 · 0.75
        // weights 0 and 0: MaxSim alone, normalised
        assertThat(Fusion.full(3, new double[] {2, 6, 4}, new double[] {0.1, 0.3, Double.NaN},
                new double[] {5, 3, 4.5}, 0, 0)).containsExactly(1.0, 0.0, 0.75);
        // all BM25 and dense scores equal: they count 1 each and leave MaxSim's order
        double[] flat = Fusion.full(2, new double[] {3, 3}, new double[] {0.5, 0.5}, new double[] {1, 2}, 0.3, 0.4);
        assertThat(flat[0]).isCloseTo(0.7, within(1e-12));
        assertThat(flat[1]).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void fullRefusesWeightsThatAreNotAConvexCombination() {
        assertThatThrownBy(() -> Fusion.checkFullWeights(-0.1, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("within [0, 1]").hasMessageContaining("-0.1");
        assertThatThrownBy(() -> Fusion.checkFullWeights(0.2, 1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> Fusion.checkFullWeights(0.6, 0.5)).hasMessageContaining("sum to at most 1");
        assertThatThrownBy(() -> Fusion.checkFullWeights(Double.NaN, 0)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Fusion.full(1, new double[] {1}, new double[] {1}, new double[] {1}, 0.9, 0.2))
                .isInstanceOf(IllegalArgumentException.class);
        // the edges are allowed: MaxSim alone, and no MaxSim at all (0.7 + 0.3 is 1 up to rounding)
        Fusion.checkFullWeights(0, 0);
        Fusion.checkFullWeights(0.7, 0.3);
        assertThat(Fusion.maxSimWeight(0.7, 0.3)).isEqualTo(0.0);
        assertThat(Fusion.maxSimWeight(0.3, 0.4)).isCloseTo(0.3, within(1e-15));
    }
}
