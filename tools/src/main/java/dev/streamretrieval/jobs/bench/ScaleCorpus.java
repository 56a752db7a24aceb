package dev.streamretrieval.jobs.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.streamretrieval.schemas.Document;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A synthetic collection of any size grown from a real one, generated document by document from its number
 * (nothing is kept per generated document, so a million documents cost no heap and can be generated again for a
 * second pass).
 *
 * <p>Document {@code i} has a <em>primary</em> source: one of the sampled real documents whose vectors were
 * encoded ({@code base}). Its text has the primary's length in words and is made of runs of 4–15 consecutive
 * words, each run taken with probability {@link #PRIMARY_SHARE} from the primary and otherwise from any real
 * document: words, phrases, document lengths and therefore term statistics (document frequencies grow with N as
 * they do in the real collection, up to the repetition of its vocabulary) stay those of real text. Its vector is
 * a perturbed mixture of real encoded vectors, so the vector distribution (and the text/vector agreement that
 * hybrid fusion relies on) stays that of the model:
 * <pre>
 *   v = normalise(0.8·e[primary] + 0.2·e[other] + g),   g ~ N(0, (σ²/dim)·I),  σ = {@value #NOISE}
 * </pre>
 * so |g| ≈ σ, and v's cosine to e[primary] is about 0.95. Components are rounded to 6 decimals (what goes on the
 * wire; {@link #vector} returns the same rounded values, so an exact scan here sees what the job stores).
 */
final class ScaleCorpus {
    /** Share of word runs copied from the primary source document. */
    static final double PRIMARY_SHARE = 0.5;
    /** Norm of the Gaussian perturbation added to the mixture of two real vectors (before normalising). */
    static final double NOISE = 0.2;
    private static final int MIN_RUN = 4;
    private static final int MAX_RUN = 15;
    private static final JsonFactory JSON = new JsonFactory();

    private final String[][] words;
    private final float[][] base;
    private final int[] baseSource;
    private final long seed;
    private final int dim;

    /**
     * @param sources the real documents (title + text are recombined), none of them blank
     * @param base encoded vectors of some of them, unit length
     * @param baseSource for each base vector, the index in {@code sources} of the document it encodes
     */
    ScaleCorpus(List<Document> sources, float[][] base, int[] baseSource, long seed) {
        if (base.length == 0 || base.length != baseSource.length) {
            throw new IllegalArgumentException("need at least one encoded source document");
        }
        this.words = new String[sources.size()][];
        for (int i = 0; i < words.length; i++) {
            words[i] = sources.get(i).indexableText().strip().split("\\s+");
            if (words[i][0].isEmpty()) {
                throw new IllegalArgumentException("source document " + sources.get(i).id + " has no text");
            }
        }
        this.base = base;
        this.baseSource = baseSource;
        this.seed = seed;
        this.dim = base[0].length;
    }

    int dimension() {
        return dim;
    }

    static String id(long i) {
        return "s" + i;
    }

    /** One random stream per document, independent of the order documents are generated in. */
    private SplittableRandom random(long i) {
        return new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L));
    }

    /** Document {@code i}'s vector (the same values {@link #json} sends). */
    float[] vector(long i) {
        float[] v = new float[dim];
        drawVector(random(i), v);
        return v;
    }

    /** Draws the primary, the other vector and the noise into {@code out}; returns the primary's base index. */
    private int drawVector(SplittableRandom r, float[] out) {
        int primary = r.nextInt(base.length);
        int other = r.nextInt(base.length);
        double sigma = NOISE / Math.sqrt(dim);
        double norm = 0;
        float[] p = base[primary];
        float[] o = base[other];
        double[] v = new double[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = 0.8 * p[d] + 0.2 * o[d] + sigma * gaussian(r);
            norm += v[d] * v[d];
        }
        norm = Math.sqrt(norm);
        for (int d = 0; d < dim; d++) {
            out[d] = (float) (Math.round(v[d] / norm * 1e6) / 1e6);
        }
        return primary;
    }

    /** Marsaglia polar method (SplittableRandom has no nextGaussian before Java 17's RandomGenerator default). */
    private static double gaussian(SplittableRandom r) {
        double u;
        double v;
        double s;
        do {
            u = 2 * r.nextDouble() - 1;
            v = 2 * r.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** Document {@code i} without its vector: what Lucene indexes for the BM25 comparison. */
    Document document(long i) {
        SplittableRandom r = random(i);
        int primary = drawVector(r, new float[dim]);
        return Document.upsert(id(i), null, text(r, baseSource[primary]), null);
    }

    /** Document {@code i} as a documents-topic record: {@code {"id", "text", "vector"}}. */
    byte[] json(long i) {
        SplittableRandom r = random(i);
        float[] v = new float[dim];
        String text = text(r, baseSource[drawVector(r, v)]);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length() + dim * 10 + 64);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("id", id(i));
            g.writeStringField("text", text);
            g.writeArrayFieldStart("vector");
            for (float x : v) {
                g.writeNumber(x);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private String text(SplittableRandom r, int primary) {
        int length = Math.max(1, words[primary].length);
        StringBuilder sb = new StringBuilder(length * 8);
        int n = 0;
        while (n < length) {
            String[] src = r.nextDouble() < PRIMARY_SHARE ? words[primary] : words[r.nextInt(words.length)];
            int run = MIN_RUN + r.nextInt(MAX_RUN - MIN_RUN + 1);
            int start = r.nextInt(Math.max(1, src.length - run + 1));
            for (int w = start; w < Math.min(src.length, start + run) && n < length; w++, n++) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(src[w]);
            }
        }
        return sb.toString();
    }

    /** Documents 0..n-1 (without vectors), generated as they are iterated. */
    Iterable<Document> documents(long n) {
        return () -> new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Document next() {
                if (next >= n) {
                    throw new NoSuchElementException();
                }
                return document(next++);
            }
        };
    }
}
