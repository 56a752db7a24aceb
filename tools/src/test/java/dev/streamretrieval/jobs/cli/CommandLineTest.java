package dev.streamretrieval.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamretrieval.jobs.RetrievalOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code --help} for every subcommand, and the nearest valid option named for an unknown one. */
class CommandLineTest {

    /** Output of {@link Main#run} on stdout and stderr, and its exit code. */
    private record Ran(int code, String out, String err) {}

    private static Ran run(String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Ran(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static List<String> commands() {
        return List.copyOf(CommandLineModel.COMMANDS.keySet());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandAnswersHelpWithItsOptions(String command) throws Exception {
        for (String flag : List.of("--help", "-h")) {
            Ran r = run(command, flag);
            assertThat(r.code()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).startsWith("Usage: bin/hybrid " + command);
            CommandLineModel.Command c = CommandLineModel.COMMANDS.get(command);
            for (CommandLineModel.Own own : c.options()) {
                assertThat(r.out()).contains("--" + own.name());
            }
            if (c.jobOptions()) {
                for (String job : RetrievalOptions.descriptions().keySet()) {
                    assertThat(r.out()).contains("--" + job);
                }
                assertThat(r.out()).contains("--kafka.<property>");
            }
        }
    }

    @Test
    void helpAfterOtherOptionsIsStillHelp() throws Exception {
        // This answered "error: option --help needs a value" when --help followed an option taking a value.
        Ran r = run("eval", "--dataset", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--run-dir").contains("--cutoffs").contains("--per-query");
        assertThat(run("eval", "--help").out()).doesNotContain("needs a value");
    }

    @Test
    void theCommandsAreListedWithoutACommand() throws Exception {
        Ran r = run("nonsense-command");
        assertThat(r.code()).isEqualTo(2);
        for (String c : commands()) {
            assertThat(r.err()).contains(c);
        }
    }

    @Test
    void anUnknownOptionNamesTheNearestValidOne() throws Exception {
        Ran r = run("eval", "--dataset", "x", "--cutofs", "5,10");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown option --cutofs for eval; did you mean --cutoffs?");
        // job options are valid options of the commands that run the job
        assertThat(run("run", "--shard", "4").err()).contains("did you mean --shards?");
        assertThat(run("cluster", "--k2=1.2").err()).contains("unknown option --k2 for cluster; did you mean --k1?");
        assertThat(run("bench", "--out-dri", "x").err()).contains("did you mean --out-dir?");
        assertThat(run("compare", "a", "b", "--qrel", "q").err()).contains("did you mean --qrels?");
        assertThat(run("evl").err()).contains("unknown command 'evl'; did you mean 'eval'?");
    }

    @Test
    void checksWithoutChangingWhatIsAccepted() {
        assertThatCode(() -> CommandLineModel.check("run", List.of("--kafka.security.protocol", "SSL",
                "--flink.taskmanager.numberOfTaskSlots=2", "--shards", "4", "--shards=2", "--no-load", "--mode", "bm25")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> CommandLineModel.check("eval", List.of("--dataset")))
                .hasMessageContaining("--dataset");
        assertThatThrownBy(() -> CommandLineModel.check("run", List.of("stray")))
                .hasMessageContaining("run takes no argument 'stray'");
        // compare is the one command whose kafka.* would not be a job option
        assertThatThrownBy(() -> CommandLineModel.check("compare", List.of("--kafka.x", "y")))
                .hasMessageContaining("unknown option --kafka.x");
    }

    @Test
    void editDistance() {
        assertThat(CommandLineModel.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(CommandLineModel.editDistance("", "abc")).isEqualTo(3);
        assertThat(CommandLineModel.nearest("--shrads", List.of("--b", "--shards", "--shard-depth-factor")))
                .isEqualTo("--shards");
    }
}
