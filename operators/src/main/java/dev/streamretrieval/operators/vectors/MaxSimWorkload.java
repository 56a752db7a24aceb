package dev.streamretrieval.operators.vectors;

import java.util.Random;

/**
 * The MaxSim kernel's benchmark workload, shared by {@code bin/hybrid bench} (section 7) and the JMH
 * {@code MaxSimBenchmark} so that both time exactly the same data: one query of 32 token vectors against 100
 * candidate documents of 180–220 token vectors each (uniform), every vector a random unit vector, encoded with one
 * codec. 384 dimensions is MiniLM's hidden size (the default model), 128 ColBERT's projection size. A residual codec
 * compresses the documents against a codebook trained on their first {@value #RESIDUAL_TRAIN_TOKENS} token vectors,
 * as a shard does (random unit vectors do not cluster, so its error here is larger than on real token vectors; the
 * time is what this workload measures).
 */
public final class MaxSimWorkload {
    public static final int QUERY_TOKENS = 32;
    public static final int CANDIDATES = 100;
    public static final int MIN_DOC_TOKENS = 180;
    public static final int MAX_DOC_TOKENS = 220;

    public final TokenCodec codec;
    public final int dim;
    public final float[][] query;
    public final byte[][] docs;
    /** The residual codec's codebook; null for the other codecs. */
    public final ResidualCodebook codebook;
    static final int RESIDUAL_TRAIN_TOKENS = 4096;

    public MaxSimWorkload(TokenCodec codec, int dim, long seed) {
        this.codec = codec;
        this.dim = dim;
        Random r = new Random(seed);
        query = randomUnitVectors(r, QUERY_TOKENS, dim);
        docs = new byte[CANDIDATES][];
        float[][][] tokens = new float[CANDIDATES][][];
        java.util.List<float[]> sample = new java.util.ArrayList<>();
        for (int d = 0; d < CANDIDATES; d++) {
            int n = MIN_DOC_TOKENS + r.nextInt(MAX_DOC_TOKENS - MIN_DOC_TOKENS + 1);
            tokens[d] = randomUnitVectors(r, n, dim);
            for (float[] t : tokens[d]) {
                if (sample.size() < RESIDUAL_TRAIN_TOKENS) {
                    sample.add(t);
                }
            }
        }
        codebook = codec.residualBits() == 0 ? null
                : ResidualCodebook.train(sample.toArray(new float[0][]), codec.residualBits(), seed);
        for (int d = 0; d < CANDIDATES; d++) {
            docs[d] = codebook == null ? codec.encode(tokens[d]) : codebook.encode(tokens[d]);
        }
    }

    /** One operation, as a shard does it in full mode: prepare the query, score every candidate; the sum. */
    public float scoreAll() {
        TokenCodec.PreparedQuery q = TokenCodec.prepare(query);
        float sum = 0;
        for (byte[] doc : docs) {
            sum += codebook == null ? codec.maxSim(q, doc) : codebook.maxSim(q, doc);
        }
        return sum;
    }

    /** {@code n} vectors of {@code dim} Gaussian components, each scaled to unit length. */
    public static float[][] randomUnitVectors(Random r, int n, int dim) {
        float[][] t = new float[n][dim];
        for (float[] v : t) {
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                v[k] = (float) r.nextGaussian();
                norm += v[k] * v[k];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < dim; k++) {
                v[k] *= inv;
            }
        }
        return t;
    }
}
