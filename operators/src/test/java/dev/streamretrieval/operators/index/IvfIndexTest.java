package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.index.state.HeapKeyValueState;
import dev.streamretrieval.operators.vectors.DenseCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The IVF dense index without Flink: probing every list returns exactly the exact scan's top k, through
 * upserts (remove + add under a new ordinal), deletes and list splits; a partial probe keeps recall@100 high on
 * clustered vectors; the stored state is exactly the live vectors (nothing left behind by removals and splits);
 * a fresh index over the same storage (a restore) answers identically.
 */
class IvfIndexTest {
    private static final int DIM = 32;
    /** Per-dimension noise around a cluster centre: the noise vector's norm is about 0.6 (centres are unit). */
    static final float SPREAD = 0.1f;

    /** Vectors around {@code clusters} random unit centres, normalised like the encoder's output. */
    static final class Clustered {
        final float[][] centres;
        final Random random;

        Clustered(int clusters, long seed) {
            random = new Random(seed);
            centres = new float[clusters][];
            for (int c = 0; c < clusters; c++) {
                centres[c] = normalise(gaussian(random, 1f));
            }
        }

        float[] next() {
            float[] centre = centres[random.nextInt(centres.length)];
            float[] noise = gaussian(random, SPREAD);
            for (int i = 0; i < DIM; i++) {
                noise[i] += centre[i];
            }
            return normalise(noise);
        }
    }

