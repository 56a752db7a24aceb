package dev.streamretrieval.jobs.cli;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.RetrievalOptions;
import dev.streamretrieval.jobs.bench.BenchCommand;
import dev.streamretrieval.jobs.bench.ScaleCommand;
import dev.streamretrieval.jobs.projection.TrainProjectionCommand;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Every subcommand's options as a picocli model, for {@code --help} and for checking the arguments before a
 * command runs: an unknown option fails naming the nearest valid one. The commands still read their values
 * themselves ({@link JobOptions#parse} for the job options), so the model adds help and checks without changing
 * what an option means. Job options come from {@link RetrievalOptions#descriptions()}, so the help cannot miss one.
 */
final class CommandLineModel {
    private CommandLineModel() {}

    /** A command's own option: {@code label} null for a flag (no value), in brackets for an optional value. */
    record Own(String name, String label, String description) {}

    /** A subcommand: what it does, its own options, whether it takes the job options, its positional arguments. */
    record Command(String name, String summary, List<Own> options, boolean jobOptions, String positionals,
            String positionalsDescription) {}

    /** The subcommands in the order the top-level usage lists them. */
    static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        add(new Command("run", "Start Kafka (embedded unless --bootstrap-servers) and the job, load a collection, "
                + "then answer queries typed on stdin (Ctrl-C or Ctrl-D stops).", List.of(
                new Own("collection", "PATH", "a BEIR folder or a JSONL file of documents (default: the shipped sample)"),
                new Own("no-load", null, "load nothing; query what the topics already hold"),
                new Own("mode", "MODE", "bm25, dense, hybrid or full (default hybrid when a dense model is "
                        + "configured, else bm25)"),
                new Own("ui", "[PORT]", "serve the relevance workbench page on 127.0.0.1:PORT (default "
                        + dev.streamretrieval.jobs.cli.workbench.WorkbenchServer.DEFAULT_PORT + ") instead of reading "
                        + "stdin: bm25 next to --mode, with evidence, overlap, judged relevance and live index "
                        + "statistics")), true, null, null));
        add(new Command("eval", "Run the real pipeline on a BEIR collection and compare it with an in-process "
                + "Lucene BM25 baseline; several modes share one ingest.", List.of(
                new Own("dataset", "BEIR_FOLDER", "the collection: corpus.jsonl, queries.jsonl, qrels/test.tsv (required)"),
                new Own("out", "FILE", "write the report as JSON"),
                new Own("modes", "M1,M2", "bm25, dense, hybrid (= hybrid-rrf), hybrid-linear, full (default bm25)"),
                new Own("depth", "N", "hits asked for per query, the depth of the run files (default 100)"),
                new Own("concurrency", "N", "queries in flight (default 4)"),
                new Own("cutoffs", "K1,K2", "report every @k metric (nDCG, Recall, MRR, P, Success, F1) at each k, "
                        + "plus MAP (default: nDCG@10, Recall@100, MRR@10, MAP, P@10, R@10, Success@10, F1@10)"),
                new Own("run-dir", "DIR", "write a TREC run file per mode (<mode>.run) and the baseline's "
                        + "(lucene-bm25.run): qid Q0 docid rank score tag"),
                new Own("per-query", "FILE", "write each judged query's metrics per mode and baseline as TSV")),
                true, null, null));
        add(new Command("compare", "The queries where two TREC runs differ most on one metric, with the "
                + "documents that differ (grade, score in each run).", List.of(
                new Own("qrels", "PATH", "a BEIR folder or a qrels TSV (query-id, corpus-id, score) (required)"),
                new Own("metric", "NAME", "the metric to compare, e.g. nDCG@10, MAP, P@5 (default nDCG@10)"),
                new Own("cutoffs", "K1,K2", "the cutoffs the metric may use (default 10)"),
                new Own("top", "N", "queries listed (default 20)"),
                new Own("depth", "N", "documents compared per query (default 10)")), false,
                "RUN_A RUN_B", "the two TREC run files (e.g. from eval --run-dir)"));
        List<Own> bench = new ArrayList<>();
        BenchCommand.optionDescriptions().forEach((n, d) -> bench.add(new Own(n, "VALUE", d)));
        add(new Command("bench", "Measure encode limit, ingest, BM25 vs Lucene, latency per mode, freshness, "
                + "index size, MaxSim kernel and the Pareto plot.", bench, true, null, null));
        List<Own> scale = new ArrayList<>();
        ScaleCommand.optionDescriptions().forEach((n, d) -> scale.add(new Own(n, "VALUE", d)));
        add(new Command("scale", "Grow synthetic collections (texts and vectors from the folder) and measure, per size "
                + "on a local cluster at parallelism 2: ingest, documents per subtask, latency and CPU per mode, BM25 "
                + "vs Lucene, dense recall@100, bytes per document, checkpoint and restore times.", scale, true, null,
                null));
        List<Own> colbert = new ArrayList<>();
        dev.streamretrieval.jobs.bench.ColbertBench.optionDescriptions().forEach((n, d) ->
                colbert.add(new Own(n, "VALUE", d)));
        add(new Command("colbert-bench", "colbert mode without Kafka or Flink, on real token vectors grown to each "
                + "size: recall@10/@100 against exhaustive MaxSim and shard CPU per query, per nprobe, candidates "
                + "and training tokens.", colbert, true, null, null));
        add(new Command("dense-index", "IVF dense index vs exact scan on the real encoded vectors: recall@100, "
                + "dense and hybrid nDCG@10, CPU per query.", List.of(
                new Own("dataset", "F1,F2", "BEIR folders (required)"),
                new Own("sizes", "N1,N2", "also grow one shard to each size from the real vectors (e.g. 12500,125000)"),
                new Own("nprobe", "P1,P2", "IVF lists probed (default 4,8,16,32)"),
                new Own("shards", "N", "shards of the collection run (default 8)"),
                new Own("max-list", "N", "IVF list size at which a list splits (the job's --ivf-max-list, default 256)"),
                new Own("queries", "N", "queries used at most (default 300)"),
                new Own("cache-dir", "DIR", "keep the encoded vectors here for the next run"),
                new Own("out", "FILE", "write the results as JSON")), false, null, null));
        List<Own> train = new ArrayList<>();
        TrainProjectionCommand.optionDescriptions().forEach((n, d) ->
                train.add(new Own(n, n.equals("leave-one-out") ? null : "VALUE", d)));
        add(new Command("train-projection", "Train a 384 → 128 token projection for MaxSim (ColBERT objective, "
                + "frozen encoder) on the shared collections and write it for --token-projection; "
                + "--leave-one-out reports per collection a projection trained without it.", train, true, null, null));
        add(new Command("job", "Run the job in the Flink cluster this is submitted to (needs --bootstrap-servers).",
                List.of(), true, null, null));
        add(new Command("cluster", "Like run, on a local Flink cluster of separate JVMs (1 JobManager + N "
                + "TaskManagers on 127.0.0.1); Ctrl-D stops job, cluster and broker.", List.of(
                new Own("taskmanagers", "N", "TaskManager processes (default 2)"),
                new Own("slots", "N", "slots per TaskManager (default 1)"),
                new Own("taskmanager-heap", "SIZE", "TaskManager task heap (default 320m)"),
                new Own("managed-memory", "SIZE", "TaskManager managed memory (default 128m)"),
                new Own("jobmanager-heap", "SIZE", "JobManager heap (default 384m)"),
                new Own("cluster-dir", "DIR", "configuration and logs of the cluster (default <work-dir>/cluster)"),
                new Own("collection", "PATH", "a BEIR folder or a JSONL file of documents (default: the shipped sample)"),
                new Own("no-load", null, "load nothing"),
                new Own("savepoint", "PATH", "start the job from this savepoint"),
                new Own("savepoint-on-exit", null, "stop the job with a savepoint on Ctrl-D")), true, null, null));
        add(new Command("options", "List every job option (also settable in the Flink configuration as "
                + "retrieval.<name>).", List.of(
                new Own("readme", "FILE", "rewrite the options table between the marker comments of FILE "
                        + "(README.md) from the code")), false, null, null));
    }

    private static void add(Command c) {
        COMMANDS.put(c.name(), c);
    }

    /** The picocli model of one subcommand. */
    static CommandSpec spec(Command c) {
        CommandSpec s = CommandSpec.create().name("bin/hybrid " + c.name());
        s.usageMessage().description(escape(c.summary())).sortOptions(false).width(120)
                .customSynopsis("bin/hybrid " + c.name() + (c.positionals() == null ? "" : " " + c.positionals())
                        + (c.options().isEmpty() ? "" : " [options]") + (c.jobOptions() ? " [job options]" : "") + "%n");
        s.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help").build());
        for (Own o : c.options()) {
            s.addOption(option(o.name(), o.label(), o.description()));
        }
        if (c.positionals() != null) {
            s.addPositional(PositionalParamSpec.builder().paramLabel(c.positionals()).index("0..*").arity("0..*")
                    .type(String[].class).description(escape(c.positionalsDescription())).build());
        }
        if (c.jobOptions()) {
            ArgGroupSpec.Builder g = ArgGroupSpec.builder().exclusive(false).multiplicity("0..1").validate(false)
                    .heading("%nJob options (also --kafka.<property> VALUE: any Kafka client property; "
                            + "--flink.<key> VALUE: any Flink configuration key):%n");
            RetrievalOptions.descriptions().forEach((n, d) -> g.addArg(option(n, "VALUE", d)));
            s.addArgGroup(g.build());
        }
        return s;
    }

    private static OptionSpec option(String name, String label, String description) {
        OptionSpec.Builder b = OptionSpec.builder("--" + name).description(escape(description));
        if (label == null) {
            return b.arity("0").type(boolean.class).build();
        }
        return b.paramLabel(label).arity(label.startsWith("[") ? "0..1" : "1").type(String.class).build();
    }

    /** picocli reads descriptions as format strings. */
    private static String escape(String s) {
        return s.replace("%", "%%");
    }

    /** True when the arguments ask for help. */
    static boolean wantsHelp(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    static void usage(String command, PrintStream out) {
        new CommandLine(spec(COMMANDS.get(command))).usage(out);
    }

    /**
     * Checks {@code args} against the command's options: an unknown option fails naming the nearest valid one, a
     * missing value fails naming the option. {@code --kafka.*} and {@code --flink.*} pass (with their value).
     *
     * @return the parse result, for commands that read their values from it
     */
    static CommandLine.ParseResult check(String command, List<String> args) {
        Command c = COMMANDS.get(command);
        List<String> checked = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (c.jobOptions() && (a.startsWith("--kafka.") || a.startsWith("--flink."))) {
                if (!a.contains("=")) {
                    i++; // its value
                }
                continue;
            }
            checked.add(a);
        }
        CommandLine cl = new CommandLine(spec(c));
        cl.setOverwrittenOptionsAllowed(true); // the last value wins, as before
        try {
            return cl.parseArgs(checked.toArray(new String[0]));
        } catch (CommandLine.UnmatchedArgumentException e) {
            // picocli lists what it could not place; name an unknown option first, a stray argument otherwise
            String unknown = e.getUnmatched().stream().filter(u -> u.startsWith("-")).findFirst().orElse(null);
            if (unknown == null) {
                throw new IllegalArgumentException(command + " takes no argument '" + e.getUnmatched().get(0) + "'");
            }
            String name = unknown.contains("=") ? unknown.substring(0, unknown.indexOf('=')) : unknown;
            throw new IllegalArgumentException("unknown option " + name + " for " + command + "; did you mean "
                    + nearest(name, optionNames(cl.getCommandSpec())) + "? (bin/hybrid " + command
                    + " --help lists every option)");
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static List<String> optionNames(CommandSpec s) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : s.options()) {
            names.add(o.longestName());
        }
        return names;
    }

    /** The candidate with the smallest edit distance to {@code word}; the first listed on a tie. */
    static String nearest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
