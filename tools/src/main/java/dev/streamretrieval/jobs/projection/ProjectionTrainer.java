package dev.streamretrieval.jobs.projection;

import dev.streamretrieval.operators.encoding.TokenProjection;
import dev.streamretrieval.schemas.Document;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Trains a {@link TokenProjection} with {@link ColbertObjective} on the judged queries of some encoded collections:
 * each training query gives, per epoch, one of its relevant documents as the positive and {@code negatives} of its
 * BM25 hard negatives (top-ranked by the job's BM25, not judged relevant); mini-batches come from one collection
 * at a time, so that the other queries' documents are in-batch negatives from the same domain. Adam, a fixed seed,
 * one thread and a fixed order make a run reproducible bit for bit on one machine.
 *
 * <p>P starts as the top {@code out} eigenvectors of the token vectors' second-moment matrix E[xxᵀ] (of a fixed
 * sample of training document tokens): the rank-{@code out} map that best preserves their dot products, so the
 * first MaxSim scores are close to the raw 384-dimensional ones and training starts from there.
 */
final class ProjectionTrainer {
    record Settings(int out, boolean bias, int epochs, int batch, int negatives, double learningRate, long seed,
            double validationFraction) {}

    /** The trained projection and each epoch's validation nDCG@10 (index 0: before training). */
    record Result(TokenProjection projection, List<Double> validation, double rawValidation) {}

    private final Settings s;
    private final PrintStream log;

    ProjectionTrainer(Settings s, PrintStream log) {
        this.s = s;
        this.log = log;
    }

    /** Whether a judged query is held out for validation: a fixed hash of collection and query id. */
    static boolean validation(String collection, String queryId, double fraction) {
        return Math.floorMod((collection + "/" + queryId).hashCode(), 1000) < fraction * 1000;
    }

    static List<Integer> queries(EncodedCollection c, double fraction, boolean validation) {
        List<Integer> out = new ArrayList<>();
        for (int qi = 0; qi < c.collection().queries().size(); qi++) {
            if (validation(c.name(), c.collection().queries().get(qi).id, fraction) == validation) {
                out.add(qi);
            }
        }
        return out;
    }

