package dev.streamretrieval.benchmarks;

import dev.streamretrieval.operators.vectors.MaxSimWorkload;
import dev.streamretrieval.operators.vectors.TokenCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * MaxSim of one 32-token query over 100 candidates of ~200 tokens (384 dimensions), one thread, per token codec.
 * One operation = the whole query: prepare it, then score all 100 candidates, exactly as a shard does in full
 * mode. {@code kernel} is the shipped {@link TokenCodec#maxSim}; {@code reference} is the kernel as it was before
 * it was optimised ({@link ReferenceMaxSim}), kept for the before/after comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class MaxSimBenchmark {
    @Param({"float16", "int8", "binary"})
    public String codec;

    private TokenCodec tokenCodec;
    private MaxSimWorkload workload;

    @Setup
    public void setUp() {
        tokenCodec = TokenCodec.parse(codec);
        workload = new MaxSimWorkload(tokenCodec, 384, 42);
    }

    @Benchmark
    public float kernel() {
        return workload.scoreAll();
    }

    @Benchmark
    public float reference() {
        ReferenceMaxSim.Prepared q = ReferenceMaxSim.prepare(workload.query);
        float sum = 0;
        for (byte[] doc : workload.docs) {
            sum += ReferenceMaxSim.maxSim(tokenCodec, q, doc);
        }
        return sum;
    }
}
