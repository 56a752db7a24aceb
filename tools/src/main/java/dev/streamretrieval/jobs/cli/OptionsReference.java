package dev.streamretrieval.jobs.cli;

import dev.streamretrieval.jobs.RetrievalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;

/**
 * The README's table of job options, rendered from {@link RetrievalOptions} between two marker comments, so the
 * table is the code's: {@code bin/hybrid options --readme README.md} rewrites it, and OptionsReferenceTest fails
 * when README.md differs from what this renders.
 */
public final class OptionsReference {
    private OptionsReference() {}

    static final String BEGIN = "<!-- options-table:begin: generated from RetrievalOptions by `bin/hybrid options --readme README.md`; edit the code, not this table -->";
    static final String END = "<!-- options-table:end -->";

    /** The markdown table: one row per option, its Flink configuration key, command-line name, default, meaning. */
    public static String table() {
        StringBuilder b = new StringBuilder();
        b.append("| Flink configuration key | command line | default | meaning |\n|---|---|---|---|\n");
        for (ConfigOption<?> o : RetrievalOptions.all()) {
            b.append("| `").append(o.key()).append("` | `--").append(RetrievalOptions.name(o)).append("` | ")
                    .append(o.hasDefaultValue() ? "`" + RetrievalOptions.defaultText(o) + "`" : text(RetrievalOptions.defaultText(o)))
                    .append(" | ").append(text(RetrievalOptions.description(o))).append(" |\n");
        }
        return b.toString();
    }

    /** Plain text in a table cell: a pipe would end the cell, a {@code <} could open an HTML tag. */
    private static String text(String s) {
        return s.replace("|", "\\|").replace("<", "&lt;");
    }

    /** {@code readme} with the text between the markers replaced by {@link #table()}. */
    public static String withTable(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no options table markers (" + BEGIN + " ... " + END + ") in the README");
        }
        return readme.substring(0, begin + BEGIN.length()) + "\n" + table() + readme.substring(end);
    }

    /** Rewrites the table in the file; true when it changed. */
    public static boolean write(Path readme) throws IOException {
        String before = Files.readString(readme);
        String after = withTable(before);
        if (after.equals(before)) {
            return false;
        }
        Files.writeString(readme, after);
        return true;
    }
}
