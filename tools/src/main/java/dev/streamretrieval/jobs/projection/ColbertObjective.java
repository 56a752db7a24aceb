package dev.streamretrieval.jobs.projection;

/**
 * ColBERT's training objective for a linear projection of frozen token vectors, with its gradient derived by hand.
 *
 * <pre>
 *   ŷ(x)     = (Pᵀx + b) / ‖Pᵀx + b‖                          projected, L2-normalised token vector
 *   S(q, d)  = Σ_i max_j ŷ(q_i) · ŷ(d_j)                     MaxSim
 *   L        = (1/B) Σ_q [ log Σ_{d ∈ C_q} exp S(q, d) − S(q, d⁺_q) ]   softmax cross-entropy, positive d⁺_q
 * </pre>
 * C_q is every document of the batch (its own hard negatives and the other queries' positives and negatives, the
 * in-batch negatives) except those judged relevant to q other than d⁺_q.
 *
 * <p>Gradient. With g(q, d) = ∂L/∂S = (softmax_C_q(S)(d) − [d = d⁺_q]) / B, MaxSim is linear in the pair of
 * vectors its max picks (j* = argmax_j; ties and the points where j* changes have measure zero), so
 * ∂L/∂ŷ(q_i) += g · ŷ(d_j*) and ∂L/∂ŷ(d_j*) += g · ŷ(q_i). Through the normalisation y → ŷ = y/‖y‖:
 * ∂L/∂y = (∂L/∂ŷ − ŷ (ŷ · ∂L/∂ŷ)) / ‖y‖; through y = Pᵀx + b: ∂L/∂P = Σ x (∂L/∂y)ᵀ and ∂L/∂b = Σ ∂L/∂y over
 * every query and document token. {@code ColbertObjectiveTest} checks this against finite differences.
 *
 * <p>Layout: P is in × out row-major by input dimension (as {@link
 * dev.streamretrieval.operators.encoding.TokenProjection} stores it); token vectors are flattened rows. Inner
 * loops run over the output dimension or over document tokens without a reduction, so HotSpot vectorises them.
 */
final class ColbertObjective {
    private final int in;
    private final int out;

    ColbertObjective(int in, int out) {
        this.in = in;
        this.out = out;
    }

    /**
     * One mini-batch: flattened token vectors of its queries and distinct documents, each query's positive
     * (a document index), and {@code excluded[q][d]}: documents left out of q's softmax.
     */
    record Batch(float[][] queries, float[][] documents, int[] positive, boolean[][] excluded) {}

    /** Projected, normalised rows: {@code rows} n × out row-major, {@code byDimension} out × n, norms ‖y‖. */
    private static final class Projected {
        final int n;
        final float[] rows;
        final float[] byDimension;
        final float[] norms;

        Projected(int n, int out) {
            this.n = n;
            this.rows = new float[n * out];
            this.byDimension = new float[n * out];
            this.norms = new float[n];
        }
    }

    private Projected project(float[] p, float[] b, float[] x) {
        int n = x.length / in;
        Projected y = new Projected(n, out);
        for (int j = 0; j < n; j++) {
            int rowOut = j * out;
            if (b != null) {
                System.arraycopy(b, 0, y.rows, rowOut, out);
            }
            int rowIn = j * in;
            for (int k = 0; k < in; k++) {
                float xk = x[rowIn + k];
                int pk = k * out;
                for (int o = 0; o < out; o++) {
                    y.rows[rowOut + o] += xk * p[pk + o];
                }
            }
            double sq = 0;
            for (int o = 0; o < out; o++) {
                sq += y.rows[rowOut + o] * y.rows[rowOut + o];
            }
            float norm = (float) Math.sqrt(sq);
            y.norms[j] = norm;
            float inv = norm > 0 ? 1f / norm : 0f;
            for (int o = 0; o < out; o++) {
                float v = y.rows[rowOut + o] * inv;
                y.rows[rowOut + o] = v;
                y.byDimension[o * n + j] = v;
            }
        }
        return y;
    }

