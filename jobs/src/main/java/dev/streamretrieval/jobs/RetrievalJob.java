package dev.streamretrieval.jobs;

import dev.streamretrieval.jobs.kafka.JsonRecordSerializer;
import dev.streamretrieval.jobs.kafka.SourceRecordDeserializer;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.batching.MicroBatchOperator;
import dev.streamretrieval.operators.encoding.EncodeDocuments;
import dev.streamretrieval.operators.encoding.EncodeQueries;
import dev.streamretrieval.operators.encoding.NeuralOptions;
import dev.streamretrieval.operators.gather.GatherFunction;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.index.IndexAndSearchShards;
import dev.streamretrieval.operators.ingest.DeadLetters;
import dev.streamretrieval.operators.ingest.PrepareDocuments;
import dev.streamretrieval.operators.ingest.ShardRouter;
import dev.streamretrieval.operators.placement.ShardLayoutOperator;
import dev.streamretrieval.operators.placement.ShardPlacement;
import dev.streamretrieval.operators.query.FanOutQueries;
import dev.streamretrieval.operators.query.PlanQueries;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.rerank.CrossEncoderRerank;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.DocumentDecoder;
import dev.streamretrieval.schemas.InputLimits;
import dev.streamretrieval.schemas.QueryDecoder;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.SearchResult;
import dev.streamretrieval.schemas.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.rocksdb.CompressionType;

/**
 * The streaming retrieval job. Sources and sinks are parameters, so tests and tools can inject their own; the
 * Kafka versions come from {@link #kafkaDocumentsSource} and friends.
 *
 * <pre>
 *  documents ─► PrepareDocuments ─► EncodeDocuments ─► keyBy(shard) ─┐   (refused + degraded ─► dead letters)
 *                                                                      ▼
 *  queries ─► PlanQueries ─► EncodeQueries ─► fan out ─► keyBy(shard) ─► ShardIndex ─► keyBy(request)
 *                                                                      ─► Gather ─► Rerank ─► results
 * </pre>
 */
public final class RetrievalJob {
    /** The modes these options answer; the others are refused with a dead letter naming these. */
    public static EnumSet<QueryMode> supportedModes(JobOptions o) {
        EnumSet<QueryMode> modes = EnumSet.of(QueryMode.BM25);
        if (o.neural.denseVectors()) { // without a dense model, queries of these modes bring their own vector
            modes.add(QueryMode.DENSE);
            modes.add(QueryMode.HYBRID);
        }
        if (o.neural.tokensEnabled()) {
            modes.add(QueryMode.FULL);
            if (o.neural.tokenCodec().residualBits() > 0) { // the centroid lists come with the residual codecs
                modes.add(QueryMode.COLBERT);
            }
        }
        return modes;
    }

    private RetrievalJob() {}

    /**
     * The deployable entry point: the job jar's Main-Class and the FlinkDeployment's {@code entryClass}. Builds the
     * job with Kafka sources and sinks from the options and runs it in the cluster it was submitted to
     * ({@code bin/hybrid job} runs the same in the JVM of the command).
     */
    public static void main(String[] args) throws Exception {
        JobOptions o = options(args);
        if (o.bootstrapServers == null) {
            throw new IllegalArgumentException("job needs --bootstrap-servers");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(o));
        buildWithKafka(env, o);
        env.execute("stream-retrieval");
    }

    /**
     * The job's options: the {@code retrieval.*} keys of the Flink configuration the job is submitted with (the
     * cluster's {@code config.yaml}, which a FlinkDeployment's {@code flinkConfiguration} becomes; Flink hands it to
     * {@code main} as the context environment's configuration), overridden by the arguments.
     */
    public static JobOptions options(String[] args) {
        return JobOptions.parse(StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration(), args);
    }

