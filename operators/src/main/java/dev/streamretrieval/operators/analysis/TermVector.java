package dev.streamretrieval.operators.analysis;

/**
 * Distinct analysed terms of one text with their frequencies, and the text's length in tokens (the BM25 field
 * length: every token the analyzer emitted, so stop words removed by the analyzer do not count, as in Lucene).
 */
public class TermVector {
    /** Distinct terms in ascending order. */
    public String[] terms;
    /** Frequency of {@code terms[i]} in the text. */
    public int[] freqs;
    /** Number of tokens. */
    public int length;

    public TermVector() {}

    public TermVector(String[] terms, int[] freqs, int length) {
        this.terms = terms;
        this.freqs = freqs;
        this.length = length;
    }
}
