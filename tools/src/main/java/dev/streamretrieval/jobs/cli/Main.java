package dev.streamretrieval.jobs.cli;

import dev.streamretrieval.jobs.RetrievalJob;
import dev.streamretrieval.jobs.RetrievalOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Command-line entry point.
 *
 * The commands and their options are listed in {@link CommandLineModel}, which also answers {@code --help} and
 * refuses unknown options before a command runs.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            usage(args.length == 0 ? System.err : System.out);
            return;
        }
        System.exit(run(args));
    }

    /** Runs one command; returns the exit code (2 for a usage error, after printing it). */
    static int run(String[] args) throws Exception {
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (!CommandLineModel.COMMANDS.containsKey(command)) {
            System.err.println("unknown command '" + command + "'; did you mean '"
                    + CommandLineModel.nearest(command, List.copyOf(CommandLineModel.COMMANDS.keySet())) + "'?");
            usage(System.err);
            return 2;
        }
        if (CommandLineModel.wantsHelp(rest)) {
            CommandLineModel.usage(command, System.out);
            return 0;
        }
        try {
            CommandLine.ParseResult parsed = CommandLineModel.check(command, rest);
            return switch (command) {
                case "run" -> RunCommand.run(rest);
                case "eval" -> EvalCommand.run(rest);
                case "compare" -> CompareCommand.run(parsed);
                case "bench" -> dev.streamretrieval.jobs.bench.BenchCommand.run(rest);
                case "dense-index" -> dev.streamretrieval.jobs.bench.DenseIndexEval.run(rest);
                case "scale" -> dev.streamretrieval.jobs.bench.ScaleCommand.run(rest);
                case "colbert-bench" -> dev.streamretrieval.jobs.bench.ColbertBench.run(rest);
                case "train-projection" -> dev.streamretrieval.jobs.projection.TrainProjectionCommand.run(rest);
                case "job" -> {
                    RetrievalJob.main(rest.toArray(new String[0]));
                    yield 0;
                }
                case "cluster" -> ClusterCommand.run(rest);
                case "options" -> options(parsed);
                default -> throw new IllegalStateException("command " + command + " has help but no handler");
            };
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /** The commands with their summaries; each command's options come with {@code <command> --help}. */
    static void usage(PrintStream out) {
        out.println("usage: bin/hybrid <command> [options]     (bin/hybrid <command> --help lists its options)");
        out.println();
        for (CommandLineModel.Command c : CommandLineModel.COMMANDS.values()) {
            String synopsis = c.name() + (c.positionals() == null ? "" : " " + c.positionals());
            out.printf("  %-24s %s%n", synopsis, c.summary());
        }
    }

    /** Lists the job options, or with {@code --readme FILE} rewrites the README's table of them. */
    private static int options(CommandLine.ParseResult parsed) throws java.io.IOException {
        if (parsed.hasMatchedOption("--readme")) {
            java.nio.file.Path readme = java.nio.file.Path.of(parsed.<String>matchedOptionValue("--readme", null));
            System.out.println(OptionsReference.write(readme) ? "updated the options table in " + readme
                    : "the options table in " + readme + " is up to date");
            return 0;
        }
        printOptions();
        return 0;
    }

    static void printOptions() {
        for (Map.Entry<String, String> e : RetrievalOptions.descriptions().entrySet()) {
            System.out.printf("  --%-24s %s%n", e.getKey(), e.getValue());
        }
        System.out.printf("  --%-24s %s%n", "kafka.<property>", "any Kafka client property, passed to every client");
        System.out.printf("  --%-24s %s%n", "flink.<key>", "any Flink configuration key");
    }
}
