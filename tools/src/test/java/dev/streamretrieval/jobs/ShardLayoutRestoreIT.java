package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.IndexRequest;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.index.IndexAndSearchShards;
import dev.streamretrieval.operators.ingest.PrepareDocuments;
import dev.streamretrieval.operators.ingest.ShardRouter;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.schemas.DocumentDecoder;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;

/**
 * A real savepoint of the old shard layout (the shard operator keyed by the shard id, as every release before
 * balanced placement) restored into the job: the job fails at once, without restarts, with a message that says
 * how to move, even when Flink is told to ignore state it cannot map.
 */
class ShardLayoutRestoreIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int SHARDS = 8;

    /** Documents as the documents topic delivers them, at a rate that keeps the job busy until the savepoint. */
    private static DataGeneratorSource<SourceRecord> documents() {
        return new DataGeneratorSource<>(i -> new SourceRecord("documents", 0, i, System.currentTimeMillis(),
                ("d" + i).getBytes(StandardCharsets.UTF_8), ("{\"id\": \"d" + i + "\", \"text\": \"streaming document "
                        + i + " about shards and key groups\"}").getBytes(StandardCharsets.UTF_8)),
                Long.MAX_VALUE, RateLimiterStrategy.perSecond(50), TypeInformation.of(SourceRecord.class));
    }

    private static DataGeneratorSource<SourceRecord> noQueries() {
        return new DataGeneratorSource<>(i -> new SourceRecord("queries", 0, i, 0, null, null), Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(0.001), TypeInformation.of(SourceRecord.class));
    }

    /** The old job's document path and shard operator: same uids and state, keyed by the shard id. */
    private static void buildOldLayout(StreamExecutionEnvironment env, JobOptions o) {
        var prepared = env.fromSource(documents(), WatermarkStrategy.noWatermarks(), "documents-source")
                .uid("documents-source")
                .process(new PrepareDocuments(new DocumentDecoder(o.limits), new TextAnalyzer(o.analyzer),
                        new ShardRouter(o.shards), o.limits.maxDeadLetterValueBytes, null))
                .uid("prepare-documents");
        var stats = env.fromSource(new DataGeneratorSource<>(i -> {
            ShardQuery q = new ShardQuery();
            q.requestId = "stats-" + i;
            q.queryId = q.requestId;
            q.op = QueryOp.STATS;
            q.shard = (int) (i % SHARDS);
            q.shardCount = SHARDS;
            return q;
        }, Long.MAX_VALUE, RateLimiterStrategy.perSecond(1), TypeInformation.of(ShardQuery.class)),
                WatermarkStrategy.noWatermarks(), "old-queries").uid("old-queries");
        prepared.keyBy(r -> r.shard, Types.INT)
                .connect(stats.keyBy(q -> q.shard, Types.INT))
                .process(new IndexAndSearchShards(o.bm25()))
                .returns(TypeInformation.of(ShardHits.class))
                .uid("shard-index")
                .sinkTo(new DiscardingSink<>())
                .uid("old-sink");
    }

    @Test
    void aSavepointOfTheOldLayoutIsRefusedWithAClearMessageAndNoRestarts() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "shard-layout-it-");
        JobOptions o = JobOptions.parse("--shards", Integer.toString(SHARDS), "--parallelism", "2", "--dense-model", "none",
                "--checkpoint-interval-ms", "1000", "--work-dir", work.toString());

        StreamExecutionEnvironment old = StreamExecutionEnvironment.createLocalEnvironment(RetrievalJob.flinkConfiguration(o));
        old.enableCheckpointing(1000);
        old.setParallelism(2);
        old.setMaxParallelism(128); // what the old job set for 8 shards
        buildOldLayout(old, o);
        JobClient oldJob = old.executeAsync("old-layout");
        long end = System.nanoTime() + WAIT.toNanos();
        while (oldJob.getJobStatus().get() != JobStatus.RUNNING && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        Thread.sleep(4000); // about 200 documents indexed into the shards' keyed state
        String savepoint = null;
        for (int attempt = 0; savepoint == null && System.nanoTime() < end && attempt < 60; attempt++) {
            try {
                savepoint = oldJob.stopWithSavepoint(false, work.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Thread.sleep(1000); // "not all required tasks are currently running" right after the job started
            }
        }
        assertThat(savepoint).as("savepoint of the old layout").isNotNull();

        Configuration conf = RetrievalJob.flinkConfiguration(o);
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true); // the worst case: --allowNonRestoredState
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        RetrievalJob.configure(env, o);
        RetrievalJob.build(env, documents(), noQueries(), new DiscardingSink<>(), new DiscardingSink<>(), o);
        long t0 = System.nanoTime();
        JobClient job = env.executeAsync("balanced-layout");
        Throwable failure = null;
        try {
            job.getJobExecutionResult().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            failure = e;
        } catch (TimeoutException e) {
            job.cancel().get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // still running on the old state: the bug
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(failure).as("restoring the old layout must fail the job within " + WAIT.toMinutes() + " minutes").isNotNull();
        String message = ExceptionUtils.findThrowableWithMessage(failure, "old shard layout")
                .map(Throwable::getMessage).orElse(ExceptionUtils.stringifyException(failure));
        System.out.printf("old-layout savepoint %s refused after %.1f s: %s%n", savepoint, seconds, message);
        assertThat(message).contains("holds shard state of the old shard layout")
                .contains("balanced-v1 shards=8 max-parallelism=128")
                .contains("re-indexes the compacted documents topic");
        // With checkpointing Flink restarts a failed job forever (exponential delay) by default: the result is only
        // there because the refusal suppresses restarts.
        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class)).isPresent();
    }
}
