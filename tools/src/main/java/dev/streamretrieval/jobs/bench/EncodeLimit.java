package dev.streamretrieval.jobs.bench;

import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.encoding.DenseEncoder;
import dev.streamretrieval.operators.encoding.EncodeDocuments;
import dev.streamretrieval.operators.encoding.NeuralOptions;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.DocumentOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Section 1, the encode limit: the default model's throughput in this JVM with no Flink and no Kafka, on the
 * collection's documents in arrival order, in batches of the job's batch size with the job's intra-op threads
 * (what the job's encode stage sees: Kafka delivers documents in order and the micro-batcher cuts batches of
 * {@code --encode-batch-size}).
 *
 * <ul>
 *   <li>{@code onnx_docs_per_second}: ONNX Runtime alone — {@code OnnxModel.runSorted} (padding, tensors, the
 *       session run, copying the output) on pre-tokenised batches: the limit the targets are measured against;</li>
 *   <li>{@code encoder_docs_per_second}: the job's own encode function ({@link EncodeDocuments}) called directly:
 *       tokenisation + ONNX + pooling + token selection + codecs, i.e. the same work as the job's stage.</li>
 * </ul>
 */
final class EncodeLimit {
    private EncodeLimit() {}

    /**
     * ONNX Runtime alone once more (after the pipelines, before the Lucene pass): on a machine shared with other
     * work one measurement can land in a busy minute, so the limit the ratios use is the faster of the two.
     */
    static void remeasure(NeuralOptions n, List<Document> docs, Map<String, Object> out) {
        List<String> texts = texts(docs);
        double first = (Double) out.get("onnx_docs_per_second");
        double again;
        try (DenseEncoder dense = DenseEncoder.open(n.denseSpec(), n.intraOpThreads, n.batchSize)) {
            again = texts.size() / onnxSeconds(dense, dense.tokenizePassages(texts), n.batchSize);
        }
        out.put("onnx_docs_per_second_first", first);
        out.put("onnx_docs_per_second_second", Samples.round(again));
        out.put("onnx_docs_per_second", Samples.round(Math.max(first, again)));
    }

    private static List<String> texts(List<Document> docs) {
        List<String> texts = new ArrayList<>(docs.size());
        for (Document d : docs) {
            if (d.text != null || d.title != null) {
                texts.add(Document.indexableText(d.title, d.text));
            }
        }
        return texts;
    }

    /** Warm-up batch, then every batch in order through {@code OnnxModel.runSorted}; seconds for all. */
    private static double onnxSeconds(DenseEncoder dense, List<TokenizedText> tokens, int batch) {
        dense.model().runSorted(tokens.subList(0, Math.min(batch, tokens.size())), batch);
        long t0 = System.nanoTime();
        for (int start = 0; start < tokens.size(); start += batch) {
            dense.model().runSorted(tokens.subList(start, Math.min(tokens.size(), start + batch)), batch);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static Map<String, Object> run(NeuralOptions n, List<Document> docs) {
        int batch = n.batchSize;
        List<String> texts = texts(docs);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", n.denseModel);
        out.put("batch_size", batch);
        out.put("intra_op_threads", n.intraOpThreads);
        out.put("documents", texts.size());
        out.put("token_vectors", n.tokensEnabled());

        // ONNX Runtime alone, pre-tokenised
        try (DenseEncoder dense = DenseEncoder.open(n.denseSpec(), n.intraOpThreads, batch)) {
            List<TokenizedText> tokens = dense.tokenizePassages(texts);
            long tokenCount = 0;
            for (TokenizedText t : tokens) {
                tokenCount += t.length();
            }
            double seconds = onnxSeconds(dense, tokens, batch);
            out.put("onnx_seconds", Samples.round(seconds));
            out.put("onnx_docs_per_second", Samples.round(texts.size() / seconds));
            out.put("mean_tokens_per_doc", Samples.round(tokenCount / (double) Math.max(1, tokens.size())));
        }

        // the job's encode function, in-process
        EncodeDocuments encode = new EncodeDocuments(n);
        encode.open(BatchContext.of(new UnregisteredMetricsGroup(), d -> {
            throw new IllegalStateException("the bench collection must encode completely: " + d);
        }));
        try {
            List<IndexRequest> requests = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                IndexRequest r = new IndexRequest();
                r.op = DocumentOp.UPSERT;
                r.docId = "d" + i;
                r.text = texts.get(i);
                requests.add(r);
            }
            encode.apply(new ArrayList<>(requests.subList(0, Math.min(batch, requests.size())))); // warm-up
            long t0 = System.nanoTime();
            for (int start = 0; start < requests.size(); start += batch) {
                encode.apply(new ArrayList<>(requests.subList(start, Math.min(requests.size(), start + batch))));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.put("encoder_seconds", Samples.round(seconds));
            out.put("encoder_docs_per_second", Samples.round(texts.size() / seconds));
        } finally {
            encode.close();
        }
        return out;
    }
}
