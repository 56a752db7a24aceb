package dev.streamretrieval.operators.ingest;

import dev.streamretrieval.schemas.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side output every stage uses for records it refuses; the job unions them into the dead-letter sink. */
public final class DeadLetters {
    private DeadLetters() {}

    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
}
