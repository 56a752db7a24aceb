package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.streamretrieval.operators.index.state.HeapKeyValueState;
import dev.streamretrieval.operators.vectors.MaxSimWorkload;
import dev.streamretrieval.operators.vectors.ResidualCodebook;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualTokenStoreTest {
    private static final int DIM = 32;
    private static final int SHARD = 3;

    private final HeapKeyValueState<Long, byte[]> vectors = new HeapKeyValueState<>();
    private final HeapKeyValueState<Integer, byte[]> codebooks = new HeapKeyValueState<>();
    private final HeapKeyValueState<Long, byte[]> lists = new HeapKeyValueState<>();
    private final HeapKeyValueState<Long, byte[]> entries = new HeapKeyValueState<>();

    private static float[][] doc(Random r, int tokens) {
        return MaxSimWorkload.randomUnitVectors(r, tokens, DIM);
    }

    private long storedBytes(long ordinals) {
        long sum = 0;
        for (long o = 0; o < ordinals; o++) {
            byte[] b = vectors.get(o);
            sum += b == null ? 0 : b.length;
        }
        return sum;
    }

    @Test
    void storesFloat16UntilTrainedThenCompressesEveryDocument() {
        ResidualTokenStore store = new ResidualTokenStore(vectors, new ResidualStorage(codebooks, lists, entries), 2, 500);
        ShardCounters c = new ShardCounters();
        Random r = new Random(1);
        float[][][] docs = new float[12][][];
        for (int o = 0; o < 5; o++) { // 5 × 60 = 300 tokens: below the 500 training tokens
            docs[o] = doc(r, 60);
            store.add(SHARD, o, TokenCodec.FLOAT16.encode(docs[o]), c);
        }
        assertThat(store.codebook(SHARD)).isNull();
        assertThat(ResidualCodebook.isResidual(store.get(0))).isFalse();
        float[][] q = doc(r, 4);
        TokenCodec.PreparedQuery pq = TokenCodec.prepare(q);
        assertThat(store.maxSim(SHARD, pq, 2))
                .isEqualTo(TokenCodec.FLOAT16.maxSim(pq, TokenCodec.FLOAT16.encode(docs[2])));
        store.remove(SHARD, 4, c); // a pending document deleted before training leaves the training set
        assertThat(c.tokenCount).isEqualTo(240);
        for (int o = 5; o < 12; o++) { // document 9 brings the pending tokens to 240 + 5 × 60 = 540 ≥ 500
            docs[o] = doc(r, 60);
            store.add(SHARD, o, TokenCodec.FLOAT16.encode(docs[o]), c);
        }
        ResidualCodebook cb = store.codebook(SHARD);
        assertThat(cb).isNotNull();
        assertThat(cb.centroids()).isEqualTo(ResidualCodebook.centroidCount(540));
        assertThat(codebooks.get(ResidualTokenStore.PENDING_KEY)).isNull();
        for (long o : new long[] {0, 1, 2, 3, 5, 9, 10, 11}) {
            assertThat(ResidualCodebook.isResidual(store.get(o))).as("ordinal %d", o).isTrue();
            assertThat(store.get(o)).hasSize(8 + 60 * TokenCodec.RESIDUAL2.bytesPerToken(DIM));
        }
        assertThat(store.get(4)).isNull();
        assertThat(c.tokenCount).isEqualTo(11 * 60);
        assertThat(c.tokenBytes).isEqualTo(storedBytes(12));
        // MaxSim now runs on the decompressed residuals
        assertThat(store.maxSim(SHARD, pq, 2)).isEqualTo(cb.maxSim(pq, store.get(2)));
        assertThat(store.maxSim(SHARD, pq, 4)).isNaN();
        store.remove(SHARD, 10, c);
        assertThat(c.tokenBytes).isEqualTo(storedBytes(12));
        assertThat(c.tokenCount).isEqualTo(10 * 60);
    }

    /** A restored shard (a new store over the same state) loads the codebook and compresses exactly as before. */
    @Test
    void aRestoredShardKeepsItsCodebook() {
        ResidualTokenStore before = new ResidualTokenStore(vectors, new ResidualStorage(codebooks, lists, entries), 1, 200);
        ShardCounters c = new ShardCounters();
        Random r = new Random(2);
        for (int o = 0; o < 5; o++) {
            before.add(SHARD, o, TokenCodec.FLOAT16.encode(doc(r, 50)), c);
        }
        float[][] next = doc(r, 30);
        ResidualTokenStore restored = new ResidualTokenStore(vectors, new ResidualStorage(codebooks, lists, entries), 1, 200);
        restored.add(SHARD, 5, TokenCodec.FLOAT16.encode(next), c);
        assertThat(restored.get(5)).isEqualTo(before.codebook(SHARD).encode(
                TokenCodec.FLOAT16.decode(TokenCodec.FLOAT16.encode(next))));
        TokenCodec.PreparedQuery pq = TokenCodec.prepare(doc(r, 3));
        assertThat(restored.maxSim(SHARD, pq, 1)).isCloseTo(before.maxSim(SHARD, pq, 1), offset(0f));
    }
}
