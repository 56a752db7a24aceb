package dev.streamretrieval.operators.query;

import dev.streamretrieval.operators.index.ShardQuery;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Copies a planned (and encoded) query to every virtual shard. */
public class FanOutQueries implements FlatMapFunction<ShardQuery, ShardQuery> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(ShardQuery planned, Collector<ShardQuery> out) {
        for (int s = 0; s < planned.shardCount; s++) {
            ShardQuery q = copy(planned);
            q.shard = s;
            out.collect(q);
        }
    }

    private static ShardQuery copy(ShardQuery p) {
        ShardQuery q = new ShardQuery();
        q.requestId = p.requestId;
        q.queryId = p.queryId;
        q.shardCount = p.shardCount;
        q.op = p.op;
        q.mode = p.mode;
        q.k = p.k;
        q.shardDepth = p.shardDepth;
        q.terms = p.terms;
        q.queryFreqs = p.queryFreqs;
        q.receivedAt = p.receivedAt;
        q.text = p.text;
        q.denseVector = p.denseVector;
        q.tokenVectors = p.tokenVectors;
        q.bm25Depth = p.bm25Depth;
        q.denseDepth = p.denseDepth;
        q.maxSimDepth = p.maxSimDepth;
        q.colbertNprobe = p.colbertNprobe;
        q.colbertCandidates = p.colbertCandidates;
        q.fusion = p.fusion;
        q.encodeMillis = p.encodeMillis;
        q.degraded = p.degraded;
        return q;
    }
}
