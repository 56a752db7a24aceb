package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.encoding.tokenizer.ModelTokenizer;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-encoder reranker: scores (query, passage) pairs with a Hugging Face sequence-classification export
 * (the tokenizer's pair template, e.g. BERT's {@code [CLS] query [SEP] passage [SEP]} with token types 0/1 or
 * XLM-R's {@code <s> query </s></s> passage </s>}; output {@code logits} [batch, labels]). The score is
 * {@code logits[label_index]}; pairs longer than {@code max_pair_tokens} are truncated longest-first (the
 * passage, being the longer, loses tokens first), on the model's truncation side.
 */
public final class CrossEncoder implements AutoCloseable {
    private final OnnxModel model;
    private final ModelSpec spec;
    private final int batchSize;
    /** This encoder's own (one operator subtask's); closed with it. */
    private final ModelTokenizer pairTokenizer;

    private CrossEncoder(OnnxModel model, int batchSize) {
        this.model = model;
        this.spec = model.spec();
        this.batchSize = batchSize;
        this.pairTokenizer = ModelTokenizer.open(model.tokenizerFile(), spec.maxPairTokens);
    }

    public static CrossEncoder open(ModelSpec spec, int intraOpThreads, int batchSize) {
        if (spec.modelRole() != ModelRole.CROSS_ENCODER) {
            throw new IllegalArgumentException(spec + " is not a cross-encoder");
        }
        OnnxModel model = OnnxModel.acquire(spec, intraOpThreads, 2);
        try {
            return new CrossEncoder(model, batchSize);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The tokenised pair as the model sees it (exposed for tests of truncation). */
    public TokenizedText tokenizePair(String query, String passage) {
        return pairTokenizer.encodePair(query, passage);
    }

    /** One score per passage, in the passages' order. */
    public float[] score(String query, List<String> passages) {
        List<TokenizedText> pairs = new ArrayList<>(passages.size());
        for (String p : passages) {
            pairs.add(tokenizePair(query, p));
        }
        float[][][] logits = model.runSorted(pairs, batchSize);
        float[] scores = new float[passages.size()];
        for (int i = 0; i < scores.length; i++) {
            float[] row = logits[i][0];
            if (spec.labelIndex < 0 || spec.labelIndex >= row.length) {
                throw new IllegalArgumentException(spec + ": label_index " + spec.labelIndex + " but the model has "
                        + row.length + " logits");
            }
            scores[i] = row[spec.labelIndex];
        }
        return scores;
    }

    @Override
    public void close() {
        pairTokenizer.close();
        model.close();
    }
}
