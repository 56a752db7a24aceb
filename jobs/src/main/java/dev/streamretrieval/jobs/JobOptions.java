package dev.streamretrieval.jobs;

import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.encoding.BuiltinModels;
import dev.streamretrieval.operators.encoding.NeuralOptions;
import dev.streamretrieval.operators.gather.GatherOptions;
import dev.streamretrieval.operators.index.DenseIndexOptions;
import dev.streamretrieval.operators.placement.ShardPlacement;
import dev.streamretrieval.operators.query.QueryOptions;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.InputLimits;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Every option of the job, parsed from {@code --name value} arguments. Unknown options fail with the list of
 * known ones. {@code --kafka.<property> value} passes any Kafka client property (security, SASL, TLS, ...) to
 * every source, sink and admin client; {@code --flink.<key> value} sets a Flink configuration key.
 * The README's configuration reference is generated from {@link #DESCRIPTIONS}.
 */
public class JobOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Option name → description (with default); the single source of truth for --help and the README. */
    public static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        DESCRIPTIONS.put("bootstrap-servers", "Kafka bootstrap servers; when absent, run/eval start an embedded KRaft broker on 127.0.0.1");
        DESCRIPTIONS.put("documents-topic", "documents topic (default documents)");
        DESCRIPTIONS.put("queries-topic", "queries topic (default queries)");
        DESCRIPTIONS.put("results-topic", "results topic (default results)");
        DESCRIPTIONS.put("dead-letter-topic", "dead-letter topic (default dead-letters)");
        DESCRIPTIONS.put("group-id", "Kafka consumer group of the job's sources (default stream-retrieval)");
        DESCRIPTIONS.put("queries-start", "where the queries source starts without committed offsets: latest (default) or earliest");
        DESCRIPTIONS.put("shards", "virtual shards S; documents are hashed to shards, queries fan out to all (default 8)");
        DESCRIPTIONS.put("parallelism", "job parallelism (default: Flink's default, the number of cores in embedded mode)");
        DESCRIPTIONS.put("max-parallelism", "Flink max parallelism (key groups); at least S and a multiple of S, so that every parallelism P <= S gives each subtask floor(S/P) or ceil(S/P) shards; cannot change through a savepoint (default: the smallest multiple of S >= 128, which is 128 for S = 1, 2, 4, ..., 128)");
        DESCRIPTIONS.put("k1", "BM25 k1 (default 0.9, as Anserini)");
        DESCRIPTIONS.put("b", "BM25 b (default 0.4, as Anserini)");
        DESCRIPTIONS.put("bm25-lengths", "document lengths in BM25: lucene (rounded like Lucene norms, default) or exact");
        DESCRIPTIONS.put("default-k", "hits per query when the query does not set k (default 10)");
        DESCRIPTIONS.put("shard-depth-factor", "each shard returns max(k*factor, k+margin) candidates for global re-scoring (default 2)");
        DESCRIPTIONS.put("shard-depth-margin", "see shard-depth-factor (default 20)");
        DESCRIPTIONS.put("gather-timeout-ms", "answer with what arrived, marked partial, after this long (default 10000)");
        DESCRIPTIONS.put("delivery", "result and dead-letter delivery: at-least-once (default, lowest latency) or exactly-once (transactional, visible at checkpoint commits)");
        DESCRIPTIONS.put("checkpoint-interval-ms", "checkpoint interval (default 5000); with exactly-once this bounds result latency");
        DESCRIPTIONS.put("checkpoint-dir", "checkpoint storage URI (default file://<work-dir>/checkpoints)");
        DESCRIPTIONS.put("work-dir", "local folder for embedded Kafka logs, RocksDB files and checkpoints (default ./work-data)");
        DESCRIPTIONS.put("buffer-timeout-ms", "Flink network buffer timeout; lower means lower latency, more CPU (default 5)");
        DESCRIPTIONS.put("analyzer-stemmer", "porter (default), kstem or none");
        DESCRIPTIONS.put("analyzer-stopwords", "english (default) or none");
        DESCRIPTIONS.put("max-document-bytes", "largest document record accepted (default 1048576)");
        DESCRIPTIONS.put("max-query-chars", "longest query text accepted (default 4096)");
        DESCRIPTIONS.put("max-query-tokens", "most tokens (runs of letters and digits, before analysis) a query text may have (default 1024)");
        DESCRIPTIONS.put("max-query-bytes", "largest query record accepted (default 16384)");
        DESCRIPTIONS.put("max-k", "largest k a query may ask for (default 1000)");
        DESCRIPTIONS.put("max-dead-letter-value-bytes", "original bytes carried in a dead letter; longer values are cut and marked value_truncated (default 262144)");
        DESCRIPTIONS.put("dense-model", "dense bi-encoder: a built-in model (" + String.join(", ", BuiltinModels.names()) + "), a model folder, or none to run BM25 only (default " + NeuralOptions.DEFAULT_DENSE_MODEL + ")");
        DESCRIPTIONS.put("query-model", "two-tower query encoder (e.g. DPR's question encoder next to its context encoder as --dense-model): a built-in model or a model folder whose vectors have the dense model's dimension (checked at start), or same (default: queries are encoded by the dense model)");
        DESCRIPTIONS.put("token-model", "token (MaxSim) encoder: dense (the dense model's hidden states, one forward pass; default), none, or a ColBERT-style model folder");
        DESCRIPTIONS.put("cross-encoder", "cross-encoder model folder for full mode, or none (default; the rerank stage is then skipped and says so)");
        DESCRIPTIONS.put("vector-dimension", "length of dense vectors (default 0: the dense model's); with --dense-model none, a positive value lets documents and queries supply their own 'vector' for dense and hybrid modes");
        DESCRIPTIONS.put("dense-codec", "dense vector storage: float32 (default) or int8");
        DESCRIPTIONS.put("dense-index", "dense index per shard: ivf (default; lists of nearby vectors, --nprobe of them scanned per query, best candidates re-scored exactly) or exact (every vector scanned)");
        DESCRIPTIONS.put("nprobe", "ivf: lists scanned per query and shard (default 32)");
        DESCRIPTIONS.put("ivf-max-list", "ivf: a list that reaches this many vectors is split in two, so a shard of N vectors has N/max..2N/max lists (default 256)");
        DESCRIPTIONS.put("token-codec", "token vector storage: float16 (default), int8, binary, residual2 or residual1"
                + " (PLAID: centroid id + 2 or 1 bits per dimension, centroids trained per shard)");
        DESCRIPTIONS.put("token-projection", "linear projection of token vectors trained for MaxSim, applied to documents and queries before the token codec: none (default), default (the shipped 384 → 128 projection for all-minilm-l6-v2-q) or a file written by train-projection; one trained for another model is refused");
        DESCRIPTIONS.put("token-train-tokens", "residual token codecs: token vectors a shard collects (stored as"
                + " float16) before it trains its centroids on them (default 8192)");
        DESCRIPTIONS.put("encode-batch-size", "texts per ONNX call (default 32)");
        DESCRIPTIONS.put("encode-max-wait-ms", "longest a partial encode batch waits (default 5)");
        DESCRIPTIONS.put("onnx-threads", "ONNX Runtime intra-op threads per model per JVM (default 2)");
        DESCRIPTIONS.put("bm25-depth", "hybrid/full: BM25 candidates per shard (default 100)");
        DESCRIPTIONS.put("dense-depth", "hybrid/full: dense candidates per shard (default 100)");
        DESCRIPTIONS.put("fusion", "hybrid/full fusion: rrf (default) or linear; a query may override it");
        DESCRIPTIONS.put("rrf-k", "RRF constant k in 1/(k + rank) (default 60)");
        DESCRIPTIONS.put("linear-bm25-weight", "linear fusion: weight of min-max normalised BM25, dense gets 1 - w (default 0.5)");
        DESCRIPTIONS.put("colbert-nprobe", "colbert: token centroid lists probed per query token and shard (default 4)");
        DESCRIPTIONS.put("colbert-candidates", "colbert: candidates per shard kept by the centroid interaction for exact MaxSim (default 512)");
        DESCRIPTIONS.put("maxsim-depth", "full: documents per query scored with MaxSim over all shards (default 50)");
        DESCRIPTIONS.put("rerank-depth", "full: top hits reranked by the cross-encoder (default 20)");
        DESCRIPTIONS.put("transaction-timeout-ms", "Kafka transaction timeout for exactly-once delivery (default 600000; must not exceed the broker's transaction.max.timeout.ms)");
    }

    public String bootstrapServers;
    public String documentsTopic = "documents";
    public String queriesTopic = "queries";
    public String resultsTopic = "results";
    public String deadLetterTopic = "dead-letters";
    public String groupId = "stream-retrieval";
    public String queriesStart = "latest";
    public int shards = 8;
    public Integer parallelism;
    /** Null: {@link ShardPlacement#defaultMaxParallelism}. */
    public Integer maxParallelism;
    public double k1 = 0.9;
    public double b = 0.4;
    public String bm25Lengths = "lucene";
    public String delivery = "at-least-once";
    public long checkpointIntervalMs = 5000;
    public String checkpointDir;
    public String workDir = "work-data";
    public long bufferTimeoutMs = 5;
    public long transactionTimeoutMs = 600_000;
    public AnalyzerOptions analyzer = new AnalyzerOptions();
    public InputLimits limits = new InputLimits();
    public QueryOptions query = new QueryOptions();
    public GatherOptions gather = new GatherOptions();
    public NeuralOptions neural = new NeuralOptions();
    public DenseIndexOptions denseIndex = new DenseIndexOptions();
    /** Kafka client properties passed through to every client. */
    public Map<String, String> kafkaProperties = new LinkedHashMap<>();
    /** Flink configuration keys set on the execution environment. */
    public Map<String, String> flinkConfiguration = new LinkedHashMap<>();

    public JobOptions() {}

    /**
     * Parses {@code --name value} pairs (also {@code --name=value}). Arguments that are not options (no
     * leading --) are returned in {@code positional}.
     */
    public static JobOptions parse(List<String> args, List<String> positional, Set<String> extraFlags,
            Map<String, String> extras) {
        JobOptions o = new JobOptions();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (extraFlags.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (extraFlags.contains(name) || extras.containsKey(name)) {
                extras.put(name, value);
            } else {
                o.set(name, value);
            }
        }
        o.validate();
        return o;
    }

    public static JobOptions parse(String... args) {
        List<String> positional = new ArrayList<>();
        JobOptions o = parse(List.of(args), positional, Set.of(), new LinkedHashMap<>());
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("unexpected arguments " + positional);
        }
        return o;
    }

    /** Sets one option by its command-line name; fails on an unknown name or a bad value. */
    public void set(String name, String value) {
        if (name.startsWith("kafka.")) {
            kafkaProperties.put(name.substring("kafka.".length()), value);
            return;
        }
        if (name.startsWith("flink.")) {
            flinkConfiguration.put(name.substring("flink.".length()), value);
            return;
        }
        try {
            switch (name) {
                case "bootstrap-servers" -> bootstrapServers = value;
                case "documents-topic" -> documentsTopic = value;
                case "queries-topic" -> queriesTopic = value;
                case "results-topic" -> resultsTopic = value;
                case "dead-letter-topic" -> deadLetterTopic = value;
                case "group-id" -> groupId = value;
                case "queries-start" -> queriesStart = value;
                case "shards" -> shards = Integer.parseInt(value);
                case "parallelism" -> parallelism = Integer.parseInt(value);
                case "max-parallelism" -> maxParallelism = Integer.parseInt(value);
                case "k1" -> k1 = Double.parseDouble(value);
                case "b" -> b = Double.parseDouble(value);
                case "bm25-lengths" -> bm25Lengths = value;
                case "default-k" -> query.defaultK = Integer.parseInt(value);
                case "shard-depth-factor" -> query.shardDepthFactor = Integer.parseInt(value);
                case "shard-depth-margin" -> query.shardDepthMargin = Integer.parseInt(value);
                case "gather-timeout-ms" -> gather.timeoutMillis = Long.parseLong(value);
                case "delivery" -> delivery = value;
                case "checkpoint-interval-ms" -> checkpointIntervalMs = Long.parseLong(value);
                case "checkpoint-dir" -> checkpointDir = value;
                case "work-dir" -> workDir = value;
                case "buffer-timeout-ms" -> bufferTimeoutMs = Long.parseLong(value);
                case "analyzer-stemmer" -> analyzer.stemmer = value;
                case "analyzer-stopwords" -> analyzer.stopwords = value;
                case "max-document-bytes" -> limits.maxDocumentBytes = Integer.parseInt(value);
                case "max-query-chars" -> limits.maxQueryChars = Integer.parseInt(value);
                case "max-query-tokens" -> limits.maxQueryTokens = Integer.parseInt(value);
                case "max-query-bytes" -> limits.maxQueryBytes = Integer.parseInt(value);
                case "max-k" -> limits.maxK = Integer.parseInt(value);
                case "max-dead-letter-value-bytes" -> limits.maxDeadLetterValueBytes = Integer.parseInt(value);
                case "dense-model" -> neural.denseModel = value;
                case "query-model" -> neural.queryModel = value;
                case "token-model" -> neural.tokenModel = value;
                case "cross-encoder" -> neural.crossEncoderModel = value;
                case "dense-codec" -> neural.denseCodec = value;
                case "vector-dimension" -> neural.vectorDimension = Integer.parseInt(value);
                case "dense-index" -> denseIndex.kind = value;
                case "nprobe" -> denseIndex.nprobe = Integer.parseInt(value);
                case "ivf-max-list" -> denseIndex.maxListSize = Integer.parseInt(value);
                case "token-codec" -> neural.tokenCodec = value;
                case "token-projection" -> neural.tokenProjection = value;
                case "token-train-tokens" -> neural.tokenTrainTokens = Integer.parseInt(value);
                case "encode-batch-size" -> neural.batchSize = Integer.parseInt(value);
                case "encode-max-wait-ms" -> neural.maxWaitMillis = Long.parseLong(value);
                case "onnx-threads" -> neural.intraOpThreads = Integer.parseInt(value);
                case "bm25-depth" -> query.bm25Depth = Integer.parseInt(value);
                case "dense-depth" -> query.denseDepth = Integer.parseInt(value);
                case "fusion" -> gather.fusion = value;
                case "rrf-k" -> gather.rrfK = Integer.parseInt(value);
                case "linear-bm25-weight" -> gather.linearBm25Weight = Double.parseDouble(value);
                case "maxsim-depth" -> query.maxSimDepth = Integer.parseInt(value);
                case "colbert-nprobe" -> query.colbertNprobe = Integer.parseInt(value);
                case "colbert-candidates" -> query.colbertCandidates = Integer.parseInt(value);
                case "rerank-depth" -> gather.rerankDepth = Integer.parseInt(value);
                case "transaction-timeout-ms" -> transactionTimeoutMs = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option --" + name + "; known options: "
                        + String.join(", ", DESCRIPTIONS.keySet()) + ", kafka.<client property>, flink.<config key>");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " needs a number, got '" + value + "'");
        }
    }

    public void validate() {
        if (shards < 1) {
            throw new IllegalArgumentException("--shards must be >= 1, got " + shards);
        }
        if (parallelism != null && parallelism < 1) {
            throw new IllegalArgumentException("--parallelism must be >= 1, got " + parallelism);
        }
        placement(); // refuses S > max parallelism and a max parallelism S does not divide
        if (!delivery.equals("at-least-once") && !delivery.equals("exactly-once")) {
            throw new IllegalArgumentException("--delivery must be at-least-once or exactly-once, got " + delivery);
        }
        if (!queriesStart.equals("latest") && !queriesStart.equals("earliest")) {
            throw new IllegalArgumentException("--queries-start must be latest or earliest, got " + queriesStart);
        }
        if (!bm25Lengths.equals("lucene") && !bm25Lengths.equals("exact")) {
            throw new IllegalArgumentException("--bm25-lengths must be lucene or exact, got " + bm25Lengths);
        }
        if (query.defaultK < 1 || query.defaultK > limits.maxK) {
            throw new IllegalArgumentException("--default-k must be within [1, max-k=" + limits.maxK + "]");
        }
        if (checkpointIntervalMs < 100) {
            throw new IllegalArgumentException("--checkpoint-interval-ms must be >= 100");
        }
        if (gather.timeoutMillis < 1) {
            throw new IllegalArgumentException("--gather-timeout-ms must be >= 1");
        }
        analyzer.validate();
        neural.validate();
        denseIndex.validate();
        if (!gather.fusion.equals("rrf") && !gather.fusion.equals("linear")) {
            throw new IllegalArgumentException("--fusion must be rrf or linear, got " + gather.fusion);
        }
        if (gather.rrfK < 1 || query.bm25Depth < 1 || query.denseDepth < 1 || query.maxSimDepth < 1
                || gather.rerankDepth < 1) {
            throw new IllegalArgumentException("--rrf-k and the depths must be >= 1");
        }
        if (gather.linearBm25Weight < 0 || gather.linearBm25Weight > 1) {
            throw new IllegalArgumentException("--linear-bm25-weight must be within [0, 1]");
        }
        bm25();
    }

    public boolean exactlyOnce() {
        return delivery.equals("exactly-once");
    }

    /** Where the shards live: their routing keys under the job's max parallelism. */
    public ShardPlacement placement() {
        return new ShardPlacement(shards, maxParallelism != null ? maxParallelism : ShardPlacement.defaultMaxParallelism(shards));
    }

    public Bm25 bm25() {
        return new Bm25(k1, b, bm25Lengths.equals("lucene"));
    }

    /** Kafka client properties: bootstrap servers plus every passthrough property. */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        if (bootstrapServers != null) {
            p.setProperty("bootstrap.servers", bootstrapServers);
        }
        return p;
    }
}