    /** MaxSim of query rows against a document, filling {@code argmax[i]}; 0 for a document without tokens. */
    private float maxSim(Projected q, Projected d, int[] argmax, float[] scratch) {
        float total = 0;
        for (int i = 0; i < q.n; i++) {
            java.util.Arrays.fill(scratch, 0, d.n, 0f);
            int qi = i * out;
            for (int o = 0; o < out; o++) {
                float qo = q.rows[qi + o];
                int base = o * d.n;
                for (int j = 0; j < d.n; j++) {
                    scratch[j] += qo * d.byDimension[base + j];
                }
            }
            int best = -1;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < d.n; j++) {
                if (scratch[j] > max) {
                    max = scratch[j];
                    best = j;
                }
            }
            argmax[i] = best;
            if (best >= 0) {
                total += max;
            }
        }
        return total;
    }

    /** The batch's loss; with non-null {@code gradP} (and {@code gradB} when b is used), adds its gradient. */
    double lossAndGradient(float[] p, float[] b, Batch batch, float[] gradP, float[] gradB) {
        int queries = batch.queries().length;
        int docs = batch.documents().length;
        Projected[] q = new Projected[queries];
        Projected[] d = new Projected[docs];
        int maxTokens = 1;
        for (int i = 0; i < queries; i++) {
            q[i] = project(p, b, batch.queries()[i]);
        }
        for (int i = 0; i < docs; i++) {
            d[i] = project(p, b, batch.documents()[i]);
            maxTokens = Math.max(maxTokens, d[i].n);
        }
        float[] scratch = new float[maxTokens];
        double[][] s = new double[queries][docs];
        int[][][] argmax = new int[queries][docs][];
        for (int a = 0; a < queries; a++) {
            for (int c = 0; c < docs; c++) {
                argmax[a][c] = new int[q[a].n];
                if (!batch.excluded()[a][c]) {
                    s[a][c] = maxSim(q[a], d[c], argmax[a][c], scratch);
                }
            }
        }
        double loss = 0;
        double[][] g = new double[queries][docs];
        for (int a = 0; a < queries; a++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < docs; c++) {
                if (!batch.excluded()[a][c]) {
                    max = Math.max(max, s[a][c]);
                }
            }
            double sum = 0;
            for (int c = 0; c < docs; c++) {
                if (!batch.excluded()[a][c]) {
                    sum += Math.exp(s[a][c] - max);
                }
            }
            double logZ = max + Math.log(sum);
            int pos = batch.positive()[a];
            loss += logZ - s[a][pos];
            for (int c = 0; c < docs; c++) {
                if (!batch.excluded()[a][c]) {
                    g[a][c] = (Math.exp(s[a][c] - logZ) - (c == pos ? 1 : 0)) / queries;
                }
            }
        }
        loss /= queries;
        if (gradP == null) {
            return loss;
        }
        // ∂L/∂ŷ for every query and document token
        float[][] gq = new float[queries][];
        float[][] gd = new float[docs][];
        for (int a = 0; a < queries; a++) {
            gq[a] = new float[q[a].n * out];
        }
        for (int c = 0; c < docs; c++) {
            gd[c] = new float[d[c].n * out];
        }
        for (int a = 0; a < queries; a++) {
            for (int c = 0; c < docs; c++) {
                float w = (float) g[a][c];
                if (w == 0) {
                    continue;
                }
                int[] am = argmax[a][c];
                for (int i = 0; i < am.length; i++) {
                    int j = am[i];
                    if (j < 0) {
                        continue;
                    }
                    int qi = i * out;
                    int dj = j * out;
                    for (int o = 0; o < out; o++) {
                        gq[a][qi + o] += w * d[c].rows[dj + o];
                        gd[c][dj + o] += w * q[a].rows[qi + o];
                    }
                }
            }
        }
        float[] dy = new float[out];
        for (int a = 0; a < queries; a++) {
            backward(q[a], gq[a], batch.queries()[a], dy, gradP, gradB);
        }
        for (int c = 0; c < docs; c++) {
            backward(d[c], gd[c], batch.documents()[c], dy, gradP, gradB);
        }
        return loss;
    }

    /** Through the normalisation and the linear map, for every row with a non-zero gradient. */
    private void backward(Projected y, float[] gHat, float[] x, float[] dy, float[] gradP, float[] gradB) {
        for (int j = 0; j < y.n; j++) {
            int r = j * out;
            double dot = 0;
            boolean any = false;
            for (int o = 0; o < out; o++) {
                dot += y.rows[r + o] * gHat[r + o];
                any |= gHat[r + o] != 0;
            }
            if (!any || y.norms[j] == 0) {
                continue;
            }
            float inv = 1f / y.norms[j];
            for (int o = 0; o < out; o++) {
                dy[o] = (gHat[r + o] - y.rows[r + o] * (float) dot) * inv;
            }
            int xr = j * in;
            for (int k = 0; k < in; k++) {
                float xk = x[xr + k];
                if (xk == 0) {
                    continue;
                }
                int pk = k * out;
                for (int o = 0; o < out; o++) {
                    gradP[pk + o] += xk * dy[o];
                }
            }
            if (gradB != null) {
                for (int o = 0; o < out; o++) {
                    gradB[o] += dy[o];
                }
            }
        }
    }
}
