package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.vectors.DenseCodec;

/**
 * Searches one shard's {@link IvfIndex}: ranks the non-empty lists by their centroid's distance to the query
 * (largest q·c − |c|² / 2, i.e. smallest squared L2), scans the int8 codes of the nearest {@code nprobe} lists
 * block by block into a bounded primitive heap, and — when the job's codec is not int8 — re-scores the best
 * {@link #RESCORE_FACTOR} × k candidates with their stored codec vectors, so the returned scores are exactly the
 * exact scan's. With nprobe ≥ the number of lists every vector is scanned. Nothing is allocated per document.
 */
public final class IvfSearcher {
    /**
     * Candidates re-scored per result when the codes are int8 and the codec is not: int8 quantisation moves a
     * normalised 384-dimension dot product by about 1e-3, which only reorders documents near the cut, so twice k
     * keeps the exact top k (IvfIndexTest checks it against the exact scan with every list probed).
     */
    public static final int RESCORE_FACTOR = 2;

    private final IvfIndex index;

    public IvfSearcher(IvfIndex index) {
        this.index = index;
    }

    /**
     * The best {@code k} documents for the query, best first (ties by ordinal), probing {@code nprobe} lists; plus
     * the exact similarity of each ordinal in {@code alsoScore} (NaN when the index does not hold it).
     */
    public DenseResult search(float[] query, int k, int nprobe, long[] alsoScore) {
        index.ensureLoaded();
        int lists = index.lists();
        if (lists == 0 || k <= 0) {
            return DenseResult.empty(alsoScore.length);
        }
        int dim = index.dim();
        if (query.length != dim) {
            throw new IllegalArgumentException("query vector of " + query.length + " dimensions for a dense index of "
                    + dim);
        }
        float[] centroids = index.centroids();
        float[] halfNorms = index.halfNorms();
        int[] counts = index.counts();
        TopK probes = new TopK(Math.max(1, Math.min(nprobe, lists)));
        for (int l = 0; l < lists; l++) {
            if (counts[l] > 0) {
                probes.offer(l, IvfIndex.dot(query, centroids, l * dim, dim) - halfNorms[l]);
            }
        }
        long[] probed = probes.drain(new float[0], lists).ordinals();
        boolean rescore = index.keepsExactVectors();
        TopK scanned = new TopK(rescore ? RESCORE_FACTOR * k : k);
        IvfStorage storage = index.storage();
        int stride = index.stride();
        long scored = 0;
        for (long list : probed) {
            int l = (int) list;
            int blocks = (counts[l] + IvfIndex.BLOCK_ENTRIES - 1) / IvfIndex.BLOCK_ENTRIES;
            for (int b = 0; b < blocks; b++) {
                byte[] block = storage.block(l, b);
                int entries = block.length / stride;
                for (int e = 0; e < entries; e++) {
                    scanned.offer(IvfIndex.ordinalAt(block, e, stride),
                            DenseCodec.INT8.dot(query, block, e * stride + 8));
                }
                scored += entries;
            }
        }
        float[] also = new float[alsoScore.length];
        for (int i = 0; i < also.length; i++) {
            also[i] = score(query, alsoScore[i]);
        }
        if (!rescore) {
            return scanned.drain(also, scored);
        }
        DenseResult candidates = scanned.drain(new float[0], scored);
        TopK exact = new TopK(k);
        DenseCodec codec = index.codec();
        for (long ordinal : candidates.ordinals()) {
            exact.offer(ordinal, codec.dot(query, storage.vectors().get(ordinal), 0));
        }
        return exact.drain(also, scored);
    }

    /** The exact similarity of one indexed document (e.g. a BM25 candidate the probes missed); NaN when absent. */
    float score(float[] query, long ordinal) {
        IvfStorage storage = index.storage();
        if (index.keepsExactVectors()) {
            byte[] v = storage.vectors().get(ordinal);
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
