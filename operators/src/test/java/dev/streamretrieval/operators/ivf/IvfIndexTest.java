package dev.streamretrieval.operators.ivf;

import static org.assertj.core.api.Assertions.assertThat;

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

    static List<Long> ordinals(TopScores top) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            out.add(top.ordinal(i));
        }
        return out;
    }

    /** A feed of upserts and deletes over {@code ids} document ids; returns ordinal → codec bytes of live vectors. */
    static Map<Long, byte[]> feed(IvfIndex index, DenseCodec codec, Clustered data, int ids, int writes)
            throws Exception {
        return feed(index, codec, data, ids, writes, 0);
    }

    /** As above, with ordinals from {@code firstOrdinal} (ordinals are never reused within a shard). */
    static Map<Long, byte[]> feed(IvfIndex index, DenseCodec codec, Clustered data, int ids, int writes,
            long firstOrdinal) throws Exception {
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
    void probingEveryListIsTheExactScanThroughUpsertsDeletesAndSplits() throws Exception {
        for (DenseCodec codec : DenseCodec.values()) {
            MemoryIvfStorage storage = new MemoryIvfStorage();
            IvfIndex index = new IvfIndex(storage, codec);
            Clustered data = new Clustered(40, 7);
            Map<Long, byte[]> live = feed(index, codec, data, 4000, 12000);
            assertThat(index.lists()).as("lists split as the shard grew").isGreaterThan(4);
            IvfSearcher searcher = new IvfSearcher(index);
            for (int q = 0; q < 30; q++) {
                float[] query = data.next();
                TopScores top = searcher.search(query, 100, Integer.MAX_VALUE);
                assertThat(ordinals(top)).as(codec + " query " + q).isEqualTo(exactTop(live, codec, query, 100));
                for (int i = 0; i < top.size(); i++) {
                    assertThat(top.score(i)).isEqualTo(codec.dot(query, live.get(top.ordinal(i)), 0));
                    assertThat(searcher.score(query, top.ordinal(i))).isEqualTo(top.score(i));
                }
            }
        }
    }

    @Test
    void storageHoldsExactlyTheLiveVectorsAndListsStayBounded() throws Exception {
        MemoryIvfStorage storage = new MemoryIvfStorage();
        IvfIndex index = new IvfIndex(storage, DenseCodec.FLOAT32);
        Clustered data = new Clustered(30, 3);
        Map<Long, byte[]> live = feed(index, DenseCodec.FLOAT32, data, 3000, 15000);
        int total = 0;
        int blocks = 0;
        for (int l = 0; l < index.lists(); l++) {
            int n = index.listSize(l);
            assertThat(n).isLessThan(IvfIndex.SPLIT_AT);
            total += n;
            blocks += (n + IvfIndex.BLOCK_ENTRIES - 1) / IvfIndex.BLOCK_ENTRIES;
        }
        assertThat(total).isEqualTo(live.size());
        assertThat(storage.blockCount()).isEqualTo(blocks);
        assertThat(storage.locationCount()).isEqualTo(live.size());
        assertThat(storage.vectorCount()).isEqualTo(live.size());
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
        assertThat(storage.blockCount()).isZero();
        assertThat(storage.locationCount()).isZero();
        assertThat(storage.vectorCount()).isZero();
        assertThat(new IvfSearcher(index).search(data.next(), 10, 4).size()).isZero();
    }

    @Test
    void partialProbeKeepsRecallAndScansAFractionOfTheShard() throws Exception {
        MemoryIvfStorage storage = new MemoryIvfStorage();
        IvfIndex index = new IvfIndex(storage, DenseCodec.FLOAT32);
        Clustered data = new Clustered(200, 11);
        Map<Long, byte[]> live = feed(index, DenseCodec.FLOAT32, data, 30000, 40000);
        IvfSearcher searcher = new IvfSearcher(index);
        int nprobe = 16;
        double recall = 0;
        int queries = 50;
        for (int q = 0; q < queries; q++) {
            float[] query = data.next();
            List<Long> exact = exactTop(live, DenseCodec.FLOAT32, query, 100);
            List<Long> approx = ordinals(searcher.search(query, 100, nprobe));
            recall += approx.stream().filter(exact::contains).count() / (double) exact.size();
        }
        recall /= queries;
        assertThat(index.lists()).isGreaterThan(2 * nprobe);
        System.out.printf("recall@100 %.4f with nprobe %d of %d lists%n", recall, nprobe, index.lists());
        assertThat(recall).as("recall@100 with nprobe %d of %d lists", nprobe, index.lists()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aFreshIndexOverTheSameStorageAnswersAndGrowsIdentically() throws Exception {
        MemoryIvfStorage kept = new MemoryIvfStorage();
        MemoryIvfStorage restoredStorage = new MemoryIvfStorage();
        IvfIndex running = new IvfIndex(kept, DenseCodec.FLOAT32);
        IvfIndex beforeRestore = new IvfIndex(restoredStorage, DenseCodec.FLOAT32);
        feed(running, DenseCodec.FLOAT32, new Clustered(20, 5), 2000, 5000);
        feed(beforeRestore, DenseCodec.FLOAT32, new Clustered(20, 5), 2000, 5000);
        IvfIndex restored = new IvfIndex(restoredStorage, DenseCodec.FLOAT32); // empty heap cache, loads the lists
        assertThat(restored.lists()).isEqualTo(running.lists()).isGreaterThan(1);
        Clustered queries = new Clustered(20, 9);
        for (int q = 0; q < 20; q++) {
            float[] query = queries.next();
            assertThat(ordinals(new IvfSearcher(restored).search(query, 50, 3)))
                    .isEqualTo(ordinals(new IvfSearcher(running).search(query, 50, 3)));
        }
        // both keep indexing the same writes identically: same splits, same centroids, same answers
        feed(running, DenseCodec.FLOAT32, new Clustered(20, 6), 2000, 4000, 1_000_000);
        feed(restored, DenseCodec.FLOAT32, new Clustered(20, 6), 2000, 4000, 1_000_000);
        assertThat(restored.lists()).isEqualTo(running.lists());
        for (int q = 0; q < 20; q++) {
            float[] query = queries.next();
            TopScores a = new IvfSearcher(running).search(query, 50, 3);
            TopScores b = new IvfSearcher(restored).search(query, 50, 3);
            assertThat(ordinals(b)).isEqualTo(ordinals(a));
        }
    }

    @Test
    void topScoresKeepsTheBestInExactScanOrder() {
        Random r = new Random(2);
        for (int round = 0; round < 200; round++) {
            int n = r.nextInt(300);
            int k = r.nextInt(40);
            TopScores top = new TopScores(k);
            List<Map.Entry<Long, Float>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float s = r.nextInt(20) / 4f; // many ties
                long o = r.nextInt(1000);
                top.offer(o, s);
                all.add(Map.entry(o, s));
            }
            all.sort(Comparator.<Map.Entry<Long, Float>, Float>comparing(Map.Entry::getValue, (a, b) -> Float.compare(b, a))
                    .thenComparing(Map.Entry::getKey));
            top.sortDescending();
            assertThat(top.size()).isEqualTo(Math.min(k, n));
            for (int i = 0; i < top.size(); i++) {
                assertThat(top.ordinal(i)).isEqualTo(all.get(i).getKey());
                assertThat(top.score(i)).isEqualTo(all.get(i).getValue());
            }
        }
    }
}
