package dev.streamretrieval.operators.batching;

import java.util.ArrayList;
import java.util.List;
import dev.streamretrieval.schemas.DeadLetter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Collects records into batches of up to {@code maxBatchSize} or until {@code maxWaitMillis} has passed since the
 * first record of the batch, runs a {@link BatchFunction} on the batch, and emits its outputs in input order.
 *
 * <p>Flink's async I/O hands records to the function one at a time (FLINK-38825), which wastes a model's batch
 * dimension; this stage keeps it. The buffer is flushed before every checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}) and at end of input ({@link #finish}), so a checkpoint never holds
 * unprocessed records and the buffer needs no state of its own.
 */
public class MicroBatchOperator<IN, OUT> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<IN, OUT> {
    private static final long serialVersionUID = 1L;

    private final BatchFunction<IN, OUT> function;
    private final int maxBatchSize;
    private final long maxWaitMillis;
    /** Where the function's dead letters go; null when the stage has none to send. */
    private final OutputTag<DeadLetter> deadLetters;

    private transient List<StreamRecord<IN>> buffer;
    private transient boolean timerPending;
    private transient Histogram batchSizes;
    private transient Histogram batchMillis;
    private transient Counter batches;

    public MicroBatchOperator(BatchFunction<IN, OUT> function, int maxBatchSize, long maxWaitMillis) {
        this(function, maxBatchSize, maxWaitMillis, null);
    }

    public MicroBatchOperator(BatchFunction<IN, OUT> function, int maxBatchSize, long maxWaitMillis,
            OutputTag<DeadLetter> deadLetters) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + maxBatchSize);
        }
        this.function = function;
        this.maxBatchSize = maxBatchSize;
        this.maxWaitMillis = maxWaitMillis;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>(maxBatchSize);
        batchSizes = getMetricGroup().histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        batchMillis = getMetricGroup().histogram("batchMillis", new DescriptiveStatisticsHistogram(1000));
        batches = getMetricGroup().counter("batches");
        function.open(new BatchContext() {
            @Override
            public MetricGroup metrics() {
                return getMetricGroup();
            }

            @Override
            public void deadLetter(DeadLetter d) {
                if (deadLetters == null) {
                    throw new IllegalStateException("this stage has no dead-letter output, cannot send " + d);
                }
                output.collect(deadLetters, new StreamRecord<>(d));
            }
        });
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        buffer.add(element.copy(element.getValue()));
        if (buffer.size() >= maxBatchSize) {
            flush();
        } else if (!timerPending) {
            timerPending = true;
            long at = getProcessingTimeService().getCurrentProcessingTime() + maxWaitMillis;
            getProcessingTimeService().registerTimer(at, t -> {
                timerPending = false;
                flush();
            });
        }
    }

    private void flush() throws Exception {
        if (buffer.isEmpty()) {
            return;
        }
        List<IN> values = new ArrayList<>(buffer.size());
        for (StreamRecord<IN> r : buffer) {
            values.add(r.getValue());
        }
        long start = System.nanoTime();
        List<OUT> results = function.apply(values);
        batchMillis.update((System.nanoTime() - start) / 1_000_000);
        batchSizes.update(values.size());
        batches.inc();
        if (results.size() != values.size()) {
            throw new IllegalStateException("batch function returned " + results.size() + " results for "
                    + values.size() + " inputs");
        }
        for (int i = 0; i < results.size(); i++) {
            StreamRecord<IN> in = buffer.get(i);
            if (in.hasTimestamp()) {
                output.collect(new StreamRecord<>(results.get(i), in.getTimestamp()));
            } else {
                output.collect(new StreamRecord<>(results.get(i)));
            }
        }
        buffer.clear();
    }

    /** Records before a watermark must leave before it does. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            function.close();
        } finally {
            super.close();
        }
    }
}
