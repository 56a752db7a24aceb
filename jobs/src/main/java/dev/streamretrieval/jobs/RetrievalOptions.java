package dev.streamretrieval.jobs;

import dev.streamretrieval.operators.encoding.BuiltinModels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;

/**
 * Every job option as a Flink {@link ConfigOption} under the prefix {@value #PREFIX}: settable in the Flink
 * configuration ({@code config.yaml}, a FlinkDeployment's {@code flinkConfiguration}) as {@code retrieval.shards: 16}
 * and on the command line as {@code --shards 16}, which overrides the configuration ({@link JobOptions#parse}).
 * Defaults are those of a fresh {@link JobOptions} (and the option classes it holds), so they cannot drift apart;
 * the README's configuration table is rendered from this list ({@code bin/hybrid options --readme README.md}).
 */
public final class RetrievalOptions {
    private RetrievalOptions() {}

    /** Prefix of every job option key in the Flink configuration. */
    public static final String PREFIX = "retrieval.";

    /** An option and where its value goes in {@link JobOptions}. */
    private record Binding<T>(ConfigOption<T> option, BiConsumer<JobOptions, T> setter) {
        void apply(ReadableConfig conf, JobOptions o) {
            setter.accept(o, conf.get(option)); // the default (null for options without one) where unset
        }
    }

    private static final List<Binding<?>> BINDINGS = new ArrayList<>();
    private static final List<ConfigOption<?>> OPTIONS = new ArrayList<>();
    private static final Map<ConfigOption<?>, String> DEFAULT_TEXT = new IdentityHashMap<>();
    /** The defaults: what a job gets for an option nobody sets. */
    private static final JobOptions D = new JobOptions();

    // ------------------------------------------------------------------ Kafka

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = add(key("bootstrap-servers").stringType().noDefaultValue()
            .withDescription("Kafka bootstrap servers; without it `run`/`eval` start an embedded KRaft broker on 127.0.0.1"),
            "embedded broker",
            (o, v) -> o.bootstrapServers = v);
    public static final ConfigOption<String> DOCUMENTS_TOPIC = add(key("documents-topic").stringType()
            .defaultValue(D.documentsTopic).withDescription("documents topic"),
            (o, v) -> o.documentsTopic = v);
    public static final ConfigOption<String> QUERIES_TOPIC = add(key("queries-topic").stringType()
            .defaultValue(D.queriesTopic).withDescription("queries topic"),
            (o, v) -> o.queriesTopic = v);
    public static final ConfigOption<String> RESULTS_TOPIC = add(key("results-topic").stringType()
            .defaultValue(D.resultsTopic).withDescription("results topic"),
            (o, v) -> o.resultsTopic = v);
    public static final ConfigOption<String> DEAD_LETTER_TOPIC = add(key("dead-letter-topic").stringType()
            .defaultValue(D.deadLetterTopic).withDescription("dead-letter topic"),
            (o, v) -> o.deadLetterTopic = v);
    public static final ConfigOption<String> GROUP_ID = add(key("group-id").stringType().defaultValue(D.groupId)
            .withDescription("Kafka consumer group of the job's sources; prefix of its transactional ids"),
            (o, v) -> o.groupId = v);
    public static final ConfigOption<String> QUERIES_START = add(key("queries-start").stringType()
            .defaultValue(D.queriesStart)
            .withDescription("where the queries source starts without committed offsets: latest or earliest (answers old queries)"),
            (o, v) -> o.queriesStart = v);
    public static final ConfigOption<String> DELIVERY = add(key("delivery").stringType().defaultValue(D.delivery)
            .withDescription("result and dead-letter delivery: at-least-once (lowest latency) or exactly-once "
                    + "(transactional, visible at checkpoint commits)"),
            (o, v) -> o.delivery = v);
    public static final ConfigOption<Long> TRANSACTION_TIMEOUT_MS = add(key("transaction-timeout-ms").longType()
            .defaultValue(D.transactionTimeoutMs).withDescription("Kafka transaction timeout for exactly-once delivery "
                    + "(must not exceed the broker's transaction.max.timeout.ms)"),
            (o, v) -> o.transactionTimeoutMs = v);

    // ------------------------------------------------------------------ shards, parallelism, Flink

