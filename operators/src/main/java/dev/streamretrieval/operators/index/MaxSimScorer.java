package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.vectors.TokenCodec;

/** Late-interaction (ColBERT MaxSim) scores of chosen documents against the query's token vectors. */
public final class MaxSimScorer {
    private final TokenVectorStore vectors;
    /** The store of a residual codec (null for the plain codecs, whose documents {@link #vectors} holds). */
    private final ResidualTokenStore residual;
    private final TokenCodec codec;

    public MaxSimScorer(TokenVectorStore vectors, ResidualTokenStore residual, TokenCodec codec) {
        this.vectors = vectors;
        this.residual = residual;
        this.codec = codec;
    }

    /** MaxSim of the document against the prepared query; NaN when the document has no token vectors. */
    public float score(int shard, TokenCodec.PreparedQuery query, long ordinal) {
        if (residual != null) {
            return residual.maxSim(shard, query, ordinal);
        }
        byte[] doc = vectors.get(ordinal);
        return doc == null ? Float.NaN : codec.maxSim(query, doc);
    }
}
