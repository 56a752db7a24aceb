package dev.streamretrieval.jobs.projection;

import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.operators.encoding.DenseEncoder;
import dev.streamretrieval.operators.encoding.DocumentEncoder;
import dev.streamretrieval.operators.encoding.ModelSpec;
import dev.streamretrieval.operators.encoding.NeuralOptions;
import dev.streamretrieval.operators.encoding.TokenEncoder;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A BEIR collection run once through the frozen encoder, as the job would encode it: per document its dense
 * vector and its token vectors (the token encoder's output before any projection: attended, punctuation skipped,
 * L2-normalised), and the same for every judged query. Training a projection and evaluating it read only these
 * arrays, so the encoder (the slow part: ~20–100 documents/s on two cores) runs once per collection and model;
 * the arrays are cached in a file keyed by the collection's files and the model's configuration.
 */
public final class EncodedCollection {
    final BeirCollection collection;
    final int dimension;
    final float[][] docDense;
    /** Token vectors of document d, flattened: token j's vector at {@code [j·dimension, (j+1)·dimension)}. */
    final float[][] docTokens;
    final float[][] queryDense;
    final float[][] queryTokens;

    private EncodedCollection(BeirCollection collection, int dimension, float[][] docDense, float[][] docTokens,
            float[][] queryDense, float[][] queryTokens) {
        this.collection = collection;
        this.dimension = dimension;
        this.docDense = docDense;
        this.docTokens = docTokens;
        this.queryDense = queryDense;
        this.queryTokens = queryTokens;
    }

    public String name() {
        return collection.name();
    }

    public BeirCollection collection() {
        return collection;
    }

    public int documentCount() {
        return docDense.length;
    }

    /** Token count of document d. */
    int tokens(int d) {
        return docTokens[d] == null ? 0 : docTokens[d].length / dimension;
    }

    /** Document d's token vectors as rows (views are not possible in Java: copies). */
    public float[][] documentRows(int d) {
        return rows(docTokens[d], dimension);
    }

    public float[][] queryRows(int q) {
        return rows(queryTokens[q], dimension);
    }

    static float[][] rows(float[] flat, int dimension) {
        float[][] out = new float[flat.length / dimension][];
        for (int t = 0; t < out.length; t++) {
            out[t] = java.util.Arrays.copyOfRange(flat, t * dimension, (t + 1) * dimension);
        }
        return out;
    }

    /**
     * The collection's encoding: read from {@code cacheDir} when an earlier run wrote it for the same files and
     * model configuration, else encoded now (progress on stderr) and written there.
     */
    public static EncodedCollection load(BeirCollection collection, Path folder, NeuralOptions neural,
            Path cacheDir, java.util.BitSet subset) {
        ModelSpec dense = neural.denseSpec();
        ModelSpec token = neural.tokenSpec();
        String key = cacheKey(folder, dense, token);
        Path all = cacheDir.resolve(collection.name() + "-" + key + ".bin");
        Path some = cacheDir.resolve(collection.name() + "-" + key + "-" + subsetKey(subset) + ".bin");
        for (Path cache : List.of(all, some)) { // an encoding of every document serves any subset
            if (Files.isRegularFile(cache)) {
                long t0 = System.nanoTime();
                EncodedCollection c = read(collection, cache);
                System.err.printf("%s: token states read from %s (%.1f s)%n", collection.name(), cache,
                        (System.nanoTime() - t0) / 1e9);
                return c;
            }
        }
        EncodedCollection c = encode(collection, neural, subset);
        write(c, subset.cardinality() == collection.documents().size() ? all : some);
        return c;
    }

    /**
     * The documents {@code train-projection} encodes (each judged query's BM25 top {@code poolDepth} and the training
     * queries' judged documents) and every judged query, so that its cache serves other tools as well.
     */
    public static EncodedCollection loadPooled(BeirCollection collection, Path folder,
            dev.streamretrieval.jobs.JobOptions o, Path cacheDir, int poolDepth, double validationFraction) {
        java.util.BitSet subset = QueryPools.bm25(collection, o, poolDepth).toEncode(collection, validationFraction);
        return load(collection, folder, o.neural, cacheDir, subset);
    }

    private static String subsetKey(java.util.BitSet subset) {
        return Integer.toHexString(java.util.Arrays.hashCode(subset.toLongArray()));
    }

    /** Whether document d was encoded (the encoder runs over a chosen subset of the collection). */
    public boolean encoded(int d) {
        return docDense[d] != null;
    }

