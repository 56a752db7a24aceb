package dev.streamretrieval.jobs;

import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.encoding.NeuralOptions;
import dev.streamretrieval.operators.gather.GatherOptions;
import dev.streamretrieval.operators.index.DenseIndexOptions;
import dev.streamretrieval.operators.placement.ShardPlacement;
import dev.streamretrieval.operators.query.QueryOptions;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.schemas.InputLimits;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Every option of the job, typed. The options are Flink {@link org.apache.flink.configuration.ConfigOption}s
 * ({@link RetrievalOptions}, keys {@code retrieval.<name>}): {@link #parse(ReadableConfig, String...)} reads them
 * from a Flink configuration and then from {@code --name value} arguments, which override it. Unknown options fail
 * with the list of known ones. {@code --kafka.<property> value} passes any Kafka client property (security, SASL,
 * TLS, ...) to every source, sink and admin client; {@code --flink.<key> value} sets a Flink configuration key.
 */
public class JobOptions implements Serializable {
    private static final long serialVersionUID = 1L;

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
     * A command's own option, next to the job's: its name, its default ({@code null}: none, or one the command
     * works out and names in the description) and its --help description. A command declares its options once as
     * a list of these; {@link #defaults} gives the map {@link #parse} fills and {@link #descriptions} the help text,
     * which shows a non-null default.
     */
    public record Extra(String name, String defaultValue, String description) {
        /** name → default, in declaration order: the {@code extras} map {@link #parse} fills. */
        public static Map<String, String> defaults(List<Extra> extras) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            extras.forEach(e -> m.put(e.name, e.defaultValue));
            return m;
        }

        /** name → description with its default, in declaration order, for --help. */
        public static Map<String, String> descriptions(List<Extra> extras) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            extras.forEach(e -> m.put(e.name, e.defaultValue == null ? e.description
                    : e.description + " (default " + e.defaultValue + ")"));
            return m;
        }
    }

    /**
     * Parses {@code --name value} pairs (also {@code --name=value}) over no configuration. Arguments that are not
     * options (no leading --) are returned in {@code positional}; {@code extraFlags} (no value) and the names in
     * {@code extras} are a command's own options, returned in {@code extras}.
     */
    public static JobOptions parse(List<String> args, List<String> positional, Set<String> extraFlags,
            Map<String, String> extras) {
        return parse(new Configuration(), args, positional, extraFlags, extras);
    }

    /**
     * The options set in {@code flink} ({@code retrieval.<name>} keys of a Flink configuration), overridden by the
     * {@code --name value} arguments; then checked ({@link #validate}).
     */
    public static JobOptions parse(ReadableConfig flink, List<String> args, List<String> positional,
            Set<String> extraFlags, Map<String, String> extras) {
        Configuration conf = new Configuration();
        for (Map.Entry<String, String> e : flink.toMap().entrySet()) {
            if (e.getKey().startsWith(RetrievalOptions.PREFIX)) {
                if (RetrievalOptions.byName(e.getKey().substring(RetrievalOptions.PREFIX.length())) == null) {
                    throw new IllegalArgumentException("unknown option " + e.getKey() + " in the Flink configuration;"
                            + " known options: " + String.join(", ", RetrievalOptions.all().stream().map(o -> o.key()).toList()));
                }
                conf.setString(e.getKey(), e.getValue());
            }
        }
        JobOptions o = new JobOptions();
        Set<String> fromArgs = new HashSet<>();
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
            } else if (name.startsWith("kafka.")) {
                o.kafkaProperties.put(name.substring("kafka.".length()), value);
            } else if (name.startsWith("flink.")) {
                o.flinkConfiguration.put(name.substring("flink.".length()), value);
            } else if (RetrievalOptions.byName(name) != null) {
                conf.setString(RetrievalOptions.PREFIX + name, value);
                fromArgs.add(name);
            } else {
                throw new IllegalArgumentException("unknown option --" + name + "; known options: "
                        + String.join(", ", RetrievalOptions.descriptions().keySet())
                        + ", kafka.<client property>, flink.<config key>");
            }
        }
        // a value that does not convert to the option's type, named as the user wrote it
        for (ConfigOption<?> option : RetrievalOptions.all()) {
            try {
                conf.get(option);
            } catch (IllegalArgumentException e) {
                String name = RetrievalOptions.name(option);
                String where = fromArgs.contains(name) ? "option --" + name : option.key() + " (Flink configuration)";
                throw new IllegalArgumentException(where + " needs a number, got '" + conf.toMap().get(option.key()) + "'");
            }
        }
        RetrievalOptions.applyTo(conf, o);
        o.validate();
        return o;
    }

    public static JobOptions parse(String... args) {
        return parse(new Configuration(), args);
    }

    /** The options of a Flink configuration, overridden by arguments; no positional arguments allowed. */
    public static JobOptions parse(ReadableConfig flink, String... args) {
        List<String> positional = new ArrayList<>();
        JobOptions o = parse(flink, List.of(args), positional, Set.of(), new LinkedHashMap<>());
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("unexpected arguments " + positional);
        }
        return o;
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
        try {
            Fusion.checkFullWeights(gather.fullBm25Weight, gather.fullDenseWeight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--full-bm25-weight and --full-dense-weight: " + e.getMessage(), e);
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
