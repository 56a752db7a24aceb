package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class ShardCountersTest {
    /** copy() is written field by field; a field added later and forgotten there fails here. */
    @Test
    void copyCarriesEveryField() throws Exception {
        ShardCounters c = new ShardCounters();
        long v = 1;
        for (Field f : ShardCounters.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            if (f.getType() == long.class) {
                f.setLong(c, v++);
            } else if (f.getType() == int.class) {
                f.setInt(c, (int) v++);
            } else {
                throw new AssertionError("unexpected field type of " + f);
            }
        }
        ShardCounters copy = c.copy();
        assertThat(copy).isNotSameAs(c).usingRecursiveComparison().isEqualTo(c);
    }
}