    /** Runs the encoder over the documents in {@code subset} and every judged query. */
    static EncodedCollection encode(BeirCollection collection, NeuralOptions neural, java.util.BitSet subset) {
        List<Document> all = collection.documents();
        List<Integer> chosen = subset.stream().boxed().toList();
        List<Document> docs = chosen.stream().map(all::get).toList();
        List<Query> queries = collection.queries();
        long t0 = System.nanoTime();
        try (DenseEncoder dense = DenseEncoder.open(neural.denseSpec(), neural.intraOpThreads, neural.batchSize);
                TokenEncoder tokens = TokenEncoder.open(neural.tokenSpec(), neural.intraOpThreads, neural.batchSize)) {
            DocumentEncoder both = new DocumentEncoder(dense, tokens);
            int dimension = -1;
            float[][] docDense = new float[all.size()][];
            float[][] docTokens = new float[all.size()][];
            int chunk = 256;
            for (int from = 0; from < docs.size(); from += chunk) {
                List<String> texts = new ArrayList<>();
                for (Document d : docs.subList(from, Math.min(docs.size(), from + chunk))) {
                    texts.add(Document.indexableText(d.title, d.text));
                }
                DocumentEncoder.Encoded[] e = both.encode(texts, neural.batchSize);
                for (int i = 0; i < e.length; i++) {
                    docDense[chosen.get(from + i)] = e[i].dense();
                    docTokens[chosen.get(from + i)] = flatten(e[i].tokens());
                    dimension = e[i].dense().length;
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.err.printf("%s: encoded %d/%d documents (%.0f s, %.1f docs/s)%n", collection.name(),
                        from + e.length, docs.size(), s, (from + e.length) / s);
            }
            List<String> texts = queries.stream().map(q -> q.text).toList();
            float[][] queryDense = dense.encodeQueries(texts);
            float[][][] q = tokens.encodeQueries(texts);
            float[][] queryTokens = new float[q.length][];
            for (int i = 0; i < q.length; i++) {
                queryTokens[i] = flatten(q[i]);
            }
            return new EncodedCollection(collection, dimension, docDense, docTokens, queryDense, queryTokens);
        }
    }

    private static float[] flatten(float[][] rows) {
        int dim = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[rows.length * dim];
        for (int t = 0; t < rows.length; t++) {
            System.arraycopy(rows[t], 0, out, t * dim, dim);
        }
        return out;
    }

    /** Changes when the collection's files or the model configuration change. */
    private static String cacheKey(Path folder, ModelSpec dense, ModelSpec token) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String f : new String[] {"corpus.jsonl", "queries.jsonl", "qrels/test.tsv"}) {
                Path p = folder.resolve(f);
                d.update((f + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            d.update(SPEC_JSON.writeValueAsBytes(dense));
            d.update(SPEC_JSON.writeValueAsBytes(token));
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper SPEC_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private static final int MAGIC = 0x544f4b53; // "TOKS"

    /**
     * Layout: magic, dimension, counts, then each array as its length followed by little-endian floats (length −1:
     * a document outside the encoded subset).
     */
    private static void write(EncodedCollection c, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                head.putInt(MAGIC).putInt(c.dimension).putInt(c.docDense.length).putInt(c.queryDense.length).flip();
                ch.write(head);
                for (float[][] arrays : List.of(c.docDense, c.docTokens, c.queryDense, c.queryTokens)) {
                    for (float[] a : arrays) {
                        if (a == null) {
                            ByteBuffer none = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
                            none.flip();
                            ch.write(none);
                            continue;
                        }
                        ByteBuffer b = ByteBuffer.allocate(4 + 4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
                        b.putInt(a.length);
                        b.asFloatBuffer().put(a);
                        b.position(0);
                        while (b.hasRemaining()) {
                            ch.write(b);
                        }
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the token-state cache " + file, e);
        }
    }

    private static EncodedCollection read(BeirCollection collection, Path file) {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            int magic = Integer.reverseBytes(in.readInt());
            int dimension = Integer.reverseBytes(in.readInt());
            int docs = Integer.reverseBytes(in.readInt());
            int queries = Integer.reverseBytes(in.readInt());
            if (magic != MAGIC || docs != collection.documents().size() || queries != collection.queries().size()) {
                throw new IllegalStateException("token-state cache " + file + " does not match " + collection.name()
                        + "; delete it to re-encode");
            }
            float[][] docDense = readArrays(in, docs);
            float[][] docTokens = readArrays(in, docs);
            float[][] queryDense = readArrays(in, queries);
            float[][] queryTokens = readArrays(in, queries);
            return new EncodedCollection(collection, dimension, docDense, docTokens, queryDense, queryTokens);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token-state cache " + file, e);
        }
    }

    private static float[][] readArrays(DataInputStream in, int count) throws IOException {
        float[][] out = new float[count][];
        byte[] buf = new byte[0];
        for (int i = 0; i < count; i++) {
            int n = Integer.reverseBytes(in.readInt());
            if (n < 0) {
                continue;
            }
            if (buf.length < 4 * n) {
                buf = new byte[4 * n];
            }
            in.readFully(buf, 0, 4 * n);
            out[i] = new float[n];
            ByteBuffer.wrap(buf, 0, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out[i]);
        }
        return out;
    }

    /** For writing tests: an encoding built from arrays. */
    static EncodedCollection of(BeirCollection collection, int dimension, float[][] docDense, float[][] docTokens,
            float[][] queryDense, float[][] queryTokens) {
        return new EncodedCollection(collection, dimension, docDense, docTokens, queryDense, queryTokens);
    }
}
