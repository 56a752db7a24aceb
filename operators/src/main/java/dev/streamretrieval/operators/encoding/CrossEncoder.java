package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-encoder reranker: scores (query, passage) pairs with a Hugging Face sequence-classification export
 * ({@code [CLS] query [SEP] passage [SEP]}, token types 0/1, output {@code logits} [batch, labels]). The score is
 * {@code logits[label_index]}; pairs longer than {@code max_pair_tokens} lose passage tokens first.
 */
public final class CrossEncoder implements AutoCloseable {
    private final OnnxModel model;
    private final ModelSpec spec;
    private final int batchSize;

    private CrossEncoder(OnnxModel model, int batchSize) {
        this.model = model;
        this.spec = model.spec();
        this.batchSize = batchSize;
    }

    public static CrossEncoder open(ModelSpec spec, int intraOpThreads, int batchSize) {
        if (spec.modelRole() != ModelRole.CROSS_ENCODER) {
            throw new IllegalArgumentException(spec + " is not a cross-encoder");
        }
        return new CrossEncoder(OnnxModel.acquire(spec, intraOpThreads, 2), batchSize);
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The tokenised pair as the model sees it (exposed for tests of truncation). */
    public TokenizedText tokenizePair(String query, String passage) {
        return model.tokenizer().encodePair(query, passage, spec.maxPairTokens);
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
        model.close();
    }
}
