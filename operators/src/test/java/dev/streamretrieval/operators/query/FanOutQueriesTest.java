package dev.streamretrieval.operators.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.schemas.Degradation;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class FanOutQueriesTest {
    /**
     * The copy for each shard is written field by field; a field added to ShardQuery and forgotten there (as the
     * result's degraded entries once were) fails here.
     */
    @Test
    void everyShardGetsEveryFieldOfThePlannedQuery() throws Exception {
        ShardQuery planned = new ShardQuery();
        int v = 1;
        for (Field f : ShardQuery.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> t = f.getType();
            Object value;
            if (t == int.class) {
                value = v++;
            } else if (t == long.class) {
                value = (long) v++;
            } else if (t == double.class) {
                value = (double) v++;
            } else if (t == String.class) {
                value = f.getName() + v++;
            } else if (t == String[].class) {
                value = new String[] {f.getName()};
            } else if (t == int[].class) {
                value = new int[] {v++};
            } else if (t == float[].class) {
                value = new float[] {v++};
            } else if (t == float[][].class) {
                value = new float[][] {{v++}};
            } else if (t == QueryOp.class) {
                value = QueryOp.SEARCH;
            } else if (t == QueryMode.class) {
                value = QueryMode.FULL;
            } else if (t == Degradation[].class) {
                value = new Degradation[] {new Degradation("query_encode", "reason", "maxsim")};
            } else {
                throw new AssertionError("no test value for the type of " + f);
            }
            f.set(planned, value);
        }
        planned.shardCount = 3;
        planned.shard = -1;
        List<ShardQuery> out = new ArrayList<>();
        new FanOutQueries().flatMap(planned, new Collector<>() {
            @Override
            public void collect(ShardQuery q) {
                out.add(q);
            }

            @Override
            public void close() {}
        });
        assertThat(out).extracting(q -> q.shard).containsExactly(0, 1, 2);
        for (ShardQuery q : out) {
            assertThat(q).usingRecursiveComparison().ignoringFields("shard").isEqualTo(planned);
        }
    }
}
