package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.batching.BatchFunction;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.DocumentOp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;

/**
 * Batch stage that gives each upsert its dense vector and token vectors, encoded with the configured codecs
 * before they cross the network to the shards. Deletes pass through, and so do upserts whose producer supplied
 * the dense vector: the model does not run for them, so they get no token vectors either (running the model for
 * token vectors alone would cost the same forward pass that supplying the vector is meant to save).
 *
 * <p>If the model fails on a batch (an exception, or a vector that is not finite), the batch is retried one
 * document at a time; a document the model still cannot encode is indexed for BM25 only and reported: a
 * {@code degraded} record on the dead-letter topic with its id, this stage and the reason, and the
 * {@code documentsEncodeFailed} counter. One bad document must not restart the job or hold back the others.
 */
public class EncodeDocuments implements BatchFunction<IndexRequest, IndexRequest> {
    private static final long serialVersionUID = 1L;
    public static final String STAGE = "encode-document";

    /** Documents encoded in this JVM since start; lets tests prove a restore does not re-encode. */
    public static final AtomicLong ENCODED_IN_JVM = new AtomicLong();

    private final NeuralOptions options;
    private transient DocumentEncoder encoder;
    private transient DenseCodec denseCodec;
    private transient TokenCodec tokenCodec;
    private transient BatchContext context;
    private transient Counter encoded;
    private transient Counter failed;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EncodeDocuments.class);

    public EncodeDocuments(NeuralOptions options) {
        this.options = options;
    }

    @Override
    public void open(BatchContext context) {
        this.context = context;
        DenseEncoder dense = DenseEncoder.open(options.denseSpec(), options.intraOpThreads, options.batchSize);
        TokenEncoder tokens = options.openTokenEncoder();
        encoder = new DocumentEncoder(dense, tokens);
        denseCodec = options.denseCodec();
        tokenCodec = options.tokenCodec();
        encoded = context.metrics().counter("documentsEncoded");
        failed = context.metrics().counter("documentsEncodeFailed");
    }

    @Override
    public List<IndexRequest> apply(List<IndexRequest> batch) {
        List<String> texts = new ArrayList<>();
        List<IndexRequest> upserts = new ArrayList<>();
        for (IndexRequest r : batch) {
            if (r.op == DocumentOp.UPSERT && r.dense == null) {
                upserts.add(r);
                texts.add(Document.indexableText(r.title, r.text));
            }
        }
        if (texts.isEmpty()) {
            return batch;
        }
        try {
            attach(upserts, encoder.encode(texts, options.batchSize));
        } catch (RuntimeException batchFailure) {
            for (int i = 0; i < upserts.size(); i++) {
                try {
                    attach(List.of(upserts.get(i)), encoder.encode(List.of(texts.get(i)), 1));
                } catch (RuntimeException e) {
                    degraded(upserts.get(i), e);
                }
            }
        }
        return batch;
    }

    /** Indexed without vectors: counted, logged, and reported on the dead-letter topic. */
    private void degraded(IndexRequest r, RuntimeException e) {
        failed.inc();
        String reason = "the dense model could not encode this document, so it is indexed for BM25 only (not found"
                + " by dense, and without MaxSim in full mode): " + e.getMessage();
        LOG.error("document {}: {}", r.docId, reason);
        DeadLetter d = new DeadLetter();
        d.topic = r.sourceTopic;
        d.partition = r.sourcePartition;
        d.offset = r.sourceOffset;
        d.key = r.docId;
        d.keyBase64 = Base64.getEncoder().encodeToString(r.docId.getBytes(StandardCharsets.UTF_8));
        d.valueBytes = 0;
        d.stage = STAGE;
        d.error = reason;
        d.degraded = true;
        d.at = Instant.now().toString();
        context.deadLetter(d);
    }

    private void attach(List<IndexRequest> requests, DocumentEncoder.Encoded[] vectors) {
        // check every vector first, so that a failing batch leaves no request half-encoded
        for (DocumentEncoder.Encoded v : vectors) {
            VectorMath.requireFinite(v.dense(), "dense vector");
            if (v.tokens() != null) {
                for (float[] t : v.tokens()) {
                    VectorMath.requireFinite(t, "token vector");
                }
            }
        }
        for (int i = 0; i < vectors.length; i++) {
            IndexRequest r = requests.get(i);
            if (vectors[i].dense() != null) {
                r.dense = denseCodec.encode(vectors[i].dense());
            }
            if (vectors[i].tokens() != null) {
                r.tokens = tokenCodec.encode(vectors[i].tokens());
            }
        }
        encoded.inc(vectors.length);
        ENCODED_IN_JVM.addAndGet(vectors.length);
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
        }
    }
}