    public static final ConfigOption<Integer> SHARDS = add(key("shards").intType().defaultValue(D.shards)
            .withDescription("virtual shards S; documents are hashed to shards, queries fan out to all"),
            (o, v) -> o.shards = v);
    public static final ConfigOption<Integer> PARALLELISM = add(key("parallelism").intType().noDefaultValue()
            .withDescription("job parallelism"), "Flink's default (the number of cores in embedded mode)",
            (o, v) -> o.parallelism = v);
    public static final ConfigOption<Integer> MAX_PARALLELISM = add(key("max-parallelism").intType().noDefaultValue()
            .withDescription("Flink max parallelism (key groups); at least S and a multiple of S, so that every "
                    + "parallelism P <= S gives each subtask floor(S/P) or ceil(S/P) shards; cannot change through a savepoint"),
            "the smallest multiple of S >= 128",
            (o, v) -> o.maxParallelism = v);
    public static final ConfigOption<Long> CHECKPOINT_INTERVAL_MS = add(key("checkpoint-interval-ms").longType()
            .defaultValue(D.checkpointIntervalMs)
            .withDescription("checkpoint interval; with exactly-once this bounds result latency"),
            (o, v) -> o.checkpointIntervalMs = v);
    public static final ConfigOption<String> CHECKPOINT_DIR = add(key("checkpoint-dir").stringType().noDefaultValue()
            .withDescription("checkpoint storage URI (s3://... on a cluster)"), "file://<work-dir>/checkpoints",
            (o, v) -> o.checkpointDir = v);
    public static final ConfigOption<String> WORK_DIR = add(key("work-dir").stringType().defaultValue(D.workDir)
            .withDescription("local folder for the embedded Kafka logs, RocksDB files and checkpoints"),
            (o, v) -> o.workDir = v);
    public static final ConfigOption<Long> BUFFER_TIMEOUT_MS = add(key("buffer-timeout-ms").longType()
            .defaultValue(D.bufferTimeoutMs).withDescription("Flink network buffer timeout; lower means lower latency, more CPU"),
            (o, v) -> o.bufferTimeoutMs = v);

    // ------------------------------------------------------------------ BM25, analysis, query planning

    public static final ConfigOption<Double> K1 = add(key("k1").doubleType().defaultValue(D.k1)
            .withDescription("BM25 k1 (as Anserini)"),
            (o, v) -> o.k1 = v);
    public static final ConfigOption<Double> B = add(key("b").doubleType().defaultValue(D.b)
            .withDescription("BM25 b (as Anserini)"),
            (o, v) -> o.b = v);
    public static final ConfigOption<String> BM25_LENGTHS = add(key("bm25-lengths").stringType().defaultValue(D.bm25Lengths)
            .withDescription("document lengths in BM25: lucene (rounded like Lucene norms, so scores equal Lucene's) or exact"),
            (o, v) -> o.bm25Lengths = v);
    public static final ConfigOption<String> ANALYZER_STEMMER = add(key("analyzer-stemmer").stringType()
            .defaultValue(D.analyzer.stemmer).withDescription("porter, kstem or none"),
            (o, v) -> o.analyzer.stemmer = v);
    public static final ConfigOption<String> ANALYZER_STOPWORDS = add(key("analyzer-stopwords").stringType()
            .defaultValue(D.analyzer.stopwords).withDescription("english or none"),
            (o, v) -> o.analyzer.stopwords = v);
    public static final ConfigOption<Integer> DEFAULT_K = add(key("default-k").intType().defaultValue(D.query.defaultK)
            .withDescription("hits per query when the query does not set k"),
            (o, v) -> o.query.defaultK = v);
    public static final ConfigOption<Integer> SHARD_DEPTH_FACTOR = add(key("shard-depth-factor").intType()
            .defaultValue(D.query.shardDepthFactor)
            .withDescription("each shard returns max(k*factor, k+margin) candidates for global re-scoring"),
            (o, v) -> o.query.shardDepthFactor = v);
    public static final ConfigOption<Integer> SHARD_DEPTH_MARGIN = add(key("shard-depth-margin").intType()
            .defaultValue(D.query.shardDepthMargin).withDescription("see shard-depth-factor"),
            (o, v) -> o.query.shardDepthMargin = v);
    public static final ConfigOption<Long> GATHER_TIMEOUT_MS = add(key("gather-timeout-ms").longType()
            .defaultValue(D.gather.timeoutMillis).withDescription("answer with what arrived, marked partial, after this long"),
            (o, v) -> o.gather.timeoutMillis = v);

