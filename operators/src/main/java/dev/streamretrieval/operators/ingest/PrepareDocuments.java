package dev.streamretrieval.operators.ingest;

import dev.streamretrieval.operators.analysis.TermVector;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.schemas.Decoded;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.DocumentDecoder;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.schemas.SourceRecord;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Documents topic record → {@link IndexRequest}: decode and validate, analyse title + text, pick the shard, and
 * store a supplied {@code vector} with the job's dense codec.
 * Refused records go to {@link DeadLetters#TAG} with the reason; nothing is dropped silently.
 */
public class PrepareDocuments extends ProcessFunction<SourceRecord, IndexRequest> {
    private static final long serialVersionUID = 1L;
    public static final String STAGE = "decode-document";

    private final DocumentDecoder decoder;
    private final TextAnalyzer analyzer;
    private final ShardRouter router;
    private final int maxDeadLetterValueBytes;
    /** How the shards store dense vectors; null when the job keeps none (the decoder then refuses a vector). */
    private final DenseCodec denseCodec;
    private transient Counter deadLettered;
    private transient Counter received;

    public PrepareDocuments(DocumentDecoder decoder, TextAnalyzer analyzer, ShardRouter router,
            int maxDeadLetterValueBytes, DenseCodec denseCodec) {
        this.decoder = decoder;
        this.denseCodec = denseCodec;
        this.maxDeadLetterValueBytes = maxDeadLetterValueBytes;
        this.analyzer = analyzer;
        this.router = router;
    }

    @Override
    public void open(OpenContext openContext) {
        var group = getRuntimeContext().getMetricGroup();
        deadLettered = group.counter("documentsDeadLettered");
        received = group.counter("documentsReceived");
        group.meter("documentsReceivedPerSecond", new MeterView(received));
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<IndexRequest> out) {
        received.inc();
        Decoded<Document> decoded = decoder.decode(record.key, record.value);
        if (!decoded.isOk()) {
            deadLettered.inc();
            ctx.output(DeadLetters.TAG, record.toDeadLetter(STAGE, decoded.error(), Instant.now(), maxDeadLetterValueBytes));
            return;
        }
        Document doc = decoded.value();
        IndexRequest r = analysed(doc, router, analyzer);
        r.producedAt = record.timestamp;
        r.sourceTopic = record.topic;
        r.sourcePartition = record.partition;
        r.sourceOffset = record.offset;
        if (doc.op == DocumentOp.UPSERT && doc.vector != null) {
            // supplied upstream (checked and unit length): the encode stage skips a request that has one
            r.dense = denseCodec.encode(doc.vector);
        }
        out.collect(r);
    }

    /**
     * The index request of a decoded document as the job routes and analyses it: id, shard, op, version and, for
     * an upsert, title, text and its term vector. Also used by in-process evaluations, so that they index exactly
     * what the job indexes.
     */
    public static IndexRequest analysed(Document doc, ShardRouter router, TextAnalyzer analyzer) {
        IndexRequest r = new IndexRequest();
        r.docId = doc.id;
        r.shard = router.shardOf(doc.id);
        r.op = doc.op;
        r.version = doc.version;
        if (doc.op == DocumentOp.UPSERT) {
            TermVector tv = analyzer.termVector(doc.indexableText());
            r.title = doc.title;
            r.text = doc.text;
            r.terms = tv.terms;
            r.freqs = tv.freqs;
            r.length = tv.length;
        }
        return r;
    }
}
