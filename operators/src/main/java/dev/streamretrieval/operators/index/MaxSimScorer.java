package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.vectors.TokenCodec;

/** Late-interaction (ColBERT MaxSim) scores of chosen documents against the query's token vectors. */
public final class MaxSimScorer {
    private final TokenVectorStore vectors;
    private final TokenCodec codec;

    public MaxSimScorer(TokenVectorStore vectors, TokenCodec codec) {
        this.vectors = vectors;
        this.codec = codec;
    }

    /** MaxSim of the document against the prepared query; NaN when the document has no token vectors. */
    public float score(TokenCodec.PreparedQuery query, long ordinal) {
        byte[] doc = vectors.get(ordinal);
        return doc == null ? Float.NaN : codec.maxSim(query, doc);
    }
}
