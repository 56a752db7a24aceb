package dev.streamretrieval.operators.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class MicroBatchOperatorTest {
    /** Records the batch sizes it sees; doubles each value. */
    static final class Doubler implements BatchFunction<Integer, Integer> {
        private static final long serialVersionUID = 1L;
        static final List<Integer> SIZES = new CopyOnWriteArrayList<>();

        @Override
        public void open(BatchContext context) {}

        @Override
        public List<Integer> apply(List<Integer> batch) {
            SIZES.add(batch.size());
            List<Integer> out = new ArrayList<>();
            batch.forEach(x -> out.add(2 * x));
            return out;
        }

        @Override
        public void close() {}
    }

    private static OneInputStreamOperatorTestHarness<Integer, Integer> harness() throws Exception {
        Doubler.SIZES.clear();
        var h = new OneInputStreamOperatorTestHarness<>(new MicroBatchOperator<>(new Doubler(), 3, 50));
        h.open();
        return h;
    }

    @Test
    void batchesBySizeAndKeepsOrder() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            for (int i = 1; i <= 7; i++) {
                h.processElement(i, i);
            }
            assertThat(h.extractOutputValues()).containsExactly(2, 4, 6, 8, 10, 12);
            assertThat(Doubler.SIZES).containsExactly(3, 3);
            // the last record waits for the timer
            h.setProcessingTime(49);
            assertThat(h.extractOutputValues()).hasSize(6);
            h.setProcessingTime(50);
            assertThat(h.extractOutputValues()).containsExactly(2, 4, 6, 8, 10, 12, 14);
            assertThat(Doubler.SIZES).containsExactly(3, 3, 1);
        }
    }

    @Test
    void flushesBeforeACheckpointBarrierAndAtEndOfInput() throws Exception {
        try (var h = harness()) {
            h.processElement(1, 0);
            h.processElement(2, 0);
            h.prepareSnapshotPreBarrier(1L);
            assertThat(h.extractOutputValues()).containsExactly(2, 4);
            h.processElement(3, 0);
            h.endInput();
            h.getOneInputOperator().finish();
            assertThat(h.extractOutputValues()).containsExactly(2, 4, 6);
            assertThat(Doubler.SIZES).containsExactly(2, 1);
        }
    }
}