    /** Wires the pipeline onto {@code env}. */
    public static void build(StreamExecutionEnvironment env, Source<SourceRecord, ?, ?> documents,
            Source<SourceRecord, ?, ?> queries, Sink<SearchResult> results, Sink<DeadLetter> deadLetters,
            JobOptions o) {
        TextAnalyzer analyzer = new TextAnalyzer(o.analyzer);
        NeuralOptions n = o.neural;
        // supplied vectors must have the dimension of the vectors the shards hold (0: the job holds none)
        InputLimits limits = o.limits.withVectorDimension(n.denseDimension());
        DenseCodec denseCodec = n.denseVectors() ? n.denseCodec() : null;

        SingleOutputStreamOperator<IndexRequest> prepared = env
                .fromSource(documents, WatermarkStrategy.noWatermarks(), "documents-source")
                .uid("documents-source")
                .process(new PrepareDocuments(new DocumentDecoder(limits), analyzer, new ShardRouter(o.shards),
                        o.limits.maxDeadLetterValueBytes, denseCodec))
                .uid("prepare-documents")
                .name("decode + analyse documents");

        DataStream<IndexRequest> encoded = prepared;
        DataStream<DeadLetter> deadLetterStream = prepared.getSideOutput(DeadLetters.TAG);
        if (n.enabled()) {
            SingleOutputStreamOperator<IndexRequest> encodedDocuments = prepared
                    .transform("encode documents (ONNX, micro-batched)", TypeInformation.of(IndexRequest.class),
                            new MicroBatchOperator<>(new EncodeDocuments(n), n.batchSize, n.maxWaitMillis,
                                    DeadLetters.TAG))
                    .uid("encode-documents");
            encoded = encodedDocuments;
            // documents the model could not encode: indexed for BM25 only, and reported as degraded
            deadLetterStream = deadLetterStream.union(encodedDocuments.getSideOutput(DeadLetters.TAG));
        }

        SingleOutputStreamOperator<ShardQuery> planned = env
                .fromSource(queries, WatermarkStrategy.noWatermarks(), "queries-source")
                .uid("queries-source")
                .process(new PlanQueries(new QueryDecoder(limits), analyzer, o.shards, o.query, supportedModes(o),
                        o.limits.maxDeadLetterValueBytes, n.enabled()))
                .uid("plan-queries")
                .name("decode + analyse + fan out queries");

        DataStream<ShardQuery> plannedEncoded = planned;
        if (n.enabled()) {
            plannedEncoded = planned.transform("encode queries (ONNX, micro-batched)",
                            TypeInformation.of(ShardQuery.class),
                            new MicroBatchOperator<>(new EncodeQueries(n), n.batchSize, n.maxWaitMillis))
                    .uid("encode-queries");
        }
        DataStream<ShardQuery> fannedOut = plannedEncoded.flatMap(new FanOutQueries())
                .returns(TypeInformation.of(ShardQuery.class))
                .uid("fan-out-queries")
                .name("fan out to shards");

        // Documents and queries are keyed by the shard's routing key, not its id: the routing keys put the shards
        // on evenly spaced key groups, so every subtask owns floor(S/P) or ceil(S/P) shards (ShardPlacement).
        ShardPlacement placement = o.placement();
        DataStream<ShardHits> shardHits = encoded
                .keyBy(r -> placement.routingKey(r.shard), Types.INT)
                .connect(fannedOut.keyBy(q -> placement.routingKey(q.shard), Types.INT))
                .transform("index + search shards (BM25, dense, MaxSim)", TypeInformation.of(ShardHits.class),
                        new ShardLayoutOperator<>(new IndexAndSearchShards(o.bm25(), denseCodec,
                                n.tokensEnabled() ? n.tokenCodec() : null,
                                new Fusion(o.gather.fusion, o.gather.rrfK, o.gather.linearBm25Weight), o.denseIndex,
                                n.tokenTrainTokens), placement))
                .uid("shard-index") // unchanged: savepoints address the operator's state by this uid
                .setMaxParallelism(placement.maxParallelism());

        shardHits
                .keyBy(h -> h.requestId, Types.STRING)
                .process(new GatherFunction(o.bm25(), o.gather))
                .uid("gather")
                .name("gather + global BM25 re-score + fusion")
                .transform("rerank (cross-encoder, micro-batched)", TypeInformation.of(SearchResult.class),
                        new MicroBatchOperator<>(new CrossEncoderRerank(
                                n.crossEncoderEnabled() ? n.crossEncoderSpec() : null, n.intraOpThreads, n.batchSize),
                                Math.max(1, n.batchSize / 8), n.maxWaitMillis))
                .uid("rerank")
                .sinkTo(results)
                .uid("results-sink")
                .name("results sink");

        deadLetterStream
                .union(planned.getSideOutput(DeadLetters.TAG))
                .sinkTo(deadLetters)
                .uid("dead-letter-sink")
                .name("dead-letter sink");
    }

