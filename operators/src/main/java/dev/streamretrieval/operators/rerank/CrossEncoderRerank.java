package dev.streamretrieval.operators.rerank;

import dev.streamretrieval.operators.batching.BatchContext;
import dev.streamretrieval.operators.batching.BatchFunction;
import dev.streamretrieval.operators.encoding.CrossEncoder;
import dev.streamretrieval.operators.encoding.ModelSpec;
import dev.streamretrieval.operators.gather.GatheredResult;
import dev.streamretrieval.schemas.Degradation;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.SearchResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.metrics.Counter;

/**
 * Last stage: in full mode, the cross-encoder scores (query, passage) for the top hits that carry a passage and
 * reorders them by its score; the hits below keep their order. Without a configured cross-encoder the stage is
 * skipped and the result says so in {@code notes}. When the cross-encoder fails (an error, or a score that is not
 * finite) the hits keep their order and the result's {@code degraded} says why. Other modes pass through.
 */
public class CrossEncoderRerank implements BatchFunction<GatheredResult, SearchResult> {
    private static final long serialVersionUID = 1L;

    /** The stage name in a result's {@code degraded} entry. */
    public static final String STAGE = "rerank";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CrossEncoderRerank.class);

    public static final String SKIPPED_NOTE = "cross_encoder: skipped, no cross-encoder model configured";

    /** Null when no cross-encoder is configured. */
    private final ModelSpec spec;
    private final int intraOpThreads;
    private final int batchSize;
    private transient CrossEncoder model;
    private transient Counter failed;

    public CrossEncoderRerank(ModelSpec spec, int intraOpThreads, int batchSize) {
        this.spec = spec;
        this.intraOpThreads = intraOpThreads;
        this.batchSize = batchSize;
    }

    @Override
    public void open(BatchContext context) {
        failed = context.metrics().counter("rerankFailed");
        if (spec != null) {
            model = CrossEncoder.open(spec, intraOpThreads, batchSize);
        }
    }

    @Override
    public List<SearchResult> apply(List<GatheredResult> batch) {
        List<SearchResult> out = new ArrayList<>(batch.size());
        for (GatheredResult g : batch) {
            out.add(rerank(g));
        }
        return out;
    }

    private SearchResult rerank(GatheredResult g) {
        SearchResult r = g.result;
        int n = 0;
        while (n < g.passages.length && n < r.hits.size() && g.passages[n] != null) {
            n++;
        }
        if (!"full".equals(r.mode) || n == 0) {
            return r;
        }
        if (model == null) {
            r.notes.add(SKIPPED_NOTE);
            return r;
        }
        long start = System.nanoTime();
        List<String> passages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            passages.add(g.passages[i]);
        }
        float[] scores;
        try {
            scores = model.score(g.queryText, passages);
            for (float x : scores) {
                if (!Float.isFinite(x)) {
                    throw new IllegalStateException("the cross-encoder returned a score of " + x);
                }
            }
        } catch (RuntimeException e) {
            // a model error must not fail the job (it would restart and meet the same query again): answer
            // with the order the earlier stages made, and say why it was not reranked
            failed.inc();
            String reason = "the cross-encoder failed, so the hits keep their MaxSim/fused order: " + e.getMessage();
            LOG.warn("query {}: {}", r.queryId, reason);
            r.degraded.add(new Degradation(STAGE, reason, "cross_encoder"));
            return r;
        }
        List<Hit> top = new ArrayList<>(r.hits.subList(0, n));
        for (int i = 0; i < n; i++) {
            top.get(i).scores.put("cross_encoder", (double) scores[i]);
            top.get(i).score = scores[i];
        }
        top.sort(Comparator.<Hit>comparingDouble(h -> -h.score).thenComparing(h -> h.docId));
        List<Hit> hits = new ArrayList<>(top);
        hits.addAll(r.hits.subList(n, r.hits.size()));
        for (int i = 0; i < hits.size(); i++) {
            hits.get(i).rank = i + 1;
        }
        r.hits = hits;
        r.timingsMs.put("cross_encoder", (System.nanoTime() - start) / 1e6);
        return r;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
