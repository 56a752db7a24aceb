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
 * MaxSim of one 32-token query over 100 candidates of ~200 tokens, one thread, per token codec and dimension (384,
 * MiniLM's raw token states; 128, the trained projection's and ColBERT's size). One operation = the whole query:
 * prepare it, then score all 100 candidates, exactly as a shard does in full mode ({@link MaxSimWorkload}).
 * {@code kernel} is the shipped path: {@link TokenCodec#maxSim} for float16/int8/binary, and for the residual codecs
 * the shard's {@code ResidualCodebook.maxSim} (decompress each candidate's tokens against a codebook trained on the
 * workload's token vectors, then the float16 kernel). {@code reference} is the kernel as it was before it was
 * optimised ({@link ReferenceMaxSim}), kept for the before/after comparison; the residual codecs never had one, so
 * it has its own parameter set without them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class MaxSimBenchmark {

    /** The shipped kernels' workload: every codec. */
    @State(Scope.Thread)
    public static class Shipped {
        @Param({"float16", "int8", "binary", "residual2", "residual1"})
        public String codec;

        @Param({"384", "128"})
        public int dimension;

        MaxSimWorkload workload;

        @Setup
        public void setUp() {
            workload = new MaxSimWorkload(TokenCodec.parse(codec), dimension, 42);
        }
    }

    /** The reference kernels' workload: the codecs that had a first, unoptimised kernel. */
    @State(Scope.Thread)
    public static class Before {
        @Param({"float16", "int8", "binary"})
        public String codec;

        @Param({"384", "128"})
        public int dimension;

        MaxSimWorkload workload;

        @Setup
        public void setUp() {
            workload = new MaxSimWorkload(TokenCodec.parse(codec), dimension, 42);
        }
    }

    @Benchmark
    public float kernel(Shipped s) {
        return s.workload.scoreAll();
    }

    @Benchmark
    public float reference(Before s) {
        ReferenceMaxSim.Prepared q = ReferenceMaxSim.prepare(s.workload.query);
        float sum = 0;
        for (byte[] doc : s.workload.docs) {
            sum += ReferenceMaxSim.maxSim(s.workload.codec, q, doc);
        }
        return sum;
    }
}
