package dev.streamretrieval.operators.gather;

import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
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
 *   <li>{@code hybrid}: {@link Fusion} of the global BM25 list (top bm25Depth of the candidates a shard put in
 *       its BM25 list) and the dense list (top denseDepth): RRF over the two rankings, or normalised linear over
 *       the global BM25 and dense scores of all candidates.</li>
 *   <li>{@code full}: candidates the shards scored with MaxSim first, ordered by {@link Fusion#full}, the
 *       combination {@code w_b·mm(bm25) + w_d·mm(dense) + (1 − w_b − w_d)·mm(maxsim)} of their global BM25, dense
 *       and MaxSim scores min-max normalised over those candidates (shown as {@value #FULL_LABEL}; weights 0 and 0
 *       order by MaxSim alone); then the rest in hybrid order. The cross-encoder later reorders the top
 *       rerankDepth.</li>
 * </ul>
 * Ties break by document id so results are deterministic.
 */
public final class ResultRanker implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * One ranked candidate: its index in the candidate array, the ordering score, every stage's score, and (hybrid,
     * full) its 1-based rank in each list the fusion read ({@code bm25}, {@code dense}; a list that does not hold
     * it has no entry), so a client can show why it ranks where it does.
     */
    public record Ranked(int index, double score, Map<String, Double> scores, Map<String, Integer> ranks) {}

    /** The name full mode's combined score is shown under in a hit's {@code scores}. */
    public static final String FULL_LABEL = "combined";

    private final Bm25 bm25;
    private final Fusion fusion;
    private final double fullBm25Weight;
    private final double fullDenseWeight;

    public ResultRanker(Bm25 bm25, GatherOptions options) {
        Fusion.checkFullWeights(options.fullBm25Weight, options.fullDenseWeight);
        this.bm25 = bm25;
        this.fusion = new Fusion(options.fusion, options.rrfK, options.linearBm25Weight);
        this.fullBm25Weight = options.fullBm25Weight;
        this.fullDenseWeight = options.fullDenseWeight;
    }

    public List<Ranked> rank(PendingQuery p) {
        Candidate[] cands = p.candidates;
        int m = cands.length;
        double[] bm25Scores = globalBm25(p);
        List<Map<String, Double>> stage = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            Map<String, Double> s = new LinkedHashMap<>();
            if (p.mode != QueryMode.DENSE && p.mode != QueryMode.COLBERT) {
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
            case BM25 -> byScore(m, i -> bm25Scores[i], stage, noRanks(m), cands);
            case DENSE -> byScore(m, i -> Float.isNaN(cands[i].denseScore) ? Double.NEGATIVE_INFINITY : cands[i].denseScore, stage, noRanks(m), cands);
            case HYBRID -> fused(p, bm25Scores, stage);
            case FULL -> full(p, bm25Scores, stage);
            case COLBERT -> byScore(m, i -> Float.isNaN(cands[i].maxSimScore) ? Double.NEGATIVE_INFINITY
                    : cands[i].maxSimScore, stage, noRanks(m), cands);
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

    private static List<Ranked> byScore(int m, Score score, List<Map<String, Double>> stage,
            List<Map<String, Integer>> ranks, Candidate[] cands) {
        List<Integer> order = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -score.of(i)).thenComparing(i -> cands[i].docId));
        List<Ranked> out = new ArrayList<>(m);
        for (int i : order) {
            out.add(new Ranked(i, score.of(i), stage.get(i), ranks.get(i)));
        }
        return out;
    }

    private List<Ranked> fused(PendingQuery p, double[] bm25Scores, List<Map<String, Double>> stage) {
        Candidate[] cands = p.candidates;
        int m = cands.length;
        Fusion.Method method = fusion.method(p.fusion);
        int[] bm25Ranking = ranking(m, i -> cands[i].inBm25List, i -> bm25Scores[i], cands, p.bm25Depth);
        int[] denseRanking = ranking(m, i -> cands[i].inDenseList && !Float.isNaN(cands[i].denseScore),
                i -> cands[i].denseScore, cands, p.denseDepth);
        double[] dense = new double[m];
        for (int i = 0; i < m; i++) {
            dense[i] = Float.isNaN(cands[i].denseScore) ? Double.NaN : cands[i].denseScore;
        }
        double[] fused = fusion.fuse(method, m, bm25Ranking, denseRanking, bm25Scores, dense);
        for (int i = 0; i < m; i++) {
            stage.get(i).put(method.label(), fused[i]);
        }
        List<Map<String, Integer>> ranks = noRanks(m);
        for (int r = 0; r < bm25Ranking.length; r++) {
            ranks.get(bm25Ranking[r]).put("bm25", r + 1);
        }
        for (int r = 0; r < denseRanking.length; r++) {
            ranks.get(denseRanking[r]).put("dense", r + 1);
        }
        return byScore(m, i -> fused[i], stage, ranks, cands);
    }

    /** An empty rank map per candidate. */
    private static List<Map<String, Integer>> noRanks(int m) {
        List<Map<String, Integer>> out = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            out.add(new LinkedHashMap<>());
        }
        return out;
    }

    private interface Member {
        boolean in(int i);
    }

    /** The first {@code depth} members of a list, by score descending then document id: candidate indices. */
    private static int[] ranking(int m, Member member, Score score, Candidate[] cands, int depth) {
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            if (member.in(i)) {
                members.add(i);
            }
        }
        members.sort(Comparator.<Integer>comparingDouble(i -> -score.of(i)).thenComparing(i -> cands[i].docId));
        return members.stream().limit(Math.max(0, depth)).mapToInt(Integer::intValue).toArray();
    }

    private List<Ranked> full(PendingQuery p, double[] bm25Scores, List<Map<String, Double>> stage) {
        Candidate[] cands = p.candidates;
        List<Ranked> hybrid = fused(p, bm25Scores, stage);
        List<Ranked> scored = new ArrayList<>();
        List<Ranked> rest = new ArrayList<>();
        for (Ranked r : hybrid) {
            (Float.isNaN(cands[r.index()].maxSimScore) ? rest : scored).add(r);
        }
        int n = scored.size();
        double[] b = new double[n];
        double[] d = new double[n];
        double[] ms = new double[n];
        for (int j = 0; j < n; j++) {
            Candidate c = cands[scored.get(j).index()];
            b[j] = bm25Scores[scored.get(j).index()];
            d[j] = Float.isNaN(c.denseScore) ? Double.NaN : c.denseScore;
            ms[j] = c.maxSimScore;
        }
        double[] combined = Fusion.full(n, b, d, ms, fullBm25Weight, fullDenseWeight);
        List<Ranked> out = new ArrayList<>(hybrid.size());
        for (int j = 0; j < n; j++) {
            Ranked r = scored.get(j);
            r.scores().put(FULL_LABEL, combined[j]);
            out.add(new Ranked(r.index(), combined[j], r.scores(), r.ranks()));
        }
        out.sort(Comparator.<Ranked>comparingDouble(r -> -r.score()).thenComparing(r -> cands[r.index()].docId));
        out.addAll(rest);
        return out;
    }
}
