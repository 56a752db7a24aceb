package dev.streamretrieval.benchmarks;

import dev.streamretrieval.operators.vectors.TokenCodec;
import java.util.Random;

/**
 * The MaxSim kernel's workload of issue 4: one query of 32 token vectors against 100 candidate documents of about
 * 200 token vectors each (uniform in [180, 220]), 384 dimensions (MiniLM's hidden size), every vector a random
 * unit vector. The same seed gives the same workload as {@code bin/hybrid bench}'s kernel section.
 */
public final class MaxSimWorkload {
    public static final int QUERY_TOKENS = 32;
    public static final int CANDIDATES = 100;
    public static final int DIM = 384;

    public final float[][] query;
    public final byte[][] docs;

    public MaxSimWorkload(TokenCodec codec, long seed) {
        Random r = new Random(seed);
        query = tokens(r, QUERY_TOKENS);
        docs = new byte[CANDIDATES][];
        for (int d = 0; d < CANDIDATES; d++) {
            docs[d] = codec.encode(tokens(r, 180 + r.nextInt(41)));
        }
    }

    private static float[][] tokens(Random r, int n) {
        float[][] t = new float[n][DIM];
        for (float[] v : t) {
            double norm = 0;
            for (int k = 0; k < DIM; k++) {
                v[k] = (float) r.nextGaussian();
                norm += v[k] * v[k];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < DIM; k++) {
                v[k] *= inv;
            }
        }
        return t;
    }
}
