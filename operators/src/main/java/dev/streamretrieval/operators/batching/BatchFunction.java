package dev.streamretrieval.operators.batching;

import java.io.Serializable;
import java.util.List;

/**
 * Work done on a whole batch at once (one ONNX call instead of one per record). Implementations are created on
 * the client, serialised into the job, then opened once per subtask.
 */
public interface BatchFunction<IN, OUT> extends Serializable {
    /** Loads models etc.; called once per subtask before the first batch. */
    void open(BatchContext context) throws Exception;

    /** One output per input, in the same order. */
    List<OUT> apply(List<IN> batch) throws Exception;

    void close() throws Exception;
}
