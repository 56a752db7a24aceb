package dev.streamretrieval.operators.index;

import dev.streamretrieval.schemas.Degradation;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;

/** One query as sent to one shard: the analysed terms with their multiplicity in the query. */
public class ShardQuery {
    /** Unique per query record (topic-partition-offset), so a re-used query id still gets its own answer. */
    public String requestId;
    public String queryId;
    public int shard;
    public int shardCount;
    public QueryOp op;
    public QueryMode mode;
    public int k;
    /** Candidates each shard returns; over-fetched beyond k so that re-scoring with global statistics is safe. */
    public int shardDepth;
    /** Distinct query terms. */
    public String[] terms = new String[0];
    /** How often each term occurs in the query (Lucene sums a repeated term's clauses). */
    public int[] queryFreqs = new int[0];
    /** Kafka timestamp of the query record (ms). */
    public long receivedAt;
    /** The query text, carried for the cross-encoder in full mode. */
    public String text;
    /** Dense query vector (dense, hybrid, full). */
    public float[] denseVector;
    /** Query token vectors (full). */
    public float[][] tokenVectors;
    /** Per shard: BM25 and dense list depths (hybrid, full), and documents to score with MaxSim (full). */
    public int bm25Depth;
    public int denseDepth;
    public int maxSimDepth;
    /** colbert: lists probed per query token, candidates kept by the centroid interaction. */
    public int colbertNprobe;
    public int colbertCandidates;
    /** rrf or linear; null for the job default. */
    public String fusion;
    /** Stages that failed for this query so far (its encoding), carried to the result's {@code degraded}. */
    public Degradation[] degraded = new Degradation[0];
    /** Wall time of the query-encode batch this query was in (ms; 0 when nothing was encoded). */
    public double encodeMillis;

    public ShardQuery() {}
}
