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
 * compressed against it, listed in the {@link CentroidLists} of its tokens' centroids (the colbert mode's index).
 *
 * <p><b>Life of a shard.</b> Documents arrive with float16 token vectors (the residual codecs' wire form). Until the
 * shard has seen {@code trainTokens} token vectors (default {@value #DEFAULT_TRAIN_TOKENS}) they are stored as
 * float16 and their ordinals listed as pending; MaxSim scores them as float16 (and the colbert mode scores every
 * pending document exactly). The document that brings the pending tokens to {@code trainTokens} trains the codebook
 * on all pending tokens (k-means, quantile buckets, a fixed seed), and every pending document is re-encoded in the
 * residual layout and listed, all within that one record: a query sees either the float16 vectors or the residual
 * ones, never a mixture of codebooks. Later documents are compressed on arrival. Training costs about
 * {@code trainTokens · k · dim · iterations} multiply-adds (k = 1024 at the default: about 2·10¹⁰ at 384
 * dimensions, seconds, once per shard).
 *
 * <p><b>Drift.</b> Every compressed document adds its quantisation error ({@link ResidualCodebook#error}) to a
 * window. When the window holds {@code trainTokens} tokens its mean is compared with the codebook's held-out error:
 * above {@value #DRIFT_RATIO}× (the new documents lie where the centroids are not: their codes lose half as much
 * again as the tokens the centroids were trained for), the shard re-trains ({@link #retrain}); otherwise the window
 * starts again. The window keeps its documents' float16 vectors (trainTokens tokens' worth, dropped with the
 * window). A re-train learns new centroids from the window's documents as they arrived plus the decompressed
 * vectors of the shard's most recent other documents (up to 2 · trainTokens tokens in all; as many centroids as the
 * first training, so lists keep their size), re-encodes every
 * document (the window's from their originals, the others decompressed and re-compressed once more) and rebuilds
 * the lists within one record, so queries before it see the old index
 * and queries after it the new one, and none is lost or sees a half-built one. It stalls the shard for about
 * N · tokens · k · dim multiply-adds.
 *
 * <p><b>State</b> ({@link ResidualStorage}, per shard key): {@link #CODEBOOK_KEY} → the serialised codebook,
 * {@link #PENDING_KEY} → the pending ordinals and their token count while untrained, {@link #WINDOW_KEY} → the drift
 * window. All are keyed state, so checkpoints carry them and a restored or rescaled shard keeps its codebook and
 * lists. The codebook is cached on the heap per shard (this class serves every shard key of an operator instance;
 * it is the only writer of the state, so the cache stays equal to it) and loaded on first use, e.g. after a restore.
 */
public final class ResidualTokenStore {
    public static final int DEFAULT_TRAIN_TOKENS = 8192;
    /** A drift window whose mean quantisation error exceeds the held-out error by this factor triggers a re-train. */
    public static final double DRIFT_RATIO = 1.5;
    static final int CODEBOOK_KEY = 0;
    static final int PENDING_KEY = 1;
    static final int WINDOW_KEY = 2;
    /** Keys {@code WINDOW_DOCS_KEY + i}: the i-th document of the drift window, its ordinal and float16 vectors. */
    static final int WINDOW_DOCS_KEY = 16;
    private static final long SEED = 0xc01beL;

    private final KeyValueState<Long, byte[]> vectors;
    private final KeyValueState<Integer, byte[]> codebooks;
    private final CentroidLists lists;
    private final int bits;
    private final int trainTokens;
    private final Map<Integer, ResidualCodebook> cache = new HashMap<>();

    public ResidualTokenStore(KeyValueState<Long, byte[]> vectors, ResidualStorage storage, int bits,
            int trainTokens) {
        if (trainTokens < 2) {
            throw new IllegalArgumentException("a residual codebook needs at least 2 training tokens");
        }
        this.vectors = vectors;
        this.codebooks = storage.codebook();
        this.lists = new CentroidLists(storage.lists(), storage.entries());
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

    public CentroidLists lists() {
        return lists;
    }

    /** Stores a document's token vectors (float16 bytes), compressed when the shard has its codebook. */
    public void add(int shard, long ordinal, byte[] float16Tokens, ShardCounters c) {
        ResidualCodebook cb = codebook(shard);
        int tokens = TokenCodec.tokenCount(float16Tokens);
        c.tokenCount += tokens;
        if (cb != null) {
            float[][] x = TokenCodec.FLOAT16.decode(float16Tokens);
            byte[] encoded = cb.encode(x);
            put(shard, ordinal, encoded, cb, c);
            if (tokens > 0) {
                watchDrift(shard, ordinal, float16Tokens, cb, x, encoded, c);
            }
            return;
        }
        put(shard, ordinal, float16Tokens, null, c);
        Pending p = pending();
        p.ordinals.add(ordinal);
        p.tokens += tokens;
        if (p.tokens >= trainTokens) {
            train(shard, p, c);
        } else {
            codebooks.put(PENDING_KEY, p.toBytes());
        }
    }

    public void remove(int shard, long ordinal, ShardCounters c) {
        byte[] stored = vectors.get(ordinal);
        if (stored == null) {
            return;
        }
        vectors.remove(ordinal);
        c.tokenBytes -= stored.length;
        int tokens = TokenCodec.tokenCount(stored);
        c.tokenCount -= tokens;
        if (ResidualCodebook.isResidual(stored)) {
            lists.remove(shard, ordinal);
        } else {
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

    /** The documents still stored as float16 (before the shard's codebook is trained). */
    public long[] pendingOrdinals() {
        return pending().ordinals.stream().mapToLong(Long::longValue).toArray();
    }

    private void put(int shard, long ordinal, byte[] bytes, ResidualCodebook cb, ShardCounters c) {
        vectors.put(ordinal, bytes);
        c.tokenBytes += bytes.length;
        if (cb != null) {
            lists.add(shard, ordinal, cb.centroidIds(bytes));
        }
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
        install(shard, cb);
        for (int i = 0; i < docs.size(); i++) {
            long ordinal = p.ordinals.get(i);
            c.tokenBytes -= vectors.get(ordinal).length;
            put(shard, ordinal, cb.encode(docs.get(i)), cb, c);
        }
        codebooks.remove(PENDING_KEY);
    }

    private void install(int shard, ResidualCodebook cb) {
        codebooks.put(CODEBOOK_KEY, cb.toBytes());
        clearWindow();
        cache.put(shard, cb);
    }

    private int windowDocs() {
        byte[] stored = codebooks.get(WINDOW_KEY);
        return stored == null ? 0 : ByteBuffer.wrap(stored).getInt(16);
    }

    private void clearWindow() {
        int docs = windowDocs();
        for (int i = 0; i < docs; i++) {
            codebooks.remove(WINDOW_DOCS_KEY + i);
        }
        codebooks.remove(WINDOW_KEY);
    }

    /** The drift window's documents as they arrived: ordinal → float16 vectors (deleted ones left out). */
    private Map<Long, float[][]> windowOriginals() {
        Map<Long, float[][]> out = new java.util.LinkedHashMap<>();
        int docs = windowDocs();
        for (int i = 0; i < docs; i++) {
            byte[] entry = codebooks.get(WINDOW_DOCS_KEY + i);
            long ordinal = ByteBuffer.wrap(entry).getLong();
            if (vectors.get(ordinal) != null) {
                out.put(ordinal, TokenCodec.FLOAT16.decode(Arrays.copyOfRange(entry, 8, entry.length)));
            }
        }
        return out;
    }

    /**
     * Adds a compressed document's error to the drift window, and keeps its float16 vectors there (so that a
     * re-train learns from the drifted documents as they arrived, not from their lossy codes); re-trains when the
     * full window has drifted, else starts a new window.
     */
    private void watchDrift(int shard, long ordinal, byte[] float16Tokens, ResidualCodebook cb, float[][] tokens,
            byte[] encoded, ShardCounters c) {
        byte[] stored = codebooks.get(WINDOW_KEY);
        ByteBuffer w = stored == null ? ByteBuffer.allocate(20) : ByteBuffer.wrap(stored);
        long n = w.getLong(0) + tokens.length;
        double errorSum = w.getDouble(8) + (double) cb.error(tokens, encoded) * tokens.length;
        int docs = w.getInt(16);
        codebooks.put(WINDOW_DOCS_KEY + docs, ByteBuffer.allocate(8 + float16Tokens.length).putLong(ordinal)
                .put(float16Tokens).array());
        codebooks.put(WINDOW_KEY, ByteBuffer.allocate(20).putLong(n).putDouble(errorSum).putInt(docs + 1).array());
        if (n < trainTokens) {
            return;
        }
        if (errorSum / n > DRIFT_RATIO * cb.heldOutError()) {
            retrain(shard, c);
        } else {
            clearWindow();
        }
    }

    /**
     * Learns new centroids from the decompressed tokens of the most recent documents (at least trainTokens tokens,
     * or all), re-encodes every document and rebuilds the lists (see the class comment). A shard without a codebook
     * is left as it is.
     */
    public void retrain(int shard, ShardCounters c) {
        ResidualCodebook old = codebook(shard);
        if (old == null) {
            return;
        }
        long[] ordinals = lists.allOrdinals(shard);
        Map<Long, float[][]> originals = windowOriginals();
        List<float[]> sample = new ArrayList<>();
        originals.values().forEach(t -> sample.addAll(Arrays.asList(t)));
        // then the most recent other documents, decompressed, so that the new centroids still cover them
        for (int i = ordinals.length - 1; i >= 0 && sample.size() < 2 * trainTokens; i--) {
            if (!originals.containsKey(ordinals[i])) {
                sample.addAll(Arrays.asList(old.decode(vectors.get(ordinals[i]))));
            }
        }
        if (sample.size() < 2) {
            return;
        }
        ResidualCodebook cb = ResidualCodebook.train(sample.toArray(new float[0][]), bits,
                ResidualCodebook.centroidCount(trainTokens), SEED + ordinals.length);
        // (a seed from the state, not from this instance: a restored job re-trains exactly as the original would)
        lists.clear(shard, ordinals);
        install(shard, cb);
        for (long ordinal : ordinals) {
            byte[] before = vectors.get(ordinal);
            c.tokenBytes -= before.length;
            float[][] x = originals.containsKey(ordinal) ? originals.get(ordinal) : old.decode(before);
            put(shard, ordinal, cb.encode(x), cb, c);
        }
        c.tokenCodebookRetrains++;
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
