package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.FlinkKeyValueState;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.QueryOp;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The Flink shell around {@link ShardIndex}: input 1 indexes documents into their shard, input 2 searches a shard.
 * Both inputs are keyed by the shard's routing key ({@link dev.streamretrieval.operators.placement.ShardPlacement};
 * one key per shard, the shard id comes with each record), so a query sees every document that reached its shard
 * before it did. This
 * class only wires the stores to keyed state (RocksDB in the job), keeps the shards' counters and reports metrics;
 * indexing and searching are {@link ShardIndex}'s.
 *
 * <p>State per shard key (names are part of the savepoint format):
 * <ul>
 *   <li>{@code terms}: term → {@link TermInfo}; {@code posting-blocks}: "term\u0000blockNo" → {@link PostingBlock};
 *       {@code posting-block-bounds}: term → {@link BlockBounds} of its closed blocks;</li>
 *   <li>{@code docs}: document id → {@link DocEntry}; {@code document-store}: ordinal → {@link StoredDocument};</li>
 *   <li>{@code dense-blocks}: block number → {@link VectorBlock} (exact dense index); {@code ivf-lists},
 *   {@code ivf-blocks}, {@code ivf-locations}, {@code ivf-vectors}: the {@link IvfStorage} (IVF dense index);
 *   {@code token-vectors}: ordinal → token vectors; {@code token-codebook}, {@code token-lists},
 *   {@code token-list-entries}: the shard's residual codebook and centroid lists ({@link ResidualStorage}, residual
 *   token codecs only);</li>
 *   <li>{@code counters}: {@link ShardCounters} (N, total length, counts).</li>
 * </ul>
 */
public class IndexAndSearchShards extends KeyedCoProcessFunction<Integer, IndexRequest, ShardQuery, ShardHits> {
    private static final long serialVersionUID = 1L;

    /** Measures the thread CPU time of a shard search, reported as the shard_search_cpu_sum stage timing. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Bm25 bm25;
    /** Null when the job has no dense / token representations. */
    private final DenseCodec denseCodec;
    private final TokenCodec tokenCodec;
    private final Fusion fusion;
    private final DenseIndexOptions denseIndex;
    private final int tokenTrainTokens;

    private transient ShardIndex index;
    private transient ValueState<ShardCounters> counters;
    private transient Counter upsertsMetric;
    private transient Counter deletesMetric;
    private transient Counter staleMetric;
    private transient Counter searchesMetric;
    /**
     * Counters of each shard key this subtask has seen, equal to the state. Used by the task thread only; the
     * shard's gauges hold the same objects.
     */
    private transient Map<Integer, ShardCounters> latestCounters;

    /** BM25 only, with RRF (k = 60) for full-mode candidate choice. */
    public IndexAndSearchShards(Bm25 bm25) {
        this(bm25, null, null, new Fusion("rrf", 60, 0.5));
    }

    /** With the exact dense index. */
    public IndexAndSearchShards(Bm25 bm25, DenseCodec denseCodec, TokenCodec tokenCodec, Fusion fusion) {
        this(bm25, denseCodec, tokenCodec, fusion, DenseIndexOptions.exact());
    }

    public IndexAndSearchShards(Bm25 bm25, DenseCodec denseCodec, TokenCodec tokenCodec, Fusion fusion,
            DenseIndexOptions denseIndex) {
        this(bm25, denseCodec, tokenCodec, fusion, denseIndex, ResidualTokenStore.DEFAULT_TRAIN_TOKENS);
    }

    /** {@code tokenTrainTokens}: what a shard collects before training its residual codebook. */
    public IndexAndSearchShards(Bm25 bm25, DenseCodec denseCodec, TokenCodec tokenCodec, Fusion fusion,
            DenseIndexOptions denseIndex, int tokenTrainTokens) {
        this.tokenTrainTokens = tokenTrainTokens;
        this.bm25 = bm25;
        this.denseCodec = denseCodec;
        this.tokenCodec = tokenCodec;
        this.fusion = fusion;
        this.denseIndex = denseIndex;
    }

