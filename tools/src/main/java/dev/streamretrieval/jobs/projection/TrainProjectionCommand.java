package dev.streamretrieval.jobs.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.operators.encoding.TokenProjection;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code train-projection}: encodes the training collections once (cached), trains a 384 → 128 token projection
 * with the ColBERT objective, and writes it; with {@code --leave-one-out}, trains one projection per collection
 * on the others and reports each held-out collection's nDCG@10 per mode (full mode with the raw token vectors and
 * with the projection, next to bm25, dense and the hybrids), all through {@link QueryPools} and
 * {@link PoolEvaluation}.
 */
public final class TrainProjectionCommand {
    private TrainProjectionCommand() {}

    public static final List<String> SHARED_COLLECTIONS = List.of("cranfield", "nfcorpus", "cisi", "medline", "npl");

    /** The command's own options (the leave-one-out flag besides). */
    static final List<JobOptions.Extra> OPTIONS = List.of(
            new JobOptions.Extra("data-dir", null,
                    "folder holding the BEIR collections (default ../shared/data next to the project root)"),
            new JobOptions.Extra("collections", String.join(",", SHARED_COLLECTIONS), "collections to train on"),
            new JobOptions.Extra("out", "target/token-projection.json", "the projection file to write"),
            new JobOptions.Extra("cache-dir", "target/projection-cache",
                    "where the encoded token states are kept between runs"),
            new JobOptions.Extra("epochs", "3", "passes over the training queries"),
            new JobOptions.Extra("batch", "16", "queries per mini-batch"),
            new JobOptions.Extra("negatives", "6",
                    "BM25 hard negatives per query and epoch, besides the in-batch negatives"),
            new JobOptions.Extra("hard-negative-depth", "20", "BM25 ranks the hard negatives are drawn from"),
            new JobOptions.Extra("pool-depth", "30",
                    "BM25 candidates per query that every mode re-ranks and the encoder encodes"),
            new JobOptions.Extra("learning-rate", "0.001", "Adam learning rate"),
            new JobOptions.Extra("seed", "42", "random seed: initialisation, positives, negatives and batch order"),
            new JobOptions.Extra("projection-dim", "128", "output dimension"),
            new JobOptions.Extra("bias", "false", "true or false: learn a bias next to the matrix"),
            new JobOptions.Extra("validation-fraction", "0.2", "judged queries per collection held out for validation"),
            new JobOptions.Extra("report", null, "leave-one-out: write the results as JSON"));

    /** The command's own options, for --help. */
    public static Map<String, String> optionDescriptions() {
        Map<String, String> m = JobOptions.Extra.descriptions(OPTIONS);
        m.put("leave-one-out", "instead of one projection: per collection, train on the others and evaluate on it");
        return m;
    }

