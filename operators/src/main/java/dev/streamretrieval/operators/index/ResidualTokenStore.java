package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.KeyValueState;
import dev.streamretrieval.operators.vectors.ResidualCodebook;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token vectors of a shard's documents under a residual codec ({@code --token-codec residual2|residual1}): each
 * shard trains its own {@link ResidualCodebook} from its first token vectors and stores every later document
 * compressed against it.
 *
 * <p><b>Life of a shard.</b> Documents arrive with float16 token vectors (the residual codecs' wire form). Until the
 * shard has seen {@code trainTokens} token vectors (default {@value #DEFAULT_TRAIN_TOKENS}) they are stored as
 * float16 and their ordinals listed as pending; MaxSim scores them as float16. The document that brings the pending
 * tokens to {@code trainTokens} trains the codebook on all pending tokens (k-means, quantile buckets, a fixed seed),
 * and every pending document is re-encoded in the residual layout, all within that one record: a query sees either
 * the float16 vectors or the residual ones, never a mixture of codebooks. Later documents are compressed on
 * arrival. Training costs about {@code trainTokens · k · dim · iterations} multiply-adds (k = 1024 at the default:
 * about 2·10¹⁰ at 384 dimensions, a few seconds once per shard).
 *
 * <p><b>State</b> ({@code token-codebook}, per shard key): {@link #CODEBOOK_KEY} → the serialised codebook,
 * {@link #PENDING_KEY} → the pending ordinals and their token count while untrained. Both are keyed state, so
 * checkpoints carry them and a restored or rescaled shard keeps its codebook and goes on compressing with it.
 * The codebook is cached on the heap per shard (this class serves every shard key of an operator instance; it is
 * the only writer of the state, so the cache stays equal to it) and loaded on first use, e.g. after a restore.
 */
public final class ResidualTokenStore {
    public static final int DEFAULT_TRAIN_TOKENS = 8192;
    static final int CODEBOOK_KEY = 0;
    static final int PENDING_KEY = 1;
    private static final long SEED = 0xc01beL;

    private final KeyValueState<Long, byte[]> vectors;
    private final KeyValueState<Integer, byte[]> codebooks;
    private final int bits;
    private final int trainTokens;
    private final Map<Integer, ResidualCodebook> cache = new HashMap<>();

    public ResidualTokenStore(KeyValueState<Long, byte[]> vectors, KeyValueState<Integer, byte[]> codebooks,
            int bits, int trainTokens) {
        if (trainTokens < 2) {
            throw new IllegalArgumentException("a residual codebook needs at least 2 training tokens");
        }
        this.vectors = vectors;
        this.codebooks = codebooks;
        this.bits = bits;
        this.trainTokens = trainTokens;
    }

    /** The shard's codebook, or null while it is still collecting its training tokens. */
    public ResidualCodebook codebook(int shard) {
        ResidualCodebook cb = cache.get(shard);
        if (cb == null) {
            byte[] stored = codebooks.get(CODEBOOK_KEY);
            if (stored != null) {
                cb = ResidualCodebook.fromBytes(stored);
                cache.put(shard, cb);
            }
        }
        return cb;
    }

    /** Stores a document's token vectors (float16 bytes), compressed when the shard has its codebook. */
    public void add(int shard, long ordinal, byte[] float16Tokens, ShardCounters c) {
        ResidualCodebook cb = codebook(shard);
        int tokens = TokenCodec.tokenCount(float16Tokens);
        c.tokenCount += tokens;
        if (cb != null) {
            put(ordinal, cb.encode(TokenCodec.FLOAT16.decode(float16Tokens)), c);
            return;
        }
        put(ordinal, float16Tokens, c);
        Pending p = pending();
        p.ordinals.add(ordinal);
        p.tokens += tokens;
        if (p.tokens >= trainTokens) {
            train(shard, p, c);
        } else {
            codebooks.put(PENDING_KEY, p.toBytes());
        }
    }

    public void remove(long ordinal, ShardCounters c) {
        byte[] stored = vectors.get(ordinal);
        if (stored == null) {
            return;
        }
        vectors.remove(ordinal);
        c.tokenBytes -= stored.length;
        int tokens = TokenCodec.tokenCount(stored);
        c.tokenCount -= tokens;
        if (!ResidualCodebook.isResidual(stored)) {
            Pending p = pending();
            if (p.ordinals.remove(ordinal)) {
                p.tokens -= tokens;
                codebooks.put(PENDING_KEY, p.toBytes());
            }
        }
    }

    /** MaxSim of a stored document against the prepared query; NaN when the document has no token vectors. */
    public float maxSim(int shard, TokenCodec.PreparedQuery q, long ordinal) {
        byte[] stored = vectors.get(ordinal);
        if (stored == null) {
            return Float.NaN;
        }
        return ResidualCodebook.isResidual(stored) ? codebook(shard).maxSim(q, stored)
                : TokenCodec.FLOAT16.maxSim(q, stored);
    }

    /** The stored bytes of an ordinal (residual layout once trained, float16 before), or null. */
    public byte[] get(long ordinal) {
        return vectors.get(ordinal);
    }

    private void put(long ordinal, byte[] bytes, ShardCounters c) {
        vectors.put(ordinal, bytes);
        c.tokenBytes += bytes.length;
    }

    /** Trains the shard's codebook on every pending document's tokens and re-encodes those documents. */
    private void train(int shard, Pending p, ShardCounters c) {
        List<float[][]> docs = new ArrayList<>();
        List<float[]> sample = new ArrayList<>();
        for (long ordinal : p.ordinals) {
            float[][] t = TokenCodec.FLOAT16.decode(vectors.get(ordinal));
            docs.add(t);
            sample.addAll(Arrays.asList(t));
        }
        ResidualCodebook cb = ResidualCodebook.train(sample.toArray(new float[0][]), bits, SEED);
        for (int i = 0; i < docs.size(); i++) {
            long ordinal = p.ordinals.get(i);
            c.tokenBytes -= vectors.get(ordinal).length;
            put(ordinal, cb.encode(docs.get(i)), c);
        }
        codebooks.put(CODEBOOK_KEY, cb.toBytes());
        codebooks.remove(PENDING_KEY);
        cache.put(shard, cb);
    }

    private Pending pending() {
        byte[] stored = codebooks.get(PENDING_KEY);
        Pending p = new Pending();
        if (stored != null) {
            ByteBuffer b = ByteBuffer.wrap(stored);
            p.tokens = b.getLong();
            while (b.hasRemaining()) {
                p.ordinals.add(b.getLong());
            }
        }
        return p;
    }

    /** The documents stored as float16 while the shard collects its training tokens, and their token count. */
    private static final class Pending {
        final List<Long> ordinals = new ArrayList<>();
        long tokens;

        byte[] toBytes() {
            ByteBuffer b = ByteBuffer.allocate(8 + 8 * ordinals.size()).putLong(tokens);
            ordinals.forEach(b::putLong);
            return b.array();
        }
    }
}
