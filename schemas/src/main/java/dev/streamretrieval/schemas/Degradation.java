package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * A stage that could not do its part of a query's answer, in a result's {@code degraded} list: which stage
 * failed, which scores are therefore missing from the answer, and the error. The answer is still sent, made by
 * the stages that worked.
 */
public class Degradation {
    /** {@code query_encode} or {@code rerank}. */
    @JsonProperty("stage")
    public String stage;

    /** The scores the answer lacks because of it: {@code dense}, {@code maxsim}, {@code cross_encoder}. */
    @JsonProperty("skipped")
    public String[] skipped = new String[0];

    @JsonProperty("reason")
    public String reason;

    public Degradation() {}

    public Degradation(String stage, String reason, String... skipped) {
        this.stage = stage;
        this.reason = reason;
        this.skipped = skipped;
    }

    @Override
    public String toString() {
        return stage + " skipped " + Arrays.toString(skipped) + ": " + reason;
    }
}
