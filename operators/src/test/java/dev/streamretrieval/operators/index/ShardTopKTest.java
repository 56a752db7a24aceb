package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shard's top-k selection: score descending in Float.compare order, ties by ordinal ascending. */
class ShardTopKTest {
    private static List<Long> naive(long[] ordinals, float[] scores, int depth) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < ordinals.length; i++) {
            idx.add(i);
        }
        idx.sort(Comparator.<Integer>comparingInt(i -> 0).thenComparing((a, b) -> Float.compare(scores[b], scores[a]))
                .thenComparing((a, b) -> Long.compare(ordinals[a], ordinals[b])));
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < Math.min(depth, idx.size()); i++) {
            out.add(ordinals[idx.get(i)]);
        }
        return out;
    }

    @Test
    void matchesTheDefinitionWithTiesNegativesAndSignedZeros() {
        Random r = new Random(11);
        float[] palette = {0f, -0f, 1.5f, -1.5f, 3.25f, -7f, 1e-30f, -1e-30f, Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int trial = 0; trial < 200; trial++) {
            int n = r.nextInt(300);
            long[] ordinals = new long[n];
            float[] scores = new float[n];
            long next = r.nextInt(5);
            for (int i = 0; i < n; i++) {
                next += 1 + r.nextInt(3);
                ordinals[i] = next;
                scores[i] = r.nextBoolean() ? palette[r.nextInt(palette.length)] : (float) r.nextGaussian();
            }
            // shuffle (map iteration order is arbitrary)
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                long o = ordinals[i];
                ordinals[i] = ordinals[j];
                ordinals[j] = o;
                float s = scores[i];
                scores[i] = scores[j];
                scores[j] = s;
            }
            int depth = 1 + r.nextInt(120);
            List<Long> expected = naive(ordinals, scores, depth);
            assertThat(TopK.of(ordinals, scores, depth)).isEqualTo(expected);
            assertThat(TopK.ofQueue(ordinals, scores, depth)).isEqualTo(expected);
        }
    }

    @Test
    void ordinalsBeyond32BitsUseTheQueue() {
        long[] ordinals = {1L << 33, 5, (1L << 33) + 1};
        float[] scores = {2f, 2f, 3f};
        assertThat(TopK.of(ordinals, scores, 3)).containsExactly((1L << 33) + 1, 5L, 1L << 33);
    }
}
