package dev.streamretrieval.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamretrieval.schemas.Document;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The synthetic collection of {@code scale} and its exact nearest neighbours, without Flink or a model. */
class ScaleCorpusTest {
    private static final int DIM = 16;

    private static List<Document> sources() {
        return List.of(
                Document.upsert("a", "Alpha title", "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu", null),
                Document.upsert("b", null, "one two three four five six seven eight nine ten", null),
                Document.upsert("c", null, "red green blue cyan magenta yellow black white grey brown pink "
                        + "orange violet indigo", null));
    }

    private static float[][] unitVectors(int n, long seed) {
        Random r = new Random(seed);
        float[][] v = new float[n][DIM];
        for (float[] x : v) {
            double norm = 0;
            for (int d = 0; d < DIM; d++) {
                x[d] = (float) r.nextGaussian();
                norm += x[d] * x[d];
            }
            for (int d = 0; d < DIM; d++) {
                x[d] /= (float) Math.sqrt(norm);
            }
        }
        return v;
    }

    private static ScaleCorpus corpus(long seed) {
        return new ScaleCorpus(sources(), unitVectors(3, 7), new int[] {0, 1, 2}, seed);
    }

    @Test
    void documentsAreReproducibleFromTheirNumberAndTheRecordCarriesTheSameVector() throws Exception {
        ScaleCorpus c = corpus(42);
        ObjectMapper json = new ObjectMapper();
        for (long i : new long[] {0, 1, 17, 999_999}) {
            Document d = c.document(i);
            assertThat(d).isEqualTo(c.document(i));
            JsonNode record = json.readTree(c.json(i));
            assertThat(record.get("id").asText()).isEqualTo(ScaleCorpus.id(i)).isEqualTo(d.id);
            assertThat(record.get("text").asText()).isEqualTo(d.text);
            float[] v = c.vector(i);
            assertThat(record.get("vector")).hasSize(DIM);
            for (int k = 0; k < DIM; k++) {
                assertThat((float) record.get("vector").get(k).asDouble()).isEqualTo(v[k]);
            }
        }
        assertThat(corpus(43).document(5).text).isNotEqualTo(c.document(5).text);
    }

    @Test
    void textsRecombineSourceWordsAtSourceLengthsAndVectorsAreUnitLength() {
        ScaleCorpus c = corpus(1);
        Set<String> vocabulary = new HashSet<>();
        Set<Integer> lengths = new HashSet<>();
        for (Document s : sources()) {
            String[] w = s.indexableText().split("\\s+");
            vocabulary.addAll(Arrays.asList(w));
            lengths.add(w.length);
        }
        Set<String> seen = new HashSet<>();
        int n = 0;
        for (Document d : c.documents(300)) {
            n++;
            String[] w = d.text.split(" ");
            assertThat(vocabulary).containsAll(Arrays.asList(w));
            assertThat(lengths).contains(w.length);
            seen.addAll(Arrays.asList(w));
            float[] v = c.vector(n - 1);
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
        assertThat(n).isEqualTo(300);
        assertThat(seen.size()).as("recombination reaches most of the vocabulary").isGreaterThan(vocabulary.size() * 9 / 10);
    }

    @Test
    void vectorsStayCloseToTheirPrimarySourceVector() {
        float[][] base = unitVectors(3, 7);
        ScaleCorpus c = new ScaleCorpus(sources(), base, new int[] {0, 1, 2}, 3);
        for (long i = 0; i < 50; i++) {
            float[] v = c.vector(i);
            double best = -1;
            for (float[] b : base) {
                best = Math.max(best, ExactNeighbours.dot(v, b));
            }
            // 0.8 of one source vector, 0.2 of another, |noise| 0.2: cosine to the primary well above chance
            assertThat(best).isGreaterThan(0.7);
        }
    }

    @Test
    void exactTopKIsTheSortedScan() {
        ScaleCorpus c = corpus(9);
        int n = 500;
        float[][] queries = unitVectors(4, 11);
        List<Set<String>> top = ExactNeighbours.topK(c, n, queries, 20, null);
        for (int q = 0; q < queries.length; q++) {
            final float[] query = queries[q];
            List<Integer> sorted = new ArrayList<>(IntStream.range(0, n).boxed().toList());
            sorted.sort(Comparator.comparingDouble((Integer i) -> -ExactNeighbours.dot(query, c.vector(i))));
            Set<String> expected = new HashSet<>();
            sorted.subList(0, 20).forEach(i -> expected.add(ScaleCorpus.id(i)));
            assertThat(top.get(q)).isEqualTo(expected);
        }
        List<List<String>> found = new ArrayList<>();
        found.add(new ArrayList<>(top.get(0)));
        found.add(new ArrayList<>(top.get(1)).subList(0, 10));
        found.add(List.of());
        found.add(null);
        assertThat(ExactNeighbours.recall(top, found)).isEqualTo((1.0 + 0.5) / 4);
    }
}