    // ------------------------------------------------------------------ input limits

    public static final ConfigOption<Integer> MAX_DOCUMENT_BYTES = add(key("max-document-bytes").intType()
            .defaultValue(D.limits.maxDocumentBytes).withDescription("largest document record accepted"),
            (o, v) -> o.limits.maxDocumentBytes = v);
    public static final ConfigOption<Integer> MAX_QUERY_CHARS = add(key("max-query-chars").intType()
            .defaultValue(D.limits.maxQueryChars).withDescription("longest query text accepted"),
            (o, v) -> o.limits.maxQueryChars = v);
    public static final ConfigOption<Integer> MAX_QUERY_TOKENS = add(key("max-query-tokens").intType()
            .defaultValue(D.limits.maxQueryTokens)
            .withDescription("most tokens (runs of letters and digits, before analysis) a query text may have"),
            (o, v) -> o.limits.maxQueryTokens = v);
    public static final ConfigOption<Integer> MAX_QUERY_BYTES = add(key("max-query-bytes").intType()
            .defaultValue(D.limits.maxQueryBytes).withDescription("largest query record accepted"),
            (o, v) -> o.limits.maxQueryBytes = v);
    public static final ConfigOption<Integer> MAX_K = add(key("max-k").intType().defaultValue(D.limits.maxK)
            .withDescription("largest k a query may ask for"),
            (o, v) -> o.limits.maxK = v);
    public static final ConfigOption<Integer> MAX_DEAD_LETTER_VALUE_BYTES = add(key("max-dead-letter-value-bytes").intType()
            .defaultValue(D.limits.maxDeadLetterValueBytes)
            .withDescription("original bytes carried in a dead letter; longer values are cut and marked value_truncated"),
            (o, v) -> o.limits.maxDeadLetterValueBytes = v);

    // ------------------------------------------------------------------ models and vectors

