package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.KeyValueState;
import dev.streamretrieval.operators.vectors.TokenCodec;

/** The token vectors (ColBERT-style, encoded by the job's {@link TokenCodec}) of a shard's documents, by ordinal. */
public final class TokenVectorStore {
    private final KeyValueState<Long, byte[]> vectors;

    public TokenVectorStore(KeyValueState<Long, byte[]> vectors) {
        this.vectors = vectors;
    }

    public void add(long ordinal, byte[] tokens, ShardCounters c) {
        vectors.put(ordinal, tokens);
        c.tokenBytes += tokens.length;
        c.tokenCount += TokenCodec.tokenCount(tokens);
    }

    public void remove(long ordinal, ShardCounters c) {
        byte[] tokens = vectors.get(ordinal);
        if (tokens != null) {
            vectors.remove(ordinal);
            c.tokenBytes -= tokens.length;
            c.tokenCount -= TokenCodec.tokenCount(tokens);
        }
    }

    /** The encoded token vectors of an ordinal, or null. */
    public byte[] get(long ordinal) {
        return vectors.get(ordinal);
    }
}
