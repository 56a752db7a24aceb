package dev.streamretrieval.jobs.cluster;

import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.analysis.TermVector;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.schemas.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic synthetic documents and queries for the cluster tests: a vocabulary of pronounceable words with
 * Zipf-like frequencies, so queries match many documents at different scores. Every document also contains
 * {@link #EVERYWHERE}, so one query can retrieve them all. Also computes what the index should hold.
 */
final class SyntheticCorpus {
    /** A word in every document. */
    static final String EVERYWHERE = "omnipresent";

    private static final String[] ONSETS = {"b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
        "br", "cl", "dr", "gr", "pl", "st", "tr"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ou"};
    private static final String[] CODAS = {"", "n", "r", "s", "l", "x", "m"};

    private final List<String> vocabulary = new ArrayList<>();
    private final double[] cumulative;
    private final long seed;

    SyntheticCorpus(long seed, int vocabularySize) {
        this.seed = seed;
        Random r = new Random(seed);
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        while (seen.size() < vocabularySize) {
            StringBuilder w = new StringBuilder();
            int syllables = 2 + r.nextInt(2);
            for (int s = 0; s < syllables; s++) {
                w.append(ONSETS[r.nextInt(ONSETS.length)]).append(VOWELS[r.nextInt(VOWELS.length)]);
            }
            w.append(CODAS[r.nextInt(CODAS.length)]);
            seen.add(w.toString());
        }
        vocabulary.addAll(seen);
        cumulative = new double[vocabularySize];
        double sum = 0;
        for (int i = 0; i < vocabularySize; i++) {
            sum += 1.0 / Math.pow(i + 1, 0.9);
            cumulative[i] = sum;
        }
        for (int i = 0; i < vocabularySize; i++) {
            cumulative[i] /= sum;
        }
    }

    private String word(Random r) {
        int i = java.util.Arrays.binarySearch(cumulative, r.nextDouble());
        return vocabulary.get(Math.min(vocabulary.size() - 1, i < 0 ? -i - 1 : i));
    }

    private String words(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(word(r));
        }
        return sb.toString();
    }

    /** Document {@code i} (id {@code d-00042}), the same for the same seed. */
    Document document(int i) {
        Random r = new Random(seed * 31 + i);
        String title = words(r, 2 + r.nextInt(4));
        String text = words(r, 15 + r.nextInt(50)) + " " + EVERYWHERE + " " + words(r, 3);
        return Document.upsert(String.format("d-%05d", i), title, text, null);
    }

    /** Version {@code version} of document {@code i}: other words under the same id. */
    Document document(int i, long version) {
        Random r = new Random(seed * 31 + i * 1_000_003L + version);
        String title = words(r, 2 + r.nextInt(4));
        String text = words(r, 15 + r.nextInt(50)) + " " + EVERYWHERE;
        return Document.upsert(String.format("d-%05d", i), title, text, version);
    }

    /** Query text {@code i}: 2 to 4 words, mostly from the middle of the frequency range. */
    String queryText(int i) {
        Random r = new Random(seed * 17 + 1_000_000 + i);
        int n = 2 + r.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                sb.append(' ');
            }
            sb.append(r.nextInt(3) == 0 ? word(r) : vocabulary.get(20 + r.nextInt(Math.max(1, vocabulary.size() / 3))));
        }
        return sb.toString();
    }

    /** What the index must hold for a set of documents: postings (distinct terms per document) and total length. */
    static long[] expectedPostingsAndLength(List<Document> docs) {
        TextAnalyzer analyzer = new TextAnalyzer(new AnalyzerOptions());
        long postings = 0;
        long length = 0;
        for (Document d : docs) {
            TermVector tv = analyzer.termVector(d.indexableText());
            postings += tv.terms.length;
            length += tv.length;
        }
        return new long[] {postings, length};
    }
}