    public static final ConfigOption<String> DENSE_MODEL = add(key("dense-model").stringType()
            .defaultValue(D.neural.denseModel).withDescription("dense bi-encoder: a built-in model ("
                    + String.join(", ", BuiltinModels.names()) + "), a model folder, or none to run BM25 only"),
            (o, v) -> o.neural.denseModel = v);
    public static final ConfigOption<String> QUERY_MODEL = add(key("query-model").stringType()
            .defaultValue(D.neural.queryModel).withDescription("two-tower query encoder (e.g. DPR's question encoder "
                    + "next to its context encoder as dense-model): a built-in model or a model folder whose vectors "
                    + "have the dense model's dimension (checked at start), or same: queries are encoded by the dense model"),
            (o, v) -> o.neural.queryModel = v);
    public static final ConfigOption<String> TOKEN_MODEL = add(key("token-model").stringType()
            .defaultValue(D.neural.tokenModel).withDescription("token (MaxSim) encoder: dense (the dense model's "
                    + "hidden states, one forward pass), none, or a ColBERT-style model folder"),
            (o, v) -> o.neural.tokenModel = v);
    public static final ConfigOption<String> CROSS_ENCODER = add(key("cross-encoder").stringType()
            .defaultValue(D.neural.crossEncoderModel).withDescription("cross-encoder model folder for full mode, or "
                    + "none (the rerank stage is then skipped and says so)"),
            (o, v) -> o.neural.crossEncoderModel = v);
    public static final ConfigOption<Integer> VECTOR_DIMENSION = add(key("vector-dimension").intType()
            .defaultValue(D.neural.vectorDimension).withDescription("length of dense vectors (0: the dense model's); "
                    + "with dense-model none, a positive value lets documents and queries supply their own 'vector' "
                    + "for dense and hybrid modes"),
            (o, v) -> o.neural.vectorDimension = v);
    public static final ConfigOption<String> DENSE_CODEC = add(key("dense-codec").stringType()
            .defaultValue(D.neural.denseCodec).withDescription("dense vector storage: float32 or int8"),
            (o, v) -> o.neural.denseCodec = v);
    public static final ConfigOption<String> DENSE_INDEX = add(key("dense-index").stringType()
            .defaultValue(D.denseIndex.kind).withDescription("dense index per shard: ivf (lists of nearby vectors, "
                    + "nprobe of them scanned per query, best candidates re-scored exactly) or exact (every vector "
                    + "scanned); a savepoint keeps its kind"),
            (o, v) -> o.denseIndex.kind = v);
    public static final ConfigOption<Integer> NPROBE = add(key("nprobe").intType().defaultValue(D.denseIndex.nprobe)
            .withDescription("ivf: lists scanned per query and shard"),
            (o, v) -> o.denseIndex.nprobe = v);
    public static final ConfigOption<Integer> IVF_MAX_LIST = add(key("ivf-max-list").intType()
            .defaultValue(D.denseIndex.maxListSize).withDescription("ivf: a list that reaches this many vectors is "
                    + "split in two, so a shard of N vectors has N/max..2N/max lists"),
            (o, v) -> o.denseIndex.maxListSize = v);
    public static final ConfigOption<String> TOKEN_CODEC = add(key("token-codec").stringType()
            .defaultValue(D.neural.tokenCodec).withDescription("token vector storage: float16, int8, binary, residual2 or residual1 (PLAID: "
                    + "centroid id + 2 or 1 bits per dimension, centroids trained per shard)"),
            (o, v) -> o.neural.tokenCodec = v);
    public static final ConfigOption<String> TOKEN_PROJECTION = add(key("token-projection").stringType()
            .defaultValue(D.neural.tokenProjection).withDescription("linear projection of token vectors trained for "
                    + "MaxSim: none, default (the shipped 384 → 128 projection for all-minilm-l6-v2-q, see the README's "
                    + "Trained token projection) or a file written by train-projection; applied to document and query "
                    + "token vectors before the token codec; a file trained for another model, or damaged, is refused at start"),
            (o, v) -> o.neural.tokenProjection = v);
    public static final ConfigOption<Integer> TOKEN_TRAIN_TOKENS = add(key("token-train-tokens").intType()
            .defaultValue(D.neural.tokenTrainTokens).withDescription("residual token codecs: token vectors a shard "
                    + "collects (stored as float16) before it trains its centroids on them"),
            (o, v) -> o.neural.tokenTrainTokens = v);
    public static final ConfigOption<Integer> ENCODE_BATCH_SIZE = add(key("encode-batch-size").intType()
            .defaultValue(D.neural.batchSize).withDescription("texts per ONNX call"),
            (o, v) -> o.neural.batchSize = v);
    public static final ConfigOption<Long> ENCODE_MAX_WAIT_MS = add(key("encode-max-wait-ms").longType()
            .defaultValue(D.neural.maxWaitMillis).withDescription("longest a partial encode batch waits"),
            (o, v) -> o.neural.maxWaitMillis = v);
    public static final ConfigOption<Integer> ONNX_THREADS = add(key("onnx-threads").intType()
            .defaultValue(D.neural.intraOpThreads).withDescription("ONNX Runtime intra-op threads per model per JVM"),
            (o, v) -> o.neural.intraOpThreads = v);

    // ------------------------------------------------------------------ hybrid and full modes

