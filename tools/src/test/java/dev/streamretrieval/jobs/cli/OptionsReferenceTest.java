package dev.streamretrieval.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamretrieval.jobs.RetrievalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README.md's options table is the one {@link OptionsReference} renders from the ConfigOptions. */
class OptionsReferenceTest {
    static final String REGENERATE = "bin/hybrid options --readme README.md";

    @Test
    void readmeTableIsTheCodes() throws IOException {
        String readme = Files.readString(repositoryRoot().resolve("README.md"));
        assertThat(OptionsReference.withTable(readme))
                .withFailMessage("README.md's options table differs from RetrievalOptions (the job's ConfigOptions); "
                        + "regenerate it with `%s` from the repository root", REGENERATE)
                .isEqualTo(readme);
    }

    @Test
    void tableHasEveryOptionWithKeyNameAndDefault() {
        String table = OptionsReference.table();
        assertThat(RetrievalOptions.all()).hasSizeGreaterThan(40);
        for (ConfigOption<?> o : RetrievalOptions.all()) {
            assertThat(table).contains("| `" + o.key() + "` | `--" + RetrievalOptions.name(o) + "` | ");
        }
        assertThat(table).contains("| `retrieval.dense-index` | `--dense-index` | `ivf` |")
                .contains("| `retrieval.bootstrap-servers` | `--bootstrap-servers` | embedded broker |");
    }

    @Test
    void driftIsFoundAndRewritten(@TempDir Path tmp) throws IOException {
        String fresh = "intro\n" + OptionsReference.BEGIN + "\n" + OptionsReference.table() + OptionsReference.END + "\nrest\n";
        assertThat(OptionsReference.withTable(fresh)).isEqualTo(fresh);
        // a changed default, a dropped row: the rendered text no longer equals the file
        String edited = fresh.replace("| `retrieval.nprobe` | `--nprobe` | `32` |", "| `retrieval.nprobe` | `--nprobe` | `16` |");
        assertThat(edited).isNotEqualTo(fresh);
        assertThat(OptionsReference.withTable(edited)).isEqualTo(fresh);
        String dropped = fresh.replaceAll("(?m)^\\| `retrieval\\.rrf-k`.*\\n", "");
        assertThat(OptionsReference.withTable(dropped)).isEqualTo(fresh);
        Path file = tmp.resolve("README.md");
        Files.writeString(file, edited);
        assertThat(OptionsReference.write(file)).isTrue();
        assertThat(Files.readString(file)).isEqualTo(fresh);
        assertThat(OptionsReference.write(file)).isFalse();
        assertThatThrownBy(() -> OptionsReference.withTable("no markers")).hasMessageContaining("no options table markers");
    }

    private static Path repositoryRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isRegularFile(p.resolve("README.md"))
                    && Files.isDirectory(p.resolve("tools"))) {
                return p;
            }
        }
        throw new AssertionError("no repository root (a folder with pom.xml, README.md and tools/) above " + start);
    }
}
