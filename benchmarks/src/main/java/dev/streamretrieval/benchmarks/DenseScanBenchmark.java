package dev.streamretrieval.benchmarks;

import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.MaxSimWorkload;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The exact dense scan of dense/hybrid/full mode: one 384-dimensional query against 3,395 stored vectors (the
 * size of nfcorpus), laid out as in a vector block (8-byte ordinal + codec bytes per entry). {@code kernel} is
 * the shipped {@link DenseCodec#dot}; {@code reference} is the dot product as first written (ByteBuffer reads, one
 * running sum), for the before/after comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class DenseScanBenchmark {
    static final int VECTORS = 3395;
    static final int DIM = 384;

    @Param({"float32", "int8"})
    public String codec;

    private DenseCodec dense;
    private byte[] data;
    private int entry;
    private float[] query;

    @Setup
    public void setUp() {
        dense = DenseCodec.parse(codec);
        entry = 8 + dense.bytes(DIM);
        data = new byte[VECTORS * entry];
        Random r = new Random(7);
        ByteBuffer b = ByteBuffer.wrap(data);
        for (int i = 0; i < VECTORS; i++) {
            b.position(i * entry + 8);
            dense.encode(MaxSimWorkload.randomUnitVectors(r, 1, DIM)[0], b.slice());
        }
        query = MaxSimWorkload.randomUnitVectors(r, 1, DIM)[0];
    }

    @Benchmark
    public float kernel() {
        float best = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < VECTORS; i++) {
            best = Math.max(best, dense.dot(query, data, i * entry + 8));
        }
        return best;
    }

    @Benchmark
    public float reference() {
        float best = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < VECTORS; i++) {
            best = Math.max(best, referenceDot(dense, query, data, i * entry + 8));
        }
        return best;
    }

    /** DenseCodec.dot as first written (commit 5f1f5e2). */
    static float referenceDot(DenseCodec codec, float[] q, byte[] data, int offset) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float s = 0;
        if (codec == DenseCodec.FLOAT32) {
            for (int i = 0; i < q.length; i++) {
                s += q[i] * b.getFloat(offset + 4 * i);
            }
            return s;
        }
        float scale = b.getFloat(offset) / 127f;
        int base = offset + 4;
        for (int i = 0; i < q.length; i++) {
            s += q[i] * data[base + i];
        }
        return s * scale;
    }
}
