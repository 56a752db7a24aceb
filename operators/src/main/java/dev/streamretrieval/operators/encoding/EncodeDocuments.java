package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.batching.BatchFunction;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.DocumentOp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Batch stage that gives each upsert its dense vector and token vectors, encoded with the configured codecs
 * before they cross the network to the shards. Deletes pass through, and so do upserts whose producer supplied
 * the dense vector: the model does not run for them, so they get no token vectors either (running the model for
 * token vectors alone would cost the same forward pass that supplying the vector is meant to save).
 *
 * <p>If the model fails on a batch, the batch is retried one document at a time; a document the model still
 * cannot encode is indexed for BM25 only, logged with its id and the reason, and counted in
 * {@code documentsEncodeFailed} — one bad document must not restart the job or hold back the others.
 */
public class EncodeDocuments implements BatchFunction<IndexRequest, IndexRequest> {
    private static final long serialVersionUID = 1L;

    /** Documents encoded in this JVM since start; lets tests prove a restore does not re-encode. */
    public static final AtomicLong ENCODED_IN_JVM = new AtomicLong();

    private final NeuralOptions options;
    private transient DocumentEncoder encoder;
    private transient DenseCodec denseCodec;
    private transient TokenCodec tokenCodec;
    private transient Counter encoded;
    private transient Counter failed;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EncodeDocuments.class);

    public EncodeDocuments(NeuralOptions options) {
        this.options = options;
    }

    @Override
    public void open(MetricGroup metrics) {
        DenseEncoder dense = DenseEncoder.open(options.denseSpec(), options.intraOpThreads, options.batchSize);
        TokenEncoder tokens = options.tokensEnabled()
                ? TokenEncoder.open(options.tokenSpec(), options.intraOpThreads, options.batchSize) : null;
        encoder = new DocumentEncoder(dense, tokens);
        denseCodec = options.denseCodec();
        tokenCodec = options.tokenCodec();
        encoded = metrics.counter("documentsEncoded");
        failed = metrics.counter("documentsEncodeFailed");
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
                    failed.inc();
                    LOG.error("document {} could not be encoded and is indexed for BM25 only: {}",
                            upserts.get(i).docId, e.toString());
                }
            }
        }
        return batch;
    }

    private void attach(List<IndexRequest> requests, DocumentEncoder.Encoded[] vectors) {
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
