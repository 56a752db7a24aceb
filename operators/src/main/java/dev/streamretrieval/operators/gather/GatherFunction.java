package dev.streamretrieval.operators.gather;

import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.index.ShardCounters;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the shard answers of one query request (keyed by request id). It knows how many shards to expect;
 * when a shard has not answered within the timeout it answers with what arrived and marks the result partial.
 *
 * <p>Scores are recomputed here with collection-wide statistics: N, total length and each term's df are the
 * sums of the shards' shares, so a result does not depend on how documents fell into shards (Elasticsearch's
 * default uses shard-local statistics; its exact mode, dfs_query_then_fetch, needs a second round trip).
 */
public class GatherFunction extends KeyedProcessFunction<String, ShardHits, GatheredResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GatherFunction.class);

    private final GatherOptions options;
    private final ResultRanker ranker;

    private transient ValueState<PendingQuery> pending;
    private transient Counter partialResults;
    private transient Counter lateAnswers;
    /** Per query mode: {end-to-end latency ms, shard search stage µs}, registered when a mode is first answered. */
    private transient Map<String, Histogram[]> latencyByMode;

    /** Values each latency histogram keeps (a sliding window over the most recent queries). */
    static final int LATENCY_WINDOW = 1024;

    public GatherFunction(Bm25 bm25, GatherOptions options) {
        this.options = options;
        this.ranker = new ResultRanker(bm25, options);
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getState(
                new ValueStateDescriptor<>("pending-query", TypeInformation.of(PendingQuery.class)));
        partialResults = getRuntimeContext().getMetricGroup().counter("partialResults");
        lateAnswers = getRuntimeContext().getMetricGroup().counter("lateShardAnswers");
        latencyByMode = new HashMap<>();
    }

    @Override
    public void processElement(ShardHits hits, Context ctx, Collector<GatheredResult> out) throws Exception {
        PendingQuery p = pending.value();
        if (p == null) {
            p = new PendingQuery();
            p.expected = hits.shardCount;
            p.queryId = hits.queryId;
            p.op = hits.op;
            p.mode = hits.mode;
            p.k = hits.k;
            p.terms = hits.terms;
            p.queryFreqs = hits.queryFreqs;
            p.receivedAt = hits.receivedAt;
            p.text = hits.text;
            p.bm25Depth = hits.bm25Depth;
            p.denseDepth = hits.denseDepth;
            p.fusion = hits.fusion;
            p.degraded = hits.degraded;
            p.docFreqs = new long[hits.terms.length];
            p.timerAt = ctx.timerService().currentProcessingTime() + options.timeoutMillis;
            ctx.timerService().registerProcessingTimeTimer(p.timerAt);
        }
        if (p.answered) {
            lateAnswers.inc();
            LOG.warn("shard {} answered query {} after its result was sent (partial); answer counted in lateShardAnswers",
                    hits.shard, hits.queryId);
            return;
        }
        if (Arrays.stream(p.answeredShards).anyMatch(s -> s == hits.shard)) {
            return; // the same shard's answer again (a replay); its share is already in
        }
        absorb(p, hits);
        if (p.answeredShards.length >= p.expected) {
            out.collect(answer(p, ctx.timerService().currentProcessingTime()));
            finish(p, ctx);
        } else {
            pending.update(p);
        }
    }

    private void absorb(PendingQuery p, ShardHits h) {
        int n = p.answeredShards.length;
        p.answeredShards = Arrays.copyOf(p.answeredShards, n + 1);
        p.answeredShards[n] = h.shard;
        p.docCount += h.docCount;
        p.totalLength += h.totalLength;
        for (int t = 0; t < h.docFreqs.length; t++) {
            p.docFreqs[t] += h.docFreqs[t];
        }
        p.matched += h.matched;
        p.maxShardMillis = Math.max(p.maxShardMillis, h.searchMillis);
        p.shardCpuMillis += h.searchCpuMillis;
        p.maxMaxSimMillis = Math.max(p.maxMaxSimMillis, h.maxSimMillis);
        p.encodeMillis = Math.max(p.encodeMillis, h.encodeMillis);
        Candidate[] merged = Arrays.copyOf(p.candidates, p.candidates.length + h.candidates.length);
        System.arraycopy(h.candidates, 0, merged, p.candidates.length, h.candidates.length);
        p.candidates = merged;
        if (h.op == QueryOp.STATS && h.counters != null) {
            ShardCounters t = p.totals == null ? new ShardCounters() : p.totals;
            ShardCounters c = h.counters;
            t.docCount += c.docCount;
            t.totalLength += c.totalLength;
            t.postings += c.postings;
            t.terms += c.terms;
            t.tombstones += c.tombstones;
            t.upsertsApplied += c.upsertsApplied;
            t.deletesApplied += c.deletesApplied;
            t.staleIgnored += c.staleIgnored;
            t.denseBytes += c.denseBytes;
            t.tokenBytes += c.tokenBytes;
            t.tokenCount += c.tokenCount;
            t.tokenCodebookRetrains += c.tokenCodebookRetrains;
            t.postingBytes += c.postingBytes;
            t.storeBytes += c.storeBytes;
            p.totals = t;
            p.shardDocs = Arrays.copyOf(p.shardDocs, n + 1);
            p.shardDocs[n] = c.docCount;
            p.shardSubtasks = Arrays.copyOf(p.shardSubtasks, n + 1);
            p.shardSubtasks[n] = h.subtask;
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<GatheredResult> out) throws Exception {
        PendingQuery p = pending.value();
        if (p == null) {
            return;
        }
        if (p.answered) {
            pending.clear();
            return;
        }
        if (timestamp < p.timerAt) {
            return;
        }
        partialResults.inc();
        LOG.warn("query request {} answered partially: {} of {} shards within {} ms",
                ctx.getCurrentKey(), p.answeredShards.length, p.expected, options.timeoutMillis);
        out.collect(answer(p, timestamp));
        finish(p, ctx);
    }

    private void finish(PendingQuery p, Context ctx) throws Exception {
        p.answered = true;
        p.candidates = new Candidate[0];
        p.timerAt = ctx.timerService().currentProcessingTime() + options.retainAnsweredMillis;
        ctx.timerService().registerProcessingTimeTimer(p.timerAt);
        pending.update(p);
    }

    private GatheredResult answer(PendingQuery p, long now) {
        SearchResult r = new SearchResult();
        String[] passages = new String[0];
        r.queryId = p.queryId;
        r.mode = p.mode == null ? null : p.mode.wireName();
        r.shardsExpected = p.expected;
        r.shardsAnswered = p.answeredShards.length;
        r.partial = r.shardsAnswered < r.shardsExpected;
        r.degraded.addAll(Arrays.asList(p.degraded));
        if (p.op == QueryOp.STATS) {
            r.indexStats = indexStats(p);
        } else {
            long rankStart = System.nanoTime();
            List<ResultRanker.Ranked> ranked = ranker.rank(p);
            passages = new String[ranked.size()];
            for (int i = 0; i < ranked.size(); i++) {
                ResultRanker.Ranked x = ranked.get(i);
                Candidate c = p.candidates[x.index()];
                Hit hit = new Hit(c.docId, i + 1, x.score(), x.scores(), c.title);
                hit.ranks = x.ranks().isEmpty() ? null : x.ranks();
                r.hits.add(hit);
                if (p.mode == QueryMode.FULL && i < options.rerankDepth) {
                    passages[i] = c.passage;
                }
            }
            r.totalMatched = p.matched;
            recordLatency(p, now);
            r.timingsMs.put("gather", round((System.nanoTime() - rankStart) / 1e6));
        }
        r.timingsMs.put("shard_search_max", round(p.maxShardMillis));
        r.timingsMs.put("shard_search_cpu_sum", round(p.shardCpuMillis));
        if (p.encodeMillis > 0) {
            r.timingsMs.put("query_encode", round(p.encodeMillis));
        }
        if (p.mode == QueryMode.FULL || p.mode == QueryMode.COLBERT) {
            r.timingsMs.put("maxsim_max", round(p.maxMaxSimMillis));
        }
        if (p.receivedAt > 0) {
            r.timingsMs.put("since_produced", (double) Math.max(0, now - p.receivedAt));
        }
        return new GatheredResult(r, p.text, passages);
    }

    /**
     * Latency histograms in group {@code mode} → wire name: {@code endToEndLatencyMs} (query record timestamp to
     * answer) and {@code shardSearchLatencyUs} (slowest shard's search of this query).
     */
    private void recordLatency(PendingQuery p, long now) {
        String mode = p.mode == null ? "bm25" : p.mode.wireName();
        Histogram[] h = latencyByMode.computeIfAbsent(mode, m -> {
            var g = getRuntimeContext().getMetricGroup().addGroup("mode", m);
            return new Histogram[] {
                g.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW)),
                g.histogram("shardSearchLatencyUs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW))
            };
        });
        if (p.receivedAt > 0) {
            h[0].update(Math.max(0, now - p.receivedAt));
        }
        h[1].update(Math.round(p.maxShardMillis * 1000));
    }

    private static IndexStats indexStats(PendingQuery p) {
        IndexStats s = new IndexStats();
        ShardCounters t = p.totals == null ? new ShardCounters() : p.totals;
        s.documents = t.docCount;
        s.terms = t.terms;
        s.postings = t.postings;
        s.totalLength = t.totalLength;
        s.tombstones = t.tombstones;
        s.upsertsApplied = t.upsertsApplied;
        s.deletesApplied = t.deletesApplied;
        s.staleIgnored = t.staleIgnored;
        s.postingBytes = t.postingBytes;
        s.storeBytes = t.storeBytes;
        s.denseBytes = t.denseBytes;
        s.tokenBytes = t.tokenBytes;
        s.tokens = t.tokenCount;
        s.tokenCodebookRetrains = t.tokenCodebookRetrains;
        for (int i = 0; i < p.answeredShards.length && i < p.shardDocs.length; i++) {
            s.documentsPerShard.put(p.answeredShards[i], p.shardDocs[i]);
            s.subtaskOfShard.put(p.answeredShards[i], p.shardSubtasks[i]);
            s.documentsPerSubtask.merge(p.shardSubtasks[i], p.shardDocs[i], Long::sum);
        }
        return s;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
