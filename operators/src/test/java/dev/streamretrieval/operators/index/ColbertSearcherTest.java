package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.vectors.MaxSimWorkload;
import dev.streamretrieval.operators.vectors.ResidualCodebook;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ColbertSearcherTest {
    private static final int DIM = 32;
    private static final int SHARD = 5;

    private final ResidualStorage storage = ResidualStorage.onHeap();
    private final dev.streamretrieval.operators.index.state.HeapKeyValueState<Long, byte[]> vectors =
            new dev.streamretrieval.operators.index.state.HeapKeyValueState<>();
    private final ShardCounters counters = new ShardCounters();

    /** Documents about one of 24 topics: tokens near the topic's directions, so that centroids mean something. */
    private static float[][] doc(Random r, float[][] topics, int tokens) {
        float[][] out = new float[tokens][DIM];
        int topic = r.nextInt(topics.length / 4) * 4;
        for (float[] x : out) {
            float[] c = topics[topic + r.nextInt(4)];
            double norm = 0;
            for (int i = 0; i < DIM; i++) {
                x[i] = (float) (c[i] + 0.5 * r.nextGaussian() / Math.sqrt(DIM));
                norm += x[i] * x[i];
            }
            for (int i = 0; i < DIM; i++) {
                x[i] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    /** The lists, rebuilt from the stored documents' codes: what they must equal. */
    private Map<Integer, Set<Long>> expectedLists(ResidualTokenStore store, Set<Long> live) {
        Map<Integer, Set<Long>> out = new HashMap<>();
        ResidualCodebook cb = store.codebook(SHARD);
        for (long o : live) {
            byte[] b = store.get(o);
            if (ResidualCodebook.isResidual(b)) {
                for (int c : cb.centroidIds(b)) {
                    out.computeIfAbsent(c, x -> new HashSet<>()).add(o);
                }
            }
        }
        return out;
    }

    private Map<Integer, Set<Long>> actualLists(ResidualTokenStore store) {
        Map<Integer, Set<Long>> out = new HashMap<>();
        for (int c = 0; c < store.codebook(SHARD).centroids(); c++) {
            long[] l = store.lists().list(SHARD, c);
            Set<Long> set = new HashSet<>();
            for (long o : l) {
                set.add(o);
            }
            assertThat(set).as("list %d holds each document once", c).hasSize(l.length);
            if (!set.isEmpty()) {
                out.put(c, set);
            }
        }
        return out;
    }

    @Test
    void centroidListsStayExactThroughUpsertsDeletesAndARetrain() {
        ResidualTokenStore store = new ResidualTokenStore(vectors, storage, 2, 600);
        Random r = new Random(1);
        float[][] topics = MaxSimWorkload.randomUnitVectors(new Random(7), 96, DIM);
        Set<Long> live = new HashSet<>();
        long next = 0;
        for (int step = 0; step < 400; step++) {
            if (!live.isEmpty() && r.nextInt(3) == 0) { // delete a random live document
                long victim = new ArrayList<>(live).get(r.nextInt(live.size()));
                store.remove(SHARD, victim, counters);
                live.remove(victim);
            } else {
                long o = next++;
                store.add(SHARD, o, TokenCodec.FLOAT16.encode(doc(r, topics, 5 + r.nextInt(30))), counters);
                live.add(o);
            }
            if (step == 250) {
                store.retrain(SHARD, counters);
            }
            if (step % 50 == 49 && store.codebook(SHARD) != null) {
                assertThat(actualLists(store)).as("step %d", step).isEqualTo(expectedLists(store, live));
            }
        }
        assertThat(actualLists(store)).isEqualTo(expectedLists(store, live));
        long stored = 0;
        for (long o : live) {
            stored += store.get(o).length;
        }
        assertThat(counters.tokenBytes).isEqualTo(stored);
    }

    @Test
    void colbertSearchRecallsTheExhaustiveTopAndAnswersThroughARetrain() {
        ResidualTokenStore store = new ResidualTokenStore(vectors, storage, 2, 1000);
        ColbertSearcher searcher = new ColbertSearcher(store);
        Random r = new Random(2);
        float[][] topics = MaxSimWorkload.randomUnitVectors(new Random(8), 96, DIM);
        List<float[][]> queries = new ArrayList<>();
        for (int q = 0; q < 20; q++) {
            queries.add(doc(r, topics, 6));
        }
        ColbertSearcher.Params params = new ColbertSearcher.Params(4, 64);
        double recall = 0;
        int answered = 0;
        for (long o = 0; o < 600; o++) {
            store.add(SHARD, o, TokenCodec.FLOAT16.encode(doc(r, topics, 10 + r.nextInt(30))), counters);
            if (o == 450) {
                store.retrain(SHARD, counters); // forced while queries keep coming
            }
            if (o % 30 == 29) { // a query between documents: every one is answered in full
                float[][] q = queries.get((int) (o / 30) % queries.size());
                ColbertSearcher.Result got = searcher.search(SHARD, q, 10, params);
                ColbertSearcher.Result all = searcher.searchExhaustively(SHARD, q, 10);
                assertThat(got.ordinals()).hasSize(10);
                Set<Long> want = new HashSet<>();
                for (long x : all.ordinals()) {
                    want.add(x);
                }
                int hit = 0;
                for (long x : got.ordinals()) {
                    hit += want.contains(x) ? 1 : 0;
                }
                recall += hit / 10.0;
                answered++;
            }
        }
        assertThat(store.codebook(SHARD)).isNotNull();
        assertThat(answered).isEqualTo(20);
        assertThat(recall / answered).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void driftingDocumentsTriggerARetrain() {
        ResidualTokenStore store = new ResidualTokenStore(vectors, storage, 2, 400);
        Random r = new Random(3);
        float[][] before = MaxSimWorkload.randomUnitVectors(new Random(9), 16, DIM);
        float[][] after = MaxSimWorkload.randomUnitVectors(new Random(10), 16, DIM);
        for (long o = 0; o < 60; o++) { // same kind as the training tokens: no re-train
            store.add(SHARD, o, TokenCodec.FLOAT16.encode(doc(r, before, 20)), counters);
        }
        assertThat(counters.tokenCodebookRetrains).isZero();
        float[][] probe = doc(new Random(4), after, 50);
        float errorBefore = store.codebook(SHARD).error(probe);
        for (long o = 60; o < 120; o++) { // another region of the space: the window's error grows past 1.5x
            store.add(SHARD, o, TokenCodec.FLOAT16.encode(doc(r, after, 20)), counters);
        }
        assertThat(counters.tokenCodebookRetrains).isPositive();
        // the new centroids fit the new region (trained on decompressed vectors, so not as well as the first ones
        // fitted theirs, but far better than the old centroids did)
        assertThat(store.codebook(SHARD).error(probe)).isLessThan(0.5f * errorBefore);
    }

    @Test
    void bestPicksTheLargest() {
        assertThat(ColbertSearcher.best(new float[] {0.1f, 0.9f, 0.5f, 0.9f, -1f}, 3)).containsExactly(1, 3, 2);
    }

    /**
     * The selection equals PLAID's steps computed the plain way from the stored codes: the union of every query
     * token's nprobe best lists, each document's centroid-interaction score summed token by token, the best
     * {@code candidates} by score then ordinal (the searcher computes the same floats with a transposed table and a
     * primitive sort).
     */
    @Test
    void selectionIsTheCentroidInteractionsBestComputedPlainly() {
        ResidualTokenStore store = new ResidualTokenStore(vectors, storage, 2, 800);
        ColbertSearcher searcher = new ColbertSearcher(store);
        Random r = new Random(5);
        float[][] topics = MaxSimWorkload.randomUnitVectors(new Random(6), 96, DIM);
        Set<Long> live = new HashSet<>();
        for (long o = 0; o < 400; o++) {
            store.add(SHARD, o, TokenCodec.FLOAT16.encode(doc(r, topics, 5 + r.nextInt(30))), counters);
            live.add(o);
        }
        ResidualCodebook cb = store.codebook(SHARD);
        assertThat(cb).isNotNull();
        int pruned = 0;
        for (int q = 0; q < 10; q++) {
            float[][] query = doc(r, topics, 4 + q);
            ColbertSearcher.Params params = new ColbertSearcher.Params(1 + q % 3, 5 + 3 * q);
            float[][] s = cb.centroidScores(query);
            Set<Long> probed = new java.util.TreeSet<>();
            for (float[] si : s) {
                for (int c : ColbertSearcher.best(si, params.nprobe())) {
                    for (long o : store.lists().list(SHARD, c)) {
                        probed.add(o);
                    }
                }
            }
            Map<Long, Float> approx = new HashMap<>();
            for (long o : probed) {
                int[] ids = cb.centroidIds(store.get(o));
                float total = 0;
                for (float[] si : s) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int c : ids) {
                        max = Math.max(max, si[c]);
                    }
                    total += max;
                }
                approx.put(o, total);
            }
            List<Long> order = new ArrayList<>(probed);
            order.sort((a, b) -> approx.get(a).floatValue() != approx.get(b).floatValue()
                    ? Float.compare(approx.get(b), approx.get(a)) : Long.compare(a, b));
            List<Long> want = order.subList(0, Math.min(params.candidates(), order.size()));
            ColbertSearcher.Selection got = searcher.select(SHARD, query, params);
            assertThat(got.probed()).isEqualTo(probed.size());
            // (the exact stage orders them, so the selection's own order does not matter)
            assertThat(got.ordinals()).as("query %d", q)
                    .containsExactlyInAnyOrder(want.stream().mapToLong(Long::longValue).toArray());
            assertThat(probed.size()).as("the probe prunes").isLessThan(live.size());
            pruned += want.size() < probed.size() ? 1 : 0;
        }
        assertThat(pruned).as("queries where the centroid interaction dropped candidates").isGreaterThanOrEqualTo(5);
    }

    @Test
    void topOrdersByScoreThenOrdinal() {
        long[] ordinals = {3, 5, 8, 9, 12, 14};
        float[] scores = {0.5f, -0.0f, 0.9f, 0.5f, 0.0f, -1f}; // −0 and 0 tie, as they compare equal
        assertThat(ColbertSearcher.top(ordinals, scores, 5)).containsExactly(8, 3, 9, 5, 12);
    }
}
