package dev.streamretrieval.operators.index;

/**
 * A document a shard proposes for a query, with what the gather needs to re-score it with collection-wide
 * statistics: its length and the frequency of each query term (parallel to the query's distinct terms).
 */
public class Candidate {
    public String docId;
    public String title;
    public int length;
    public int[] termFreqs = new int[0];
    /** BM25 with this shard's own statistics; only used to choose the shard's candidates. */
    public float localScore;
    /** Dense similarity (dot product of normalised vectors); NaN when not computed. */
    public float denseScore = Float.NaN;
    /** Whether the candidate is in this shard's BM25 list and dense list (hybrid, full). */
    public boolean inBm25List;
    public boolean inDenseList;
    /** MaxSim score; NaN when not computed. */
    public float maxSimScore = Float.NaN;
    /** Passage text (title + text) for the cross-encoder; only in full mode for MaxSim-scored candidates. */
    public String passage;

    public Candidate() {}
}