    public static final ConfigOption<Integer> BM25_DEPTH = add(key("bm25-depth").intType().defaultValue(D.query.bm25Depth)
            .withDescription("hybrid/full: BM25 candidates per shard"),
            (o, v) -> o.query.bm25Depth = v);
    public static final ConfigOption<Integer> DENSE_DEPTH = add(key("dense-depth").intType().defaultValue(D.query.denseDepth)
            .withDescription("hybrid/full: dense candidates per shard"),
            (o, v) -> o.query.denseDepth = v);
    public static final ConfigOption<String> FUSION = add(key("fusion").stringType().defaultValue(D.gather.fusion)
            .withDescription("hybrid/full fusion: rrf or linear; a query may override it"),
            (o, v) -> o.gather.fusion = v);
    public static final ConfigOption<Integer> RRF_K = add(key("rrf-k").intType().defaultValue(D.gather.rrfK)
            .withDescription("RRF constant k in 1/(k + rank)"),
            (o, v) -> o.gather.rrfK = v);
    public static final ConfigOption<Double> LINEAR_BM25_WEIGHT = add(key("linear-bm25-weight").doubleType()
            .defaultValue(D.gather.linearBm25Weight)
            .withDescription("linear fusion: weight of min-max normalised BM25, dense gets 1 - w"),
            (o, v) -> o.gather.linearBm25Weight = v);
    public static final ConfigOption<Integer> COLBERT_NPROBE = add(key("colbert-nprobe").intType()
            .defaultValue(D.query.colbertNprobe)
            .withDescription("colbert: token centroid lists probed per query token and shard"),
            (o, v) -> o.query.colbertNprobe = v);
    public static final ConfigOption<Integer> COLBERT_CANDIDATES = add(key("colbert-candidates").intType()
            .defaultValue(D.query.colbertCandidates)
            .withDescription("colbert: candidates per shard kept by the centroid interaction for exact MaxSim"),
            (o, v) -> o.query.colbertCandidates = v);
    public static final ConfigOption<Integer> MAXSIM_DEPTH = add(key("maxsim-depth").intType()
            .defaultValue(D.query.maxSimDepth).withDescription("full: documents per query scored with MaxSim over all shards"),
            (o, v) -> o.query.maxSimDepth = v);
    public static final ConfigOption<Double> FULL_BM25_WEIGHT = add(key("full-bm25-weight").doubleType()
            .defaultValue(D.gather.fullBm25Weight).withDescription("full: weight of min-max normalised BM25 in the "
                    + "final score of the MaxSim-scored candidates (README: Full mode combining evidence); MaxSim gets "
                    + "1 - full-bm25-weight - full-dense-weight; both 0: MaxSim alone"),
            (o, v) -> o.gather.fullBm25Weight = v);
    public static final ConfigOption<Double> FULL_DENSE_WEIGHT = add(key("full-dense-weight").doubleType()
            .defaultValue(D.gather.fullDenseWeight).withDescription("full: weight of min-max normalised dense in that "
                    + "score; each weight within [0, 1], their sum at most 1"),
            (o, v) -> o.gather.fullDenseWeight = v);
    public static final ConfigOption<Integer> RERANK_DEPTH = add(key("rerank-depth").intType()
            .defaultValue(D.gather.rerankDepth).withDescription("full: top hits reranked by the cross-encoder"),
            (o, v) -> o.gather.rerankDepth = v);

    /** Every job option, in the order of the help and the README table. */
    public static List<ConfigOption<?>> all() {
        return Collections.unmodifiableList(OPTIONS);
    }

    /** The command-line name of an option: its key without {@value #PREFIX}. */
    public static String name(ConfigOption<?> option) {
        return option.key().substring(PREFIX.length());
    }

    /** The option with this command-line name, or null. */
    public static ConfigOption<?> byName(String name) {
        for (ConfigOption<?> o : OPTIONS) {
            if (name(o).equals(name)) {
                return o;
            }
        }
        return null;
    }

    /** The default as the help and the README show it: the value, or what applies when the option has none. */
    public static String defaultText(ConfigOption<?> option) {
        String text = DEFAULT_TEXT.get(option);
        return text != null ? text : String.valueOf(option.defaultValue());
    }

    /** The option's description as plain text (every description here is one text block without formatting). */
    public static String description(ConfigOption<?> option) {
        StringBuilder b = new StringBuilder();
        for (BlockElement e : option.description().getBlocks()) {
            if (e instanceof TextElement t) {
                b.append(t.getFormat());
            }
        }
        return b.toString();
    }

    /** Command-line name → description with the default, for {@code --help} and {@code bin/hybrid options}. */
    public static Map<String, String> descriptions() {
        Map<String, String> d = new LinkedHashMap<>();
        for (ConfigOption<?> o : OPTIONS) {
            d.put(name(o), description(o) + " (default " + defaultText(o) + "; in the Flink configuration " + o.key() + ")");
        }
        return d;
    }

    private static ConfigOptions.OptionBuilder key(String name) {
        return ConfigOptions.key(PREFIX + name);
    }

    private static <T> ConfigOption<T> add(ConfigOption<T> option, BiConsumer<JobOptions, T> setter) {
        OPTIONS.add(option);
        BINDINGS.add(new Binding<>(option, setter));
        return option;
    }

    /** An option without a fixed default; {@code defaultText} says what applies instead. */
    private static <T> ConfigOption<T> add(ConfigOption<T> option, String defaultText, BiConsumer<JobOptions, T> setter) {
        DEFAULT_TEXT.put(option, defaultText);
        return add(option, setter);
    }

    /** Sets every option of {@code o} from {@code conf}: its value there, else its default. */
    static void applyTo(ReadableConfig conf, JobOptions o) {
        for (Binding<?> b : BINDINGS) {
            b.apply(conf, o);
        }
    }
}
