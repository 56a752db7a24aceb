package dev.streamretrieval.operators.analysis;

import java.io.Serializable;

/**
 * How text is turned into index terms. The same options must be used for documents and queries; the job
 * builds both sides from one instance. Defaults follow Anserini's English analyzer: standard tokenizer,
 * possessive removal, lowercasing, Lucene's English stop words, Porter stemming.
 */
public class AnalyzerOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Stemmer: {@code porter} (default), {@code kstem} or {@code none}. */
    public String stemmer = "porter";

    /** Stop words: {@code english} (Lucene's 33-word list, default) or {@code none}. */
    public String stopwords = "english";

    public AnalyzerOptions() {}

    public AnalyzerOptions(String stemmer, String stopwords) {
        this.stemmer = stemmer;
        this.stopwords = stopwords;
    }

    /** Fails with the accepted values when an option is not one we know. */
    public void validate() {
        if (!stemmer.equals("porter") && !stemmer.equals("kstem") && !stemmer.equals("none")) {
            throw new IllegalArgumentException("analyzer stemmer '" + stemmer + "' is not one of porter, kstem, none");
        }
        if (!stopwords.equals("english") && !stopwords.equals("none")) {
            throw new IllegalArgumentException("analyzer stopwords '" + stopwords + "' is not one of english, none");
        }
    }

    @Override
    public String toString() {
        return "stemmer=" + stemmer + ", stopwords=" + stopwords;
    }
}