    public static int run(List<String> args) throws Exception {
        Map<String, String> extras = JobOptions.Extra.defaults(OPTIONS);
        List<String> positional = new ArrayList<>();
        JobOptions o = JobOptions.parse(args, positional, Set.of("leave-one-out"), extras);
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("unexpected arguments " + positional);
        }
        if (!o.neural.tokensEnabled()) {
            throw new IllegalArgumentException("train-projection needs token vectors (a dense model and --token-model)");
        }
        ProjectionTrainer.Settings settings = new ProjectionTrainer.Settings(
                Integer.parseInt(extras.get("projection-dim")), Boolean.parseBoolean(extras.get("bias")),
                Integer.parseInt(extras.get("epochs")), Integer.parseInt(extras.get("batch")),
                Integer.parseInt(extras.get("negatives")), Double.parseDouble(extras.get("learning-rate")),
                Long.parseLong(extras.get("seed")), Double.parseDouble(extras.get("validation-fraction")));
        Path dataDir = extras.get("data-dir") != null ? Path.of(extras.get("data-dir")) : sharedData();
        Path cacheDir = Path.of(extras.get("cache-dir"));
        String baseModel = o.neural.tokenSpec().name;
        int hardDepth = Integer.parseInt(extras.get("hard-negative-depth"));
        int poolDepth = Integer.parseInt(extras.get("pool-depth"));
        long t0 = System.nanoTime();
        List<QueryPools> pools = new ArrayList<>();
        for (String name : extras.get("collections").split(",")) {
            Path folder = dataDir.resolve(name.strip());
            if (!Files.isRegularFile(folder.resolve("corpus.jsonl"))) {
                throw new IllegalArgumentException("collection " + folder + " has no corpus.jsonl");
            }
            BeirCollection collection = BeirCollection.load(folder);
            QueryPools.Bm25Pools bm25 = QueryPools.bm25(collection, o, poolDepth);
            java.util.BitSet subset = bm25.toEncode(collection, settings.validationFraction());
            System.err.printf(Locale.ROOT, "%s: %d of %d documents to encode (BM25 top %d of %d judged queries,"
                    + " training positives)%n", name, subset.cardinality(), collection.documents().size(), poolDepth,
                    collection.queries().size());
            EncodedCollection encoded = EncodedCollection.load(collection, folder, o.neural, cacheDir, subset);
            pools.add(new QueryPools(encoded, bm25, o, hardDepth));
            System.err.printf(Locale.ROOT, "%s: %d documents, %d judged queries ready (%.0f s)%n", name,
                    collection.documents().size(), collection.queries().size(), (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("command", "bin/hybrid train-projection " + String.join(" ", args));
        record.put("collections", pools.stream().map(p -> p.collection().name()).toList());
        record.put("settings", settings);
        if (extras.containsKey("leave-one-out")) {
            leaveOneOut(pools, settings, baseModel, record, o, extras.get("report"), t0);
            return 0;
        }
        ProjectionTrainer.Result result = new ProjectionTrainer(settings, System.err).train(pools, baseModel, record);
        Path out = Path.of(extras.get("out"));
        result.projection().write(out);
        double v = result.validation().get(result.validation().size() - 1);
        System.out.printf(Locale.ROOT, "wrote %s (%s, %d → %d, sha256 %s): validation nDCG@10 %.4f (raw %d-dim"
                + " states %.4f), %.0f s in all%n", out, baseModel, result.projection().inputDimension(),
                result.projection().outputDimension(), result.projection().checksum(), v,
                result.projection().inputDimension(), result.rawValidation(), (System.nanoTime() - t0) / 1e9);
        compareWithShipped(baseModel, v);
        return 0;
    }

    /** Prints how this run's validation nDCG compares with the shipped default's recorded one. */
    private static void compareWithShipped(String baseModel, double validation) throws java.io.IOException {
        try (InputStream s = TokenProjection.class.getResourceAsStream(TokenProjection.defaultResource(baseModel))) {
            if (s == null) {
                return;
            }
            Map<?, ?> json = new ObjectMapper().readValue(s, Map.class);
            Object shipped = json.get("training") instanceof Map<?, ?> t ? t.get("validation_ndcg10") : null;
            if (shipped instanceof Number n) {
                System.out.printf(Locale.ROOT, "shipped default for %s: validation nDCG@10 %.4f; this run %.4f"
                        + " (difference %+.4f)%n", baseModel, n.doubleValue(), validation, validation - n.doubleValue());
            }
        }
    }

    private static void leaveOneOut(List<QueryPools> pools, ProjectionTrainer.Settings settings, String baseModel,
            Map<String, Object> record, JobOptions o, String report, long t0) throws Exception {
        boolean rrf = o.gather.fusion.equalsIgnoreCase("rrf");
        List<Map<String, Object>> rows = new ArrayList<>();
        // raw MaxSim does not depend on the fold: computed once per collection, for all its queries
        Map<QueryPools, float[][]> rawMaxSim = new java.util.HashMap<>();
        for (QueryPools p : pools) {
            rawMaxSim.put(p, PoolEvaluation.maxSim(p, null, allQueries(p)));
        }
        for (QueryPools heldOut : pools) {
            List<QueryPools> training = new ArrayList<>(pools);
            training.remove(heldOut);
            System.err.printf("%n== leave out %s: training on %s%n", heldOut.collection().name(),
                    training.stream().map(p -> p.collection().name()).toList());
            ProjectionTrainer.Result r = new ProjectionTrainer(settings, System.err).train(training, baseModel, record);
            List<Integer> all = allQueries(heldOut);
            float[][] heldOutMaxSim = PoolEvaluation.maxSim(heldOut, r.projection(), all);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("collection", heldOut.collection().name());
            row.put("queries", all.size());
            Map<String, Map<String, List<String>>> raw = PoolEvaluation.rankings(heldOut, rawMaxSim.get(heldOut), all,
                    rrf);
            Map<String, Map<String, List<String>>> projected = PoolEvaluation.rankings(heldOut, heldOutMaxSim, all, rrf);
            Map<String, Double> ndcg = new LinkedHashMap<>();
            for (String mode : List.of("bm25", "dense", "hybrid", "hybrid-linear")) {
                ndcg.put(mode, PoolEvaluation.ndcg(raw.get(mode), heldOut.collection()));
            }
            ndcg.put("full-raw", PoolEvaluation.ndcg(raw.get("full"), heldOut.collection()));
            ndcg.put("full-projected", PoolEvaluation.ndcg(projected.get("full"), heldOut.collection()));
            // item 3: weights of a linear combination chosen on the training collections' validation queries,
            // with the fold's projection and with the raw states (the held-out collection never picks its weights)
            double[] w = chooseWeights(training, p -> PoolEvaluation.maxSim(p, r.projection(),
                    ProjectionTrainer.queries(p.collection(), settings.validationFraction(), true)),
                    settings.validationFraction(), rrf);
            ndcg.put("combined-linear", PoolEvaluation.combinedNdcg(heldOut, heldOutMaxSim, all, w[0], w[1], false, rrf));
            ndcg.put("combined-rrf3", PoolEvaluation.combinedNdcg(heldOut, heldOutMaxSim, all, 0, 0, true, rrf));
            row.put("combined_linear_weights", weights(w));
            double[] wRaw = chooseWeights(training, rawMaxSim::get, settings.validationFraction(), rrf);
            ndcg.put("combined-linear-raw", PoolEvaluation.combinedNdcg(heldOut, rawMaxSim.get(heldOut), all, wRaw[0],
                    wRaw[1], false, rrf));
            row.put("combined_linear_raw_weights", weights(wRaw));
            row.put("ndcg10", ndcg);
            row.put("training_validation_ndcg10", r.validation());
            rows.add(row);
            System.out.printf(Locale.ROOT, "%s: %s (%.0f s)%n", heldOut.collection().name(), ndcg,
                    (System.nanoTime() - t0) / 1e9);
        }
        // the weights a job would ship: chosen on every collection's validation queries (raw states, no projection)
        double[] wAll = chooseWeights(pools, rawMaxSim::get, settings.validationFraction(), rrf);
        System.out.println();
        System.out.println("| held-out collection | bm25 | dense | hybrid (RRF) | hybrid-linear | MaxSim alone, raw 384-d"
                + " | MaxSim alone, projected 128-d | combined linear, projected (weights b/d/m) | combined linear, raw"
                + " (weights b/d/m) | combined RRF-3, projected | combined projected − hybrid-linear | combined raw −"
                + " hybrid-linear |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        double sumProjected = 0;
        double sumRaw = 0;
        for (Map<String, Object> row : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Double> n = (Map<String, Double>) row.get("ndcg10");
            @SuppressWarnings("unchecked")
            Map<String, Double> w = (Map<String, Double>) row.get("combined_linear_weights");
            @SuppressWarnings("unchecked")
            Map<String, Double> wr = (Map<String, Double>) row.get("combined_linear_raw_weights");
            double diffProjected = n.get("combined-linear") - n.get("hybrid-linear");
            double diffRaw = n.get("combined-linear-raw") - n.get("hybrid-linear");
            sumProjected += diffProjected;
            sumRaw += diffRaw;
            System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f (%.1f/%.1f/%.1f) |"
                    + " %.4f (%.1f/%.1f/%.1f) | %.4f | %+.4f | %+.4f |%n",
                    row.get("collection"), n.get("bm25"), n.get("dense"), n.get("hybrid"), n.get("hybrid-linear"),
                    n.get("full-raw"), n.get("full-projected"), n.get("combined-linear"), w.get("bm25"),
                    w.get("dense"), w.get("maxsim"), n.get("combined-linear-raw"), wr.get("bm25"), wr.get("dense"),
                    wr.get("maxsim"), n.get("combined-rrf3"), diffProjected, diffRaw);
        }
        System.out.printf(Locale.ROOT, "mean combined − hybrid-linear: projected %+.4f, raw %+.4f; weights chosen on all"
                + " %d collections (raw states) b/d/m %.1f/%.1f/%.1f; %.0f s in all%n", sumProjected / rows.size(),
                sumRaw / rows.size(), pools.size(), wAll[0], wAll[1], ProjectionTrainer.round(1 - wAll[0] - wAll[1]),
                (System.nanoTime() - t0) / 1e9);
        if (report != null) {
            Map<String, Object> out = new LinkedHashMap<>(record);
            out.put("leave_one_out", rows);
            out.put("combined_linear_raw_weights_all_collections", weights(wAll));
            Path reportFile = Path.of(report).toAbsolutePath();
            Files.createDirectories(reportFile.getParent());
            Files.write(reportFile, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(out));
        }
    }

    private static List<Integer> allQueries(QueryPools p) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < p.pools.length; i++) {
            all.add(i);
        }
        return all;
    }

