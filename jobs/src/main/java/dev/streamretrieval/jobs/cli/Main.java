package dev.streamretrieval.jobs.cli;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.RetrievalJob;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Command-line entry point.
 *
 * <pre>
 *   run   [--collection PATH] [--no-load] [options]   embedded quickstart: broker + job + load + query on stdin
 *   eval  --dataset BEIR_FOLDER [--out FILE] [options] evaluate the pipeline against an in-process Lucene
 *   bench --dataset BEIR_FOLDER [--out-dir D]        measure the pipeline against the machine's limits
 *   scale --dataset BEIR_FOLDER [--sizes N,N,...]    measure how the costs grow with the number of documents
 *   compare RUN_A RUN_B --qrels Q                      the queries where two TREC runs differ most
 *   job   --bootstrap-servers HOST:PORT [options]      submit the job to the Flink cluster this runs in
 *   cluster [--taskmanagers 2] [options]               local multi-process Flink cluster + the job
 *   options                                            list the job options
 * </pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            usage();
            return;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        int code;
        try {
            code = switch (args[0]) {
                case "run" -> RunCommand.run(rest);
                case "eval" -> EvalCommand.run(rest);
                case "compare" -> CompareCommand.run(rest);
                case "bench" -> dev.streamretrieval.jobs.bench.BenchCommand.run(rest);
                case "dense-index" -> dev.streamretrieval.jobs.bench.DenseIndexEval.run(rest);
                case "scale" -> dev.streamretrieval.jobs.bench.ScaleCommand.run(rest);
                case "job" -> submitJob(rest);
                case "cluster" -> ClusterCommand.run(rest);
                case "options" -> {
                    printOptions();
                    yield 0;
                }
                default -> {
                    System.err.println("unknown command '" + args[0] + "'");
                    usage();
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }

    /** The deployable entry point: builds the job with Kafka I/O and runs it in the surrounding cluster. */
    private static int submitJob(List<String> args) throws Exception {
        JobOptions o = JobOptions.parse(args.toArray(new String[0]));
        if (o.bootstrapServers == null) {
            throw new IllegalArgumentException("job needs --bootstrap-servers");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                RetrievalJob.flinkConfiguration(o));
        RetrievalJob.buildWithKafka(env, o);
        env.execute("stream-retrieval");
        return 0;
    }

    static void usage() {
        System.err.println("""
                usage: bin/hybrid <command> [options]
                  run   [--collection PATH] [--no-load]      start Kafka (embedded unless --bootstrap-servers) and
                        [--mode bm25|dense|hybrid|full]
                                                             the job, load a collection (default: the shipped
                                                             sample; a BEIR folder or a JSONL file), then answer
                                                             queries typed on stdin. Ctrl-C stops.
                  eval  --dataset BEIR_FOLDER [--out FILE]   run the real pipeline on a BEIR collection and compare
                        [--modes bm25,dense,hybrid,          with an in-process Lucene BM25 baseline; several modes
                         hybrid-linear,full]                 share one ingest
                        [--depth 100] [--concurrency 4]
                        [--cutoffs 10,100] [--run-dir D]     every @k metric at each cutoff; TREC run files per mode
                        [--per-query FILE]                   and of Lucene in D; each query's metrics as TSV
                  compare RUN_A RUN_B --qrels Q              the queries where two TREC runs differ most on a
                        [--metric nDCG@10] [--cutoffs 10]    metric (Q: BEIR folder or qrels TSV), with the
                        [--top 20] [--depth 10]              documents (grade, scores) that differ in the first D
                  bench --dataset BEIR_FOLDER [--out-dir D]  measure encode limit, ingest, BM25 vs Lucene, latency per
                                                             mode, freshness, index size, MaxSim kernel, Pareto plot
                  dense-index --dataset BEIR_FOLDER[,..]     IVF dense index vs exact scan on the real encoded vectors
                        [--sizes 12500,125000] [--nprobe 4,8,16,32] [--shards 8] [--queries 300]
                        [--cache-dir D] [--out FILE]         recall@100, dense/hybrid nDCG@10, CPU per query
                  scale --dataset BEIR_FOLDER                grow synthetic collections (texts and vectors from the
                        [--sizes 10000,100000,1000000]       folder) and measure, per size on a local cluster at
                        [--out-dir D] [--rate 20]            parallelism 2: ingest, documents per subtask, latency
                                                             and CPU per mode, BM25 vs Lucene, dense recall@100,
                                                             bytes per document, checkpoint and restore times
                  job   --bootstrap-servers HOST:PORT        run the job in the Flink cluster this is submitted to
                  cluster [--taskmanagers 2] [--slots 1]     like run, on a local Flink cluster of separate JVMs
                        [--cluster-dir DIR] [--savepoint P]  (1 JobManager + N TaskManagers on 127.0.0.1);
                        [--savepoint-on-exit]                Ctrl-D stops job (optionally with a savepoint),
                        [--parallelism P]                    cluster and broker; P defaults to TaskManagers x
                                                             slots
                  options                                    list every job option
                """);
    }

    static void printOptions() {
        for (Map.Entry<String, String> e : JobOptions.DESCRIPTIONS.entrySet()) {
            System.out.printf("  --%-24s %s%n", e.getKey(), e.getValue());
        }
        System.out.printf("  --%-24s %s%n", "kafka.<property>", "any Kafka client property, passed to every client");
        System.out.printf("  --%-24s %s%n", "flink.<key>", "any Flink configuration key");
    }
}
