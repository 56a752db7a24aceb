package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive match table against a plain map of the same postings. */
class Bm25MatchesTest {
    @Test
    void equalsAMapOfThePostingsEvenWhenTheExpectedSizeIsTooSmall() {
        Random r = new Random(11);
        for (long expected : new long[] {0, 5, 1000}) {
            int terms = 3;
            Bm25Matches m = new Bm25Matches(terms, expected);
            Map<Long, float[]> scores = new HashMap<>();
            Map<Long, int[]> freqs = new HashMap<>();
            for (int t = 0; t < terms; t++) {
                for (int i = 0; i < 400; i++) {
                    long ordinal = r.nextInt(600) * 1024L; // strided ordinals: collisions in a poor hash
                    int freq = 1 + r.nextInt(5);
                    float s = r.nextFloat();
                    if (freqs.containsKey(ordinal) && freqs.get(ordinal)[t] != 0) {
                        continue; // one posting per term and document
                    }
                    m.add(ordinal, t, freq, (int) (ordinal % 97), s);
                    scores.computeIfAbsent(ordinal, o -> new float[1])[0] += s;
                    freqs.computeIfAbsent(ordinal, o -> new int[terms])[t] = freq;
                }
            }
            assertThat(m.size()).isEqualTo(scores.size());
            for (Map.Entry<Long, float[]> e : scores.entrySet()) {
                int slot = m.find(e.getKey());
                assertThat(slot).isNotNegative();
                assertThat(m.score(slot)).isEqualTo(e.getValue()[0]);
                assertThat(m.termFreqs(slot)).containsExactly(freqs.get(e.getKey()));
                assertThat(m.length(slot)).isEqualTo((int) (e.getKey() % 97));
            }
            assertThat(m.find(7)).isEqualTo(-1);

            List<Long> expectedTop = new ArrayList<>(scores.keySet());
            expectedTop.sort((a, b) -> Float.compare(scores.get(b)[0], scores.get(a)[0]) != 0
                    ? Float.compare(scores.get(b)[0], scores.get(a)[0]) : Long.compare(a, b));
            assertThat(m.top(25)).containsExactlyElementsOf(expectedTop.subList(0, 25));
        }
    }
}