    private static Map<String, Double> weights(double[] w) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("bm25", w[0]);
        m.put("dense", w[1]);
        m.put("maxsim", ProjectionTrainer.round(1 - w[0] - w[1]));
        return m;
    }

    /**
     * The (BM25, dense) weights, MaxSim taking the rest, on a 0.1 grid, with the best mean nDCG@10 over the
     * validation queries of {@code training} (macro average over collections).
     */
    static double[] chooseWeights(List<QueryPools> training, java.util.function.Function<QueryPools, float[][]> maxSim,
            double fraction, boolean rrf) {
        List<float[][]> maxSims = new ArrayList<>();
        List<List<Integer>> queries = new ArrayList<>();
        for (QueryPools pools : training) {
            queries.add(ProjectionTrainer.queries(pools.collection(), fraction, true));
            maxSims.add(maxSim.apply(pools));
        }
        double best = -1;
        double[] bestW = {0, 0};
        for (int b = 0; b <= 10; b++) {
            for (int d = 0; b + d <= 10; d++) {
                double sum = 0;
                for (int i = 0; i < training.size(); i++) {
                    if (!queries.get(i).isEmpty()) {
                        sum += PoolEvaluation.combinedNdcg(training.get(i), maxSims.get(i), queries.get(i), b / 10.0,
                                d / 10.0, false, rrf);
                    }
                }
                if (sum > best + 1e-12) {
                    best = sum;
                    bestW = new double[] {b / 10.0, d / 10.0};
                }
            }
        }
        return bestW;
    }

    /** {@code ../shared/data} next to the project root (the folder holding bin/hybrid), found from here upwards. */
    public static Path sharedData() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("bin").resolve("hybrid")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                Path data = dir.resolveSibling("shared").resolve("data");
                if (!Files.isDirectory(data)) {
                    throw new IllegalArgumentException("the shared collections are not at " + data
                            + "; pass --data-dir");
                }
                return data;
            }
            dir = dir.getParent();
        }
        throw new IllegalArgumentException("not inside the project (no bin/hybrid above " + Path.of("").toAbsolutePath()
                + "), so ../shared/data cannot be found; pass --data-dir");
    }
}