    /** Configures checkpointing, the RocksDB state backend with incremental checkpoints, and latency. */
    public static Configuration flinkConfiguration(JobOptions o) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // No block compression: 98% of the state is float/int8 vectors and varint-packed postings, which Snappy
        // shrank by 0.3% (cranfield, 190.8 vs 190.3 MB on disk) while decompressing every block read was the
        // largest part of a BM25 shard search's CPU time. --flink.state.backend.rocksdb.compression.per.level
        // SNAPPY_COMPRESSION brings it back.
        conf.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, List.of(CompressionType.NO_COMPRESSION));
        String dir = o.checkpointDir != null ? o.checkpointDir
                : Path.of(o.workDir, "checkpoints").toAbsolutePath().toUri().toString();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
        o.flinkConfiguration.forEach(conf::setString);
        return conf;
    }

    /** Applies the options that live on the environment rather than in its configuration. */
    public static void configure(StreamExecutionEnvironment env, JobOptions o) {
        env.enableCheckpointing(o.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);
        env.setBufferTimeout(o.bufferTimeoutMs);
        // Explicit: the shards' routing keys are chosen for this number of key groups (S <= it, S divides it).
        env.setMaxParallelism(o.placement().maxParallelism());
        if (o.parallelism != null) {
            env.setParallelism(o.parallelism);
        }
    }

    public static KafkaSource<SourceRecord> kafkaDocumentsSource(JobOptions o) {
        // Documents start at the earliest offset: a new job rebuilds the index from the (compacted) topic.
        return kafkaSource(o, o.documentsTopic, OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    public static KafkaSource<SourceRecord> kafkaQueriesSource(JobOptions o) {
        OffsetResetStrategy reset = o.queriesStart.equals("earliest") ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST;
        return kafkaSource(o, o.queriesTopic, OffsetsInitializer.committedOffsets(reset));
    }

    private static KafkaSource<SourceRecord> kafkaSource(JobOptions o, String topic, OffsetsInitializer start) {
        Properties props = o.kafkaClientProperties();
        props.setProperty("partition.discovery.interval.ms", props.getProperty("partition.discovery.interval.ms", "60000"));
        return KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(o.bootstrapServers)
                .setTopics(topic)
                .setGroupId(o.groupId)
                .setStartingOffsets(start)
                .setDeserializer(new SourceRecordDeserializer())
                .setProperties(props)
                .build();
    }

    public static KafkaSink<SearchResult> kafkaResultsSink(JobOptions o) {
        return kafkaSink(o, new JsonRecordSerializer<SearchResult>(o.resultsTopic,
                r -> r.queryId.getBytes(StandardCharsets.UTF_8)), "results");
    }

    public static KafkaSink<DeadLetter> kafkaDeadLetterSink(JobOptions o) {
        return kafkaSink(o, new JsonRecordSerializer<DeadLetter>(o.deadLetterTopic,
                d -> d.keyBase64 == null ? null : java.util.Base64.getDecoder().decode(d.keyBase64)), "dead-letters");
    }

    private static <T> KafkaSink<T> kafkaSink(JobOptions o, JsonRecordSerializer<T> serializer, String role) {
        Properties props = o.kafkaClientProperties();
        props.putIfAbsent("linger.ms", "0");
        props.putIfAbsent("transaction.timeout.ms", Long.toString(o.transactionTimeoutMs));
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(o.bootstrapServers)
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer);
        if (o.exactlyOnce()) {
            builder.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    .setTransactionalIdPrefix(o.groupId + "-" + role);
        } else {
            builder.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        }
        return builder.build();
    }

    /** Builds the job with Kafka sources and sinks from the options. */
    public static void buildWithKafka(StreamExecutionEnvironment env, JobOptions o) {
        configure(env, o);
        build(env, kafkaDocumentsSource(o), kafkaQueriesSource(o), kafkaResultsSink(o), kafkaDeadLetterSink(o), o);
    }
}
