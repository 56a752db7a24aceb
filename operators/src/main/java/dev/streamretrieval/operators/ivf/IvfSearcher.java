package dev.streamretrieval.operators.ivf;

import dev.streamretrieval.operators.vectors.DenseCodec;

/**
 * Searches one shard's {@link IvfIndex}: ranks the non-empty lists by their centroid's distance to the query
 * (largest q·c − |c|² / 2, i.e. smallest squared L2), scans the int8 codes of the nearest {@code nprobe} lists
 * block by block into a bounded primitive heap, and — when the job's codec is not int8 — re-scores the best
 * {@link #RESCORE_FACTOR} × depth candidates with their stored codec vectors, so the returned scores are exactly
 * the exact scan's. With nprobe ≥ the number of lists every vector is scanned. Nothing is allocated per document.
 */
public final class IvfSearcher {
    /**
     * Candidates re-scored per result when codes are int8 and the codec is not: int8 quantisation moves a
     * normalised 384-dimension dot product by about 1e-3, which only reorders documents near the cut, so twice the
     * depth keeps every exact top-depth document in measurements (see the README's dense index section).
     */
    public static final int RESCORE_FACTOR = 2;

    private final IvfIndex index;

    public IvfSearcher(IvfIndex index) {
        this.index = index;
    }

    /** The best {@code depth} documents for the query, best first, probing {@code nprobe} lists. */
    public TopScores search(float[] query, int depth, int nprobe) throws Exception {
        index.ensureLoaded();
        int lists = index.lists();
        if (lists == 0 || depth <= 0) {
            return new TopScores(0);
        }
        if (query.length != index.dim()) {
            throw new IllegalArgumentException("query vector of " + query.length + " dimensions for a dense index of "
                    + index.dim());
        }
        TopScores probes = new TopScores(Math.max(1, Math.min(nprobe, lists)));
        int dim = index.dim();
        float[] centroids = index.centroids();
        float[] halfNorms = index.halfNorms();
        int[] counts = index.counts();
        for (int l = 0; l < lists; l++) {
            if (counts[l] > 0) {
                probes.offer(l, IvfIndex.dot(query, centroids, l * dim, dim) - halfNorms[l]);
            }
        }
        probes.sortDescending();
        boolean rescore = index.keepsExactVectors();
        TopScores scanned = new TopScores(rescore ? RESCORE_FACTOR * depth : depth);
        IvfStorage storage = index.storage();
        int stride = index.stride();
        for (int p = 0; p < probes.size(); p++) {
            int l = (int) probes.ordinal(p);
            int blocks = (counts[l] + IvfIndex.BLOCK_ENTRIES - 1) / IvfIndex.BLOCK_ENTRIES;
            for (int b = 0; b < blocks; b++) {
                byte[] block = storage.block(l, b);
                int entries = block.length / stride;
                for (int e = 0; e < entries; e++) {
                    scanned.offer(IvfIndex.ordinalAt(block, e, stride),
                            DenseCodec.INT8.dot(query, block, e * stride + 8));
                }
            }
        }
        if (!rescore) {
            scanned.sortDescending();
            return scanned;
        }
        TopScores exact = new TopScores(depth);
        DenseCodec codec = index.codec();
        for (int i = 0; i < scanned.size(); i++) {
            long ordinal = scanned.ordinal(i);
            exact.offer(ordinal, codec.dot(query, storage.vector(ordinal), 0));
        }
        exact.sortDescending();
        return exact;
    }

    /** The exact similarity of one indexed document (e.g. a BM25 candidate the probes missed); NaN when absent. */
    public float score(float[] query, long ordinal) throws Exception {
        index.ensureLoaded();
        IvfStorage storage = index.storage();
        if (index.keepsExactVectors()) {
            byte[] v = storage.vector(ordinal);
            return v == null ? Float.NaN : index.codec().dot(query, v, 0);
        }
        long loc = storage.location(ordinal);
        if (loc < 0) {
            return Float.NaN;
        }
        int position = (int) loc;
        byte[] block = storage.block((int) (loc >>> 32), position / IvfIndex.BLOCK_ENTRIES);
        return DenseCodec.INT8.dot(query, block, (position % IvfIndex.BLOCK_ENTRIES) * index.stride() + 8);
    }
}