    static float[] gaussian(Random r, float sigma) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian() * sigma;
        }
        return v;
    }

    static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float k = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < v.length; i++) {
            v[i] *= k;
        }
        return v;
    }

    /** The exact scan: every live vector scored with the codec, score descending, then ordinal ascending. */
    static List<Long> exactTop(Map<Long, byte[]> live, DenseCodec codec, float[] q, int k) {
        List<Map.Entry<Long, Float>> all = new ArrayList<>();
        for (var e : live.entrySet()) {
            all.add(Map.entry(e.getKey(), codec.dot(q, e.getValue(), 0)));
        }
        all.sort(Comparator.<Map.Entry<Long, Float>, Float>comparing(Map.Entry::getValue, (a, b) -> Float.compare(b, a))
                .thenComparing(Map.Entry::getKey));
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, all.size()); i++) {
            out.add(all.get(i).getKey());
        }
        return out;
    }

    static List<Long> ordinals(DenseResult top) {
        List<Long> out = new ArrayList<>();
        for (long o : top.ordinals()) {
            out.add(o);
        }
        return out;
    }

    static int size(IvfStorage storage, String what) {
        return ((HeapKeyValueState<?, ?>) switch (what) {
            case "blocks" -> storage.blocks();
            case "locations" -> storage.locations();
            default -> storage.vectors();
        }).entries().size();
    }

    /** A feed of upserts and deletes over {@code ids} document ids; returns ordinal → codec bytes of live vectors. */
    static Map<Long, byte[]> feed(IvfIndex index, DenseCodec codec, Clustered data, int ids, int writes)
            {
        return feed(index, codec, data, ids, writes, 0);
    }

    /** As above, with ordinals from {@code firstOrdinal} (ordinals are never reused within a shard). */
    static Map<Long, byte[]> feed(IvfIndex index, DenseCodec codec, Clustered data, int ids, int writes,
            long firstOrdinal) {
        Map<Integer, Long> ordinalOf = new LinkedHashMap<>();
        Map<Long, byte[]> live = new LinkedHashMap<>();
        long nextOrdinal = firstOrdinal;
        for (int w = 0; w < writes; w++) {
            int id = data.random.nextInt(ids);
            Long old = ordinalOf.remove(id);
            if (old != null) {
                assertThat(index.remove(old)).isTrue();
                live.remove(old);
            }
            if (old != null && data.random.nextInt(5) == 0) {
                continue; // a delete
            }
            byte[] v = codec.encode(data.next());
            long ordinal = nextOrdinal++;
            index.add(ordinal, v);
            live.put(ordinal, v);
            ordinalOf.put(id, ordinal);
        }
        return live;
    }

    @Test
    void probingEveryListIsTheExactScanThroughUpsertsDeletesAndSplits() {
        for (DenseCodec codec : DenseCodec.values()) {
            IvfStorage storage = IvfStorage.onHeap();
            IvfIndex index = new IvfIndex(storage, codec, IvfIndex.DEFAULT_MAX_LIST_SIZE);
            Clustered data = new Clustered(40, 7);
            Map<Long, byte[]> live = feed(index, codec, data, 4000, 12000);
            assertThat(index.lists()).as("lists split as the shard grew").isGreaterThan(4);
            IvfSearcher searcher = new IvfSearcher(index);
            for (int q = 0; q < 30; q++) {
                float[] query = data.next();
                List<Long> expected = exactTop(live, codec, query, 100);
                long[] alsoScore = {expected.get(7), expected.get(99), -5};
                DenseResult top = searcher.search(query, 100, Integer.MAX_VALUE, alsoScore);
                assertThat(ordinals(top)).as(codec + " query " + q).isEqualTo(expected);
                assertThat(top.scored()).isEqualTo(live.size());
                for (int i = 0; i < top.ordinals().length; i++) {
                    assertThat(top.scores()[i]).isEqualTo(codec.dot(query, live.get(top.ordinals()[i]), 0));
                }
                assertThat(top.alsoScores()[0]).isEqualTo(top.scores()[7]);
                assertThat(top.alsoScores()[1]).isEqualTo(top.scores()[99]);
                assertThat(top.alsoScores()[2]).isNaN();
            }
        }
    }

    @Test
    void storageHoldsExactlyTheLiveVectorsAndListsStayBounded() {
        IvfStorage storage = IvfStorage.onHeap();
        IvfIndex index = new IvfIndex(storage, DenseCodec.FLOAT32, IvfIndex.DEFAULT_MAX_LIST_SIZE);
        Clustered data = new Clustered(30, 3);
        Map<Long, byte[]> live = feed(index, DenseCodec.FLOAT32, data, 3000, 15000);
        int total = 0;
        int blocks = 0;
        for (int l = 0; l < index.lists(); l++) {
            int n = index.listSize(l);
            assertThat(n).isLessThan(IvfIndex.DEFAULT_MAX_LIST_SIZE);
            total += n;
            blocks += (n + IvfIndex.BLOCK_ENTRIES - 1) / IvfIndex.BLOCK_ENTRIES;
        }
        assertThat(total).isEqualTo(live.size());
        assertThat(size(storage, "blocks")).isEqualTo(blocks);
        assertThat(size(storage, "locations")).isEqualTo(live.size());
        assertThat(size(storage, "vectors")).isEqualTo(live.size());
        for (long ordinal : live.keySet()) {
            long loc = storage.location(ordinal);
            int p = (int) loc;
            byte[] block = storage.block((int) (loc >>> 32), p / IvfIndex.BLOCK_ENTRIES);
            assertThat(IvfIndex.ordinalAt(block, p % IvfIndex.BLOCK_ENTRIES, index.stride())).isEqualTo(ordinal);
        }
        for (long ordinal : new ArrayList<>(live.keySet())) {
            assertThat(index.remove(ordinal)).isTrue();
        }
        assertThat(index.remove(0)).isFalse();
        assertThat(size(storage, "blocks")).isZero();
        assertThat(size(storage, "locations")).isZero();
        assertThat(size(storage, "vectors")).isZero();
        assertThat(new IvfSearcher(index).search(data.next(), 10, 4, new long[0]).ordinals()).isEmpty();
    }

    @Test
    void partialProbeKeepsRecallAndScansAFractionOfTheShard() {
        IvfStorage storage = IvfStorage.onHeap();
        IvfIndex index = new IvfIndex(storage, DenseCodec.FLOAT32, IvfIndex.DEFAULT_MAX_LIST_SIZE);
        Clustered data = new Clustered(200, 11);
        Map<Long, byte[]> live = feed(index, DenseCodec.FLOAT32, data, 30000, 40000);
        IvfSearcher searcher = new IvfSearcher(index);
        int nprobe = new DenseIndexOptions().nprobe; // the job's default
        double recall = 0;
        int queries = 50;
        for (int q = 0; q < queries; q++) {
            float[] query = data.next();
            List<Long> exact = exactTop(live, DenseCodec.FLOAT32, query, 100);
            List<Long> approx = ordinals(searcher.search(query, 100, nprobe, new long[0]));
            recall += approx.stream().filter(exact::contains).count() / (double) exact.size();
        }
        recall /= queries;
        assertThat(index.lists()).isGreaterThan(2 * nprobe);
        System.out.printf("recall@100 %.4f with nprobe %d of %d lists%n", recall, nprobe, index.lists());
        assertThat(recall).as("recall@100 with nprobe %d of %d lists", nprobe, index.lists()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aFreshIndexOverTheSameStorageAnswersAndGrowsIdentically() {
        IvfStorage kept = IvfStorage.onHeap();
        IvfStorage restoredStorage = IvfStorage.onHeap();
        IvfIndex running = new IvfIndex(kept, DenseCodec.FLOAT32, IvfIndex.DEFAULT_MAX_LIST_SIZE);
        IvfIndex beforeRestore = new IvfIndex(restoredStorage, DenseCodec.FLOAT32, IvfIndex.DEFAULT_MAX_LIST_SIZE);
        feed(running, DenseCodec.FLOAT32, new Clustered(20, 5), 2000, 5000);
        feed(beforeRestore, DenseCodec.FLOAT32, new Clustered(20, 5), 2000, 5000);
        IvfIndex restored = new IvfIndex(restoredStorage, DenseCodec.FLOAT32, IvfIndex.DEFAULT_MAX_LIST_SIZE); // empty heap cache, loads the lists
        assertThat(restored.lists()).isEqualTo(running.lists()).isGreaterThan(1);
        Clustered queries = new Clustered(20, 9);
        for (int q = 0; q < 20; q++) {
            float[] query = queries.next();
            assertThat(ordinals(new IvfSearcher(restored).search(query, 50, 3, new long[0])))
                    .isEqualTo(ordinals(new IvfSearcher(running).search(query, 50, 3, new long[0])));
        }
        // both keep indexing the same writes identically: same splits, same centroids, same answers
        feed(running, DenseCodec.FLOAT32, new Clustered(20, 6), 2000, 4000, 1_000_000);
        feed(restored, DenseCodec.FLOAT32, new Clustered(20, 6), 2000, 4000, 1_000_000);
        assertThat(restored.lists()).isEqualTo(running.lists());
        for (int q = 0; q < 20; q++) {
            float[] query = queries.next();
            DenseResult a = new IvfSearcher(running).search(query, 50, 3, new long[0]);
            DenseResult b = new IvfSearcher(restored).search(query, 50, 3, new long[0]);
            assertThat(ordinals(b)).isEqualTo(ordinals(a));
        }
    }

    @Test
    void topKHeapKeepsTheBestInExactScanOrder() {
        Random r = new Random(2);
        for (int round = 0; round < 200; round++) {
            int n = r.nextInt(300);
            int k = r.nextInt(40);
            TopK top = new TopK(k);
            List<Map.Entry<Long, Float>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float s = r.nextInt(20) / 4f; // many ties
                long o = r.nextInt(1000);
                top.offer(o, s);
                all.add(Map.entry(o, s));
            }
            all.sort(Comparator.<Map.Entry<Long, Float>, Float>comparing(Map.Entry::getValue, (a, b) -> Float.compare(b, a))
                    .thenComparing(Map.Entry::getKey));
            DenseResult drained = top.drain(new float[0], n);
            assertThat(drained.ordinals()).hasSize(Math.min(k, n));
            for (int i = 0; i < drained.ordinals().length; i++) {
                assertThat(drained.ordinals()[i]).isEqualTo(all.get(i).getKey());
                assertThat(drained.scores()[i]).isEqualTo(all.get(i).getValue());
            }
        }
    }
}
