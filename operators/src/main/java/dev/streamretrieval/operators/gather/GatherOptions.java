package dev.streamretrieval.operators.gather;

import java.io.Serializable;

/** How long the gather waits for shard answers, and how long it remembers an answered request. */
public class GatherOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** After this many ms without all shard answers, the query is answered with what arrived, marked partial. */
    public long timeoutMillis = 10_000;

    /** An answered request is remembered this long so that a late shard answer is counted, not answered twice. */
    public long retainAnsweredMillis = 60_000;

    /** Fusion of BM25 and dense lists in hybrid/full modes: rrf or linear. */
    public String fusion = "rrf";

    /** RRF constant k in 1 / (k + rank). */
    public int rrfK = 60;

    /** Weight of normalised BM25 in linear fusion (dense gets 1 − w). */
    public double linearBm25Weight = 0.5;

    /**
     * full mode: weight of min-max normalised BM25 in the final score of the MaxSim-scored candidates
     * ({@link dev.streamretrieval.operators.scoring.Fusion#full}). 0.3 / 0.4 (MaxSim 0.3) are the weights
     * {@code train-projection --leave-one-out} chose on all five shared collections with the raw token states (README,
     * "Full mode combining evidence").
     */
    public double fullBm25Weight = 0.3;

    /** full mode: weight of min-max normalised dense; MaxSim gets 1 − fullBm25Weight − fullDenseWeight. */
    public double fullDenseWeight = 0.4;

    /** full mode: hits passed to the cross-encoder with their text. */
    public int rerankDepth = 20;

    public GatherOptions() {}

    public GatherOptions(long timeoutMillis, long retainAnsweredMillis) {
        this.timeoutMillis = timeoutMillis;
        this.retainAnsweredMillis = retainAnsweredMillis;
    }
}
