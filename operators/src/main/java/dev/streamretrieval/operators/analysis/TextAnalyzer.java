package dev.streamretrieval.operators.analysis;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Lucene text analysis shared by documents, queries and the in-process Lucene baseline, so that all three see
 * exactly the same terms. Serializable by its options; the Lucene analyzer is built lazily per JVM.
 */
public class TextAnalyzer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The field name used by the Lucene baseline; analysis does not depend on it. */
    public static final String FIELD = "contents";

    private final AnalyzerOptions options;
    private transient Analyzer analyzer;

    public TextAnalyzer(AnalyzerOptions options) {
        options.validate();
        this.options = options;
    }

    public AnalyzerOptions options() {
        return options;
    }

    /** The Lucene analyzer these options describe (also used to build the baseline index). */
    public Analyzer luceneAnalyzer() {
        if (analyzer == null) {
            analyzer = build(options);
        }
        return analyzer;
    }

    private static Analyzer build(AnalyzerOptions options) {
        CharArraySet stop = options.stopwords.equals("english") ? EnglishAnalyzer.ENGLISH_STOP_WORDS_SET : CharArraySet.EMPTY_SET;
        String stemmer = options.stemmer;
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer source = new StandardTokenizer();
                TokenStream result = new EnglishPossessiveFilter(source);
                result = new LowerCaseFilter(result);
                result = new StopFilter(result, stop);
                if (stemmer.equals("porter")) {
                    result = new PorterStemFilter(result);
                } else if (stemmer.equals("kstem")) {
                    result = new KStemFilter(result);
                }
                return new TokenStreamComponents(source, result);
            }

            @Override
            protected TokenStream normalize(String fieldName, TokenStream in) {
                return new LowerCaseFilter(in);
            }
        };
    }

    /** The analysed tokens of {@code text}, in order, repeats kept. */
    public List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = luceneAnalyzer().tokenStream(FIELD, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException("analysis of in-memory text failed", e);
        }
        return out;
    }

    /** The term-frequency vector of {@code text}: distinct terms in sorted order with their counts. */
    public TermVector termVector(String text) {
        TreeMap<String, Integer> counts = new TreeMap<>();
        List<String> tokens = tokens(text);
        for (String t : tokens) {
            counts.merge(t, 1, Integer::sum);
        }
        String[] terms = new String[counts.size()];
        int[] freqs = new int[counts.size()];
        int i = 0;
        for (var e : counts.entrySet()) {
            terms[i] = e.getKey();
            freqs[i] = e.getValue();
            i++;
        }
        return new TermVector(terms, freqs, tokens.size());
    }
}