    Result train(List<QueryPools> training, String baseModel, Map<String, Object> record) {
        int in = training.get(0).collection().dimension;
        Random random = new Random(s.seed());
        float[] p = secondMomentEigenvectors(training, in, s.out(), random);
        float[] b = s.bias() ? new float[s.out()] : null;
        ColbertObjective objective = new ColbertObjective(in, s.out());
        Adam adamP = new Adam(p.length);
        Adam adamB = b == null ? null : new Adam(b.length);

        double raw = validate(training, null);
        List<Double> validation = new ArrayList<>();
        double start = validate(training, projection(baseModel, in, p, b, record));
        validation.add(start);
        log.printf(Locale.ROOT, "validation nDCG@10: raw %d-dim states %.4f, projection at start %.4f%n", in, raw, start);
        long t0 = System.nanoTime();
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            List<List<Example>> batches = batches(training, random);
            double sum = 0;
            int steps = 0;
            for (List<Example> batch : batches) {
                float[] gp = new float[p.length];
                float[] gb = b == null ? null : new float[b.length];
                double loss = objective.lossAndGradient(p, b, toBatch(batch), gp, gb);
                adamP.step(p, gp, s.learningRate());
                if (b != null) {
                    adamB.step(b, gb, s.learningRate());
                }
                sum += loss;
                steps++;
                if (steps % 10 == 0 || steps == batches.size()) {
                    log.printf(Locale.ROOT, "epoch %d step %d/%d loss %.4f (%.0f s)%n", epoch, steps, batches.size(),
                            sum / steps, (System.nanoTime() - t0) / 1e9);
                }
            }
            double v = validate(training, projection(baseModel, in, p, b, record));
            validation.add(v);
            log.printf(Locale.ROOT, "epoch %d: mean loss %.4f, validation nDCG@10 %.4f (%.0f s)%n", epoch,
                    sum / Math.max(1, steps), v, (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Object> rec = new LinkedHashMap<>(record);
        rec.put("validation_ndcg10_raw", round(raw));
        rec.put("validation_ndcg10_by_epoch", validation.stream().map(ProjectionTrainer::round).toList());
        rec.put("validation_ndcg10", round(validation.get(validation.size() - 1)));
        return new Result(projection(baseModel, in, p, b, rec), validation, raw);
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private TokenProjection projection(String baseModel, int in, float[] p, float[] b, Map<String, Object> record) {
        return new TokenProjection(baseModel, in, s.out(), p.clone(), b == null ? null : b.clone(), record);
    }

    /** Full-mode nDCG@10 over the validation queries of every training collection (projection null: raw). */
    double validate(List<QueryPools> training, TokenProjection projection) {
        double sum = 0;
        int n = 0;
        for (QueryPools pools : training) {
            List<Integer> val = queries(pools.collection(), s.validationFraction(), true);
            if (val.isEmpty()) {
                continue;
            }
            float[][] ms = PoolEvaluation.maxSim(pools, projection, val);
            Map<String, List<String>> full = PoolEvaluation.rankings(pools, ms, val, true).get("full");
            sum += PoolEvaluation.ndcg(full, pools.collection()) * val.size();
            n += val.size();
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** A training example: collection, query, positive document, negatives. */
    private record Example(EncodedCollection c, int query, int positive, int[] negatives) {}

    private List<List<Example>> batches(List<QueryPools> training, Random random) {
        List<List<Example>> batches = new ArrayList<>();
        for (QueryPools pools : training) {
            EncodedCollection c = pools.collection();
            List<Document> docs = c.collection().documents();
            Map<String, Integer> index = docIndex(c);
            List<Example> examples = new ArrayList<>();
            for (int qi : queries(c, s.validationFraction(), false)) {
                String qid = c.collection().queries().get(qi).id;
                List<Integer> relevant = new ArrayList<>();
                for (String d : c.collection().qrels().relevant(qid)) {
                    Integer at = index.get(d);
                    if (at != null && c.tokens(at) > 0) {
                        relevant.add(at);
                    }
                }
                if (relevant.isEmpty()) {
                    continue;
                }
                int positive = relevant.get(random.nextInt(relevant.size()));
                List<Integer> hard = new ArrayList<>();
                for (int d : pools.pools[qi].hardNegatives()) {
                    if (c.tokens(d) > 0) {
                        hard.add(d);
                    }
                }
                Collections.shuffle(hard, random);
                int[] negatives = hard.stream().limit(s.negatives()).mapToInt(Integer::intValue).toArray();
                examples.add(new Example(c, qi, positive, negatives));
            }
            Collections.shuffle(examples, random);
            for (int from = 0; from < examples.size(); from += s.batch()) {
                batches.add(examples.subList(from, Math.min(examples.size(), from + s.batch())));
            }
            if (docs.isEmpty()) {
                throw new IllegalStateException(c.name() + " has no documents");
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    private final Map<EncodedCollection, Map<String, Integer>> indexes = new HashMap<>();

    private Map<String, Integer> docIndex(EncodedCollection c) {
        return indexes.computeIfAbsent(c, k -> {
            Map<String, Integer> m = new HashMap<>();
            List<Document> docs = k.collection().documents();
            for (int i = 0; i < docs.size(); i++) {
                m.put(docs.get(i).id, i);
            }
            return m;
        });
    }

    private ColbertObjective.Batch toBatch(List<Example> examples) {
        EncodedCollection c = examples.get(0).c();
        Map<Integer, Integer> slot = new LinkedHashMap<>();
        for (Example e : examples) {
            slot.putIfAbsent(e.positive(), slot.size());
            for (int d : e.negatives()) {
                slot.putIfAbsent(d, slot.size());
            }
        }
        float[][] docs = new float[slot.size()][];
        List<Integer> order = new ArrayList<>(slot.keySet());
        for (int i = 0; i < docs.length; i++) {
            docs[i] = c.docTokens[order.get(i)];
        }
        float[][] queries = new float[examples.size()][];
        int[] positive = new int[examples.size()];
        boolean[][] excluded = new boolean[examples.size()][docs.length];
        for (int a = 0; a < examples.size(); a++) {
            Example e = examples.get(a);
            queries[a] = c.queryTokens[e.query()];
            positive[a] = slot.get(e.positive());
            Set<String> relevant = c.collection().qrels().relevant(c.collection().queries().get(e.query()).id);
            for (int i = 0; i < docs.length; i++) {
                excluded[a][i] = i != positive[a] && relevant.contains(c.collection().documents().get(order.get(i)).id);
            }
        }
        return new ColbertObjective.Batch(queries, docs, positive, excluded);
    }

    /**
     * The top {@code out} eigenvectors (as the columns of an in × out matrix) of Σ x xᵀ over a fixed sample of
     * training document tokens, by orthogonal iteration from a seeded random start.
     */
    static float[] secondMomentEigenvectors(List<QueryPools> training, int in, int out, Random random) {
        double[] m = new double[in * in];
        int sampled = 0;
        int budget = 20_000;
        for (QueryPools pools : training) {
            EncodedCollection c = pools.collection();
            int share = budget / training.size();
            int stride = Math.max(1, c.documentCount() / Math.max(1, share / 100));
            int taken = 0;
            for (int d = 0; d < c.documentCount() && taken < share; d += stride) {
                float[] x = c.docTokens[d];
                for (int t = 0; t < c.tokens(d) && taken < share; t++) {
                    int r = t * in;
                    for (int i = 0; i < in; i++) {
                        double xi = x[r + i];
                        int row = i * in;
                        for (int j = 0; j < in; j++) {
                            m[row + j] += xi * x[r + j];
                        }
                    }
                    taken++;
                }
            }
            sampled += taken;
        }
        if (sampled == 0) {
            throw new IllegalStateException("no document tokens to initialise the projection from");
        }
        double[][] v = new double[out][in];
        for (double[] col : v) {
            for (int i = 0; i < in; i++) {
                col[i] = random.nextGaussian();
            }
        }
        orthonormalise(v);
        for (int iteration = 0; iteration < 30; iteration++) {
            double[][] next = new double[out][in];
            for (int c = 0; c < out; c++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    int row = i * in;
                    for (int j = 0; j < in; j++) {
                        sum += m[row + j] * v[c][j];
                    }
                    next[c][i] = sum;
                }
            }
            orthonormalise(next);
            v = next;
        }
        float[] p = new float[in * out];
        for (int k = 0; k < in; k++) {
            for (int o = 0; o < out; o++) {
                p[k * out + o] = (float) v[o][k];
            }
        }
        return p;
    }

    /** Modified Gram–Schmidt over the rows. */
    private static void orthonormalise(double[][] v) {
        for (int a = 0; a < v.length; a++) {
            for (int b = 0; b < a; b++) {
                double dot = 0;
                for (int i = 0; i < v[a].length; i++) {
                    dot += v[a][i] * v[b][i];
                }
                for (int i = 0; i < v[a].length; i++) {
                    v[a][i] -= dot * v[b][i];
                }
            }
            double norm = 0;
            for (double x : v[a]) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < v[a].length; i++) {
                v[a][i] /= norm;
            }
        }
    }

    /** Adam (Kingma and Ba 2015) with β1 = 0.9, β2 = 0.999, ε = 1e-8. */
    static final class Adam {
        private final double[] m;
        private final double[] v;
        private int t;

        Adam(int size) {
            m = new double[size];
            v = new double[size];
        }

        void step(float[] params, float[] grad, double lr) {
            t++;
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            for (int i = 0; i < params.length; i++) {
                m[i] = 0.9 * m[i] + 0.1 * grad[i];
                v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
                params[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8));
            }
        }
    }
}
