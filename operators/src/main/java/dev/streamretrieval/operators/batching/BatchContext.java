package dev.streamretrieval.operators.batching;

import dev.streamretrieval.schemas.DeadLetter;
import java.util.function.Consumer;
import org.apache.flink.metrics.MetricGroup;

/** What a {@link BatchFunction} gets from the operator running it: its metric group and a dead-letter channel. */
public interface BatchContext {
    MetricGroup metrics();

    /** Sends a record to the stage's dead-letter side output (which the job unions into the dead-letter sink). */
    void deadLetter(DeadLetter deadLetter);

    /** A context outside a Flink operator (benchmarks, tests): dead letters go to {@code sink}. */
    static BatchContext of(MetricGroup metrics, Consumer<DeadLetter> sink) {
        return new BatchContext() {
            @Override
            public MetricGroup metrics() {
                return metrics;
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                sink.accept(deadLetter);
            }
        };
    }
}
