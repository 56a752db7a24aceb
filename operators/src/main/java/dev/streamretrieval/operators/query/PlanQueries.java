package dev.streamretrieval.operators.query;

import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.ingest.DeadLetters;
import dev.streamretrieval.schemas.Decoded;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryDecoder;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SourceRecord;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Queries topic record → one planned {@link ShardQuery} (shard −1): decode and validate, analyse the text with
 * the documents' analyzer, set the depths. {@link FanOutQueries} copies it to every shard after the query is
 * encoded (once). Refused queries go to {@link DeadLetters#TAG}.
 */
public class PlanQueries extends ProcessFunction<SourceRecord, ShardQuery> {
    private static final long serialVersionUID = 1L;
    public static final String STAGE = "decode-query";

    private final QueryDecoder decoder;
    private final TextAnalyzer analyzer;
    private final int shards;
    private final QueryOptions options;
    private final Set<QueryMode> supportedModes;
    private final int maxDeadLetterValueBytes;
    /** Whether the job has a dense model to encode query text; without one, dense modes need a supplied vector. */
    private final boolean encodesQueries;
    private transient Counter deadLettered;

    public PlanQueries(QueryDecoder decoder, TextAnalyzer analyzer, int shards, QueryOptions options,
            Set<QueryMode> supportedModes, int maxDeadLetterValueBytes, boolean encodesQueries) {
        this.decoder = decoder;
        this.encodesQueries = encodesQueries;
        this.maxDeadLetterValueBytes = maxDeadLetterValueBytes;
        this.analyzer = analyzer;
        this.shards = shards;
        this.options = options;
        this.supportedModes = EnumSet.copyOf(supportedModes);
    }

    @Override
    public void open(OpenContext openContext) {
        deadLettered = getRuntimeContext().getMetricGroup().counter("queriesDeadLettered");
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<ShardQuery> out) {
        Decoded<Query> decoded = decoder.decode(record.key, record.value);
        String refusal = decoded.isOk() ? unsupported(decoded.value()) : decoded.error();
        if (refusal != null) {
            deadLettered.inc();
            ctx.output(DeadLetters.TAG, record.toDeadLetter(STAGE, refusal, Instant.now(), maxDeadLetterValueBytes));
            return;
        }
        Query q = decoded.value();
        String[] terms = new String[0];
        int[] freqs = new int[0];
        if (q.op == QueryOp.SEARCH) {
            TreeMap<String, Integer> counts = new TreeMap<>();
            List<String> tokens = analyzer.tokens(q.text);
            for (String t : tokens) {
                counts.merge(t, 1, Integer::sum);
            }
            terms = counts.keySet().toArray(new String[0]);
            freqs = counts.values().stream().mapToInt(Integer::intValue).toArray();
        }
        int k = q.k == null ? options.defaultK : q.k;
        String requestId = record.topic + "-" + record.partition + "@" + record.offset;
        ShardQuery sq = new ShardQuery();
        sq.requestId = requestId;
        sq.queryId = q.id;
        sq.shard = -1;
        sq.shardCount = shards;
        sq.op = q.op;
        sq.mode = q.mode;
        sq.k = k;
        sq.shardDepth = options.shardDepth(k);
        sq.bm25Depth = Math.max(options.bm25Depth, sq.shardDepth);
        sq.denseDepth = Math.max(options.denseDepth, sq.shardDepth);
        sq.maxSimDepth = options.shardMaxSimDepth(shards);
        sq.colbertNprobe = options.colbertNprobe;
        sq.colbertCandidates = Math.max(options.colbertCandidates, sq.shardDepth);
        sq.text = q.text;
        sq.fusion = q.fusion;
        sq.denseVector = q.vector;
        sq.terms = terms;
        sq.queryFreqs = freqs;
        sq.receivedAt = record.timestamp;
        out.collect(sq);
    }

    private String unsupported(Query q) {
        if (q.op == QueryOp.SEARCH && !supportedModes.contains(q.mode)) {
            return "mode '" + q.mode.wireName() + "' is not available in this job (available: "
                    + supportedModes.stream().map(QueryMode::wireName).toList() + ")";
        }
        if (q.op == QueryOp.SEARCH && q.mode != QueryMode.BM25 && q.vector == null && !encodesQueries) {
            return "mode '" + q.mode.wireName() + "' needs a 'vector' in this job: it has no dense model to encode"
                    + " the text (--dense-model none)";
        }
        return null;
    }
}
