package dev.streamretrieval.operators.gather;

import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.QueryMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders the merged shard candidates of one query for its mode, with collection-wide BM25 statistics.
 *
 * <ul>
 *   <li>{@code bm25}: BM25 re-scored with global N, avgdl and df.</li>
 *   <li>{@code dense}: dot product of normalised vectors (cosine).</li>
 *   <li>{@code hybrid}: fusion of the global BM25 list (top bm25Depth) and the dense list (top denseDepth):
 *       RRF {@code Σ_lists 1 / (rrfK + rank)} (Cormack et al., k = 60), or normalised linear
 *       {@code w · (s_bm25 − min)/(max − min) + (1 − w) · (s_dense − min)/(max − min)} over the candidates.</li>
 *   <li>{@code full}: candidates the shards scored with MaxSim first (by MaxSim), then the rest in hybrid order;
 *       the cross-encoder later reorders the top rerankDepth.</li>
 * </ul>
 * Ties break by document id so results are deterministic.
 */
public final class ResultRanker implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** One ranked candidate: its index in the candidate array, the ordering score and every stage's score. */
    public record Ranked(int index, double score, Map<String, Double> scores) {}

    private final Bm25 bm25;
    private final GatherOptions options;

    public ResultRanker(Bm25 bm25, GatherOptions options) {
        this.bm25 = bm25;
        this.options = options;
    }

    public List<Ranked> rank(PendingQuery p) {
        Candidate[] cands = p.candidates;
        int m = cands.length;
        double[] bm25Scores = globalBm25(p);
        List<Map<String, Double>> stage = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            Map<String, Double> s = new LinkedHashMap<>();
            if (p.mode != QueryMode.DENSE) {
                s.put("bm25", bm25Scores[i]);
            }
            if (!Float.isNaN(cands[i].denseScore)) {
                s.put("dense", (double) cands[i].denseScore);
            }
            if (!Float.isNaN(cands[i].maxSimScore)) {
                s.put("maxsim", (double) cands[i].maxSimScore);
            }
            stage.add(s);
        }
        QueryMode mode = p.mode == null ? QueryMode.BM25 : p.mode;
        List<Ranked> ranked = switch (mode) {
            case BM25 -> byScore(m, i -> bm25Scores[i], stage, cands);
            case DENSE -> byScore(m, i -> Float.isNaN(cands[i].denseScore) ? Double.NEGATIVE_INFINITY : cands[i].denseScore, stage, cands);
            case HYBRID -> fused(p, bm25Scores, stage);
            case FULL -> full(p, bm25Scores, stage);
        };
        return ranked.subList(0, Math.min(p.k, ranked.size()));
    }

    /** BM25 of every candidate with the summed statistics of the shards that answered. */
    private double[] globalBm25(PendingQuery p) {
        float avgLength = Bm25.averageLength(p.totalLength, p.docCount);
        float[] weightedIdf = new float[p.terms.length];
        for (int t = 0; t < p.terms.length; t++) {
            weightedIdf[t] = p.queryFreqs[t] * Bm25.idf(p.docFreqs[t], p.docCount);
        }
        double[] scores = new double[p.candidates.length];
        for (int i = 0; i < scores.length; i++) {
            Candidate c = p.candidates[i];
            double sum = 0;
            for (int t = 0; t < weightedIdf.length && t < c.termFreqs.length; t++) {
                sum += bm25.termScore(weightedIdf[t], c.termFreqs[t], c.length, avgLength);
            }
            scores[i] = (float) sum; // Lucene returns the sum as a float
        }
        return scores;
    }

    private interface Score {
        double of(int i);
    }

    private static List<Ranked> byScore(int m, Score score, List<Map<String, Double>> stage, Candidate[] cands) {
        List<Integer> order = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -score.of(i)).thenComparing(i -> cands[i].docId));
        List<Ranked> out = new ArrayList<>(m);
        for (int i : order) {
            out.add(new Ranked(i, score.of(i), stage.get(i)));
        }
        return out;
    }

    private List<Ranked> fused(PendingQuery p, double[] bm25Scores, List<Map<String, Double>> stage) {
        Candidate[] cands = p.candidates;
        int m = cands.length;
        double[] fused = new double[m];
        String name;
        String fusion = p.fusion != null ? p.fusion : options.fusion;
        if (fusion.equals("linear")) {
            name = "linear";
            double[] dense = new double[m];
            for (int i = 0; i < m; i++) {
                dense[i] = Float.isNaN(cands[i].denseScore) ? Double.NaN : cands[i].denseScore;
            }
            double[] nb = minMax(bm25Scores);
            double[] nd = minMax(dense);
            double w = options.linearBm25Weight;
            for (int i = 0; i < m; i++) {
                fused[i] = w * nb[i] + (1 - w) * nd[i];
            }
        } else {
            name = "rrf";
            List<Ranked> bm25List = byScore(m, i -> cands[i].inBm25List ? bm25Scores[i] : Double.NEGATIVE_INFINITY, stage, cands);
            List<Ranked> denseList = byScore(m, i -> cands[i].inDenseList && !Float.isNaN(cands[i].denseScore)
                    ? cands[i].denseScore : Double.NEGATIVE_INFINITY, stage, cands);
            addRrf(fused, bm25List, i -> cands[i].inBm25List, p.bm25Depth);
            addRrf(fused, denseList, i -> cands[i].inDenseList && !Float.isNaN(cands[i].denseScore), p.denseDepth);
        }
        for (int i = 0; i < m; i++) {
            stage.get(i).put(name, fused[i]);
        }
        return byScore(m, i -> fused[i], stage, cands);
    }

    private interface Member {
        boolean in(int i);
    }

    /** RRF: adds 1 / (k + rank) for the first {@code depth} members of a list (rank from 1). */
    private void addRrf(double[] fused, List<Ranked> list, Member member, int depth) {
        int rank = 0;
        for (Ranked r : list) {
            if (!member.in(r.index()) || rank >= depth) {
                continue;
            }
            rank++;
            fused[r.index()] += 1.0 / (options.rrfK + rank);
        }
    }

    /** (x − min) / (max − min) over the finite values; missing values count as the minimum (0). */
    static double[] minMax(double[] x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i])) {
                out[i] = 0;
            } else {
                out[i] = max > min ? (x[i] - min) / (max - min) : 1;
            }
        }
        return out;
    }

    private List<Ranked> full(PendingQuery p, double[] bm25Scores, List<Map<String, Double>> stage) {
        Candidate[] cands = p.candidates;
        List<Ranked> hybrid = fused(p, bm25Scores, stage);
        List<Ranked> scored = new ArrayList<>();
        List<Ranked> rest = new ArrayList<>();
        for (Ranked r : hybrid) {
            (Float.isNaN(cands[r.index()].maxSimScore) ? rest : scored).add(r);
        }
        scored.sort(Comparator.<Ranked>comparingDouble(r -> -cands[r.index()].maxSimScore)
                .thenComparing(r -> cands[r.index()].docId));
        List<Ranked> out = new ArrayList<>(hybrid.size());
        for (Ranked r : scored) {
            out.add(new Ranked(r.index(), cands[r.index()].maxSimScore, r.scores()));
        }
        out.addAll(rest);
        return out;
    }
}
