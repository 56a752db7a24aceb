package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Job options as Flink ConfigOptions: read from a Flink configuration, overridden by the command line. */
class JobOptionsTest {

    private static Configuration conf(String... keyValues) {
        Configuration c = new Configuration();
        for (int i = 0; i < keyValues.length; i += 2) {
            c.setString(keyValues[i], keyValues[i + 1]);
        }
        return c;
    }

    @Test
    void theFlinkConfigurationSetsOptionsAndTheCommandLineOverridesThem() {
        Configuration c = conf("retrieval.dense-index", "exact", "retrieval.shards", "16", "retrieval.fusion", "linear",
                "retrieval.linear-bm25-weight", "0.3", "retrieval.dense-model", "none", "state.backend.type", "rocksdb");
        JobOptions fromConf = JobOptions.parse(c);
        assertThat(fromConf.denseIndex.kind).isEqualTo("exact");
        assertThat(fromConf.shards).isEqualTo(16);
        assertThat(fromConf.gather.fusion).isEqualTo("linear");
        assertThat(fromConf.gather.linearBm25Weight).isEqualTo(0.3);
        assertThat(fromConf.neural.denseModel).isEqualTo("none");

        JobOptions overridden = JobOptions.parse(c, "--dense-index", "ivf", "--shards=4");
        assertThat(overridden.denseIndex.kind).isEqualTo("ivf");
        assertThat(overridden.shards).isEqualTo(4);
        assertThat(overridden.gather.fusion).as("not on the command line: still the configuration's").isEqualTo("linear");
    }

    @Test
    void unsetOptionsHaveTheDefaultsOfTheOptionClasses() {
        assertThat(fields(JobOptions.parse())).isEqualTo(fields(new JobOptions()));
        assertThat(JobOptions.parse().bootstrapServers).isNull();
        assertThat(JobOptions.parse().maxParallelism).isNull();
        assertThat(RetrievalOptions.SHARDS.defaultValue()).isEqualTo(8);
        assertThat(RetrievalOptions.DENSE_INDEX.defaultValue()).isEqualTo("ivf");
    }

    @Test
    void everyOptionHasThePrefixADescriptionAndACommandLineName() {
        for (ConfigOption<?> o : RetrievalOptions.all()) {
            assertThat(o.key()).startsWith(RetrievalOptions.PREFIX);
            assertThat(RetrievalOptions.description(o)).as(o.key()).isNotBlank();
            assertThat(RetrievalOptions.byName(RetrievalOptions.name(o))).isSameAs(o);
            assertThat(o.hasDefaultValue() || !RetrievalOptions.defaultText(o).equals("null")).as(o.key() + " says what applies unset").isTrue();
        }
        assertThat(RetrievalOptions.all().stream().map(ConfigOption::key)).doesNotHaveDuplicates();
    }

    @Test
    void unknownAndMistypedOptionsAreRefusedNamingWhereTheyCameFrom() {
        assertThatThrownBy(() -> JobOptions.parse(conf("retrieval.shardz", "4")))
                .hasMessageStartingWith("unknown option retrieval.shardz in the Flink configuration; known options: retrieval.bootstrap-servers");
        assertThatThrownBy(() -> JobOptions.parse("--shardz", "4")).hasMessageStartingWith("unknown option --shardz; known options:");
        assertThatThrownBy(() -> JobOptions.parse("--shards", "many")).hasMessage("option --shards needs a number, got 'many'");
        assertThatThrownBy(() -> JobOptions.parse(conf("retrieval.nprobe", "lots")))
                .hasMessage("retrieval.nprobe (Flink configuration) needs a number, got 'lots'");
        // the command line's value replaces a bad one in the configuration
        assertThat(JobOptions.parse(conf("retrieval.nprobe", "lots"), "--nprobe", "8").denseIndex.nprobe).isEqualTo(8);
    }

    @Test
    void fullModeWeightsAreReadAndBadOnesRefused() {
        JobOptions o = JobOptions.parse(conf("retrieval.full-bm25-weight", "0.5"), "--full-dense-weight", "0.2");
        assertThat(o.gather.fullBm25Weight).isEqualTo(0.5);
        assertThat(o.gather.fullDenseWeight).isEqualTo(0.2);
        assertThat(JobOptions.parse("--full-bm25-weight", "0", "--full-dense-weight", "0").gather.fullDenseWeight)
                .as("0 and 0: MaxSim alone").isZero();
        assertThatThrownBy(() -> JobOptions.parse("--full-bm25-weight", "0.6", "--full-dense-weight", "0.5"))
                .hasMessageStartingWith("--full-bm25-weight and --full-dense-weight: ")
                .hasMessageContaining("sum to at most 1");
        assertThatThrownBy(() -> JobOptions.parse(conf("retrieval.full-dense-weight", "-1")))
                .hasMessageContaining("within [0, 1]");
    }

    @Test
    void validationAppliesToValuesFromEitherSource() {
        assertThatThrownBy(() -> JobOptions.parse("--delivery", "twice"))
                .hasMessage("--delivery must be at-least-once or exactly-once, got twice");
        assertThatThrownBy(() -> JobOptions.parse(conf("retrieval.delivery", "twice")))
                .hasMessage("--delivery must be at-least-once or exactly-once, got twice");
        assertThatThrownBy(() -> JobOptions.parse(conf("retrieval.shards", "0"))).hasMessage("--shards must be >= 1, got 0");
        assertThatThrownBy(() -> JobOptions.parse(conf("retrieval.fusion", "max"))).hasMessage("--fusion must be rrf or linear, got max");
    }

    @Test
    void kafkaAndFlinkPassThroughStayOnTheCommandLine() {
        JobOptions o = JobOptions.parse("--kafka.security.protocol", "SASL_SSL", "--flink.pipeline.name", "x");
        assertThat(o.kafkaProperties).containsEntry("security.protocol", "SASL_SSL");
        assertThat(o.flinkConfiguration).containsEntry("pipeline.name", "x");
    }

    /** Every public field of the options and of the option objects they hold, by path. */
    private static Map<String, Object> fields(Object o) {
        Map<String, Object> out = new TreeMap<>();
        collect("", o, out);
        return out;
    }

    private static void collect(String path, Object o, Map<String, Object> out) {
        for (Field f : o.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                Object v = f.get(o);
                if (v != null && v.getClass().getName().startsWith("dev.streamretrieval.")) {
                    collect(path + f.getName() + ".", v, out);
                } else {
                    out.put(path + f.getName(), v);
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }
}