    @Override
    public void open(OpenContext openContext) {
        var ctx = getRuntimeContext();
        var storage = new ShardIndex.Storage(
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "terms", Types.STRING, TypeInformation.of(TermInfo.class)))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "posting-blocks", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "posting-block-bounds", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "docs", Types.STRING, TypeInformation.of(DocEntry.class)))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "document-store", Types.LONG, TypeInformation.of(StoredDocument.class)))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "dense-blocks", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "token-vectors", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                residualStorage(),
                denseIndex.isIvf() ? ivfStorage() : null);
        index = new ShardIndex(storage, bm25, denseCodec, tokenCodec, fusion, denseIndex, tokenTrainTokens);
        counters = ctx.getState(new ValueStateDescriptor<>("counters", TypeInformation.of(ShardCounters.class)));
        MetricGroup group = ctx.getMetricGroup();
        upsertsMetric = group.counter("documentsIndexed");
        deletesMetric = group.counter("documentsDeleted");
        staleMetric = group.counter("staleVersionsIgnored");
        searchesMetric = group.counter("shardSearches");
        group.meter("documentsIndexedPerSecond", new MeterView(upsertsMetric));
        latestCounters = new HashMap<>();
    }

    /** The residual token codecs' keyed state ({@link ResidualStorage}). */
    private ResidualStorage residualStorage() {
        var ctx = getRuntimeContext();
        return new ResidualStorage(
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "token-codebook", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "token-lists", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "token-list-entries", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))));
    }

    /** The IVF index's keyed state (registered only when the job runs it). */
    private IvfStorage ivfStorage() {
        var ctx = getRuntimeContext();
        return new IvfStorage(
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "ivf-lists", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "ivf-blocks", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "ivf-locations", Types.LONG, Types.LONG))),
                new FlinkKeyValueState<>(ctx.getMapState(new MapStateDescriptor<>(
                        "ivf-vectors", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))));
    }

    @Override
    public void processElement1(IndexRequest request, Context ctx, Collector<ShardHits> out) throws Exception {
        int shard = request.shard; // the key is the shard's routing key, not its id
        ShardCounters c = currentCounters(shard);
        switch (index.apply(shard, request, c)) {
            case UPSERTED -> upsertsMetric.inc();
            case DELETED -> deletesMetric.inc();
            case STALE_IGNORED -> staleMetric.inc();
            case NOTHING_TO_DELETE -> { }
        }
        counters.update(c);
    }

    @Override
    public void processElement2(ShardQuery q, Context ctx, Collector<ShardHits> out) throws Exception {
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        int shard = q.shard;
        searchesMetric.inc();
        ShardCounters c = currentCounters(shard);
        ShardHits hits = new ShardHits();
        hits.requestId = q.requestId;
        hits.queryId = q.queryId;
        hits.shard = shard;
        hits.subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        hits.shardCount = q.shardCount;
        hits.op = q.op;
        hits.mode = q.mode;
        hits.degraded = q.degraded;
        hits.k = q.k;
        hits.terms = q.terms;
        hits.queryFreqs = q.queryFreqs;
        hits.receivedAt = q.receivedAt;
        hits.docCount = c.docCount;
        hits.totalLength = c.totalLength;
        if (q.op == QueryOp.STATS) {
            hits.counters = c.copy(); // a snapshot: c is the live heap copy that later writes change
        } else {
            hits.text = q.text;
            hits.bm25Depth = q.bm25Depth;
            hits.denseDepth = q.denseDepth;
            hits.fusion = q.fusion;
            index.search(shard, q, c, hits);
        }
        hits.searchMillis = (System.nanoTime() - start) / 1e6;
        hits.searchCpuMillis = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e6;
        hits.encodeMillis = q.encodeMillis;
        out.collect(hits);
    }

    /**
     * The shard's counters, changed in place by {@link ShardIndex} (and then written to the state). Every query
     * needs them (N and total length for BM25), so they live on the heap in {@link #latestCounters}: this operator
     * is the only writer of the state and writes every change. The state is read only for a shard this instance
     * has not seen since it was opened (after a restore or rescale). Reading RocksDB here on every query was about
     * a third of a BM25 shard search's CPU time.
     */
    private ShardCounters currentCounters(int shard) throws Exception {
        ShardCounters c = latestCounters.get(shard);
        if (c == null) {
            ShardCounters stored = counters.value();
            c = stored == null ? new ShardCounters() : stored;
            index.checkDenseIndexKind(shard, c);
            registerShard(shard, c);
        }
        return c;
    }

    /**
     * Puts a shard's counters into {@link #latestCounters} and registers its gauges (group {@code shard} → id),
     * which read that same object; called once per shard key and operator instance.
     */
    private void registerShard(int shard, ShardCounters c) {
        latestCounters.put(shard, c);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("shard", String.valueOf(shard));
        g.gauge("documents", (Gauge<Long>) () -> c.docCount);
        g.gauge("terms", (Gauge<Long>) () -> c.terms);
        g.gauge("tombstones", (Gauge<Long>) () -> c.tombstones);
        g.gauge("postingBytes", (Gauge<Long>) () -> c.postingBytes);
        g.gauge("storeBytes", (Gauge<Long>) () -> c.storeBytes);
        g.gauge("denseBytes", (Gauge<Long>) () -> c.denseBytes);
        g.gauge("tokenBytes", (Gauge<Long>) () -> c.tokenBytes);
        g.gauge("tokenCodebookRetrains", (Gauge<Long>) () -> c.tokenCodebookRetrains);
    }
}
