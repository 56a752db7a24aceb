package dev.streamretrieval.jobs.evaluation;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared BEIR collections, {@code ../shared/data/<name>} relative to the repository root (the folder whose
 * {@code pom.xml} lists the {@code jobs} module), found from the test's working directory upwards. A missing
 * collection fails the test with where it was looked for: these tests check real data and must not pass without it.
 */
public final class SharedCollections {
    private SharedCollections() {}

    public static Path folder(String name) {
        Path root = repositoryRoot();
        Path folder = root.resolve("..").resolve("shared").resolve("data").resolve(name).normalize();
        if (!Files.isRegularFile(folder.resolve("corpus.jsonl"))) {
            fail("the shared collection '" + name + "' is missing: expected " + folder.resolve("corpus.jsonl")
                    + " (../shared/data/" + name + " next to the repository root " + root + ")");
        }
        return folder;
    }

    /** Names of every shared collection (each folder of ../shared/data with a corpus.jsonl), sorted; fails when none. */
    static java.util.List<String> names() {
        Path data = repositoryRoot().resolve("..").resolve("shared").resolve("data").normalize();
        try (var folders = Files.list(data)) {
            java.util.List<String> names = folders.filter(f -> Files.isRegularFile(f.resolve("corpus.jsonl")))
                    .map(f -> f.getFileName().toString()).sorted().toList();
            if (names.isEmpty()) {
                fail("no shared collection (a folder with corpus.jsonl) in " + data);
            }
            return names;
        } catch (java.io.IOException e) {
            return fail("the shared collections are missing: cannot list " + data + " (" + e + ")");
        }
    }

    private static Path repositoryRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isRegularFile(p.resolve("jobs").resolve("pom.xml"))) {
                return p;
            }
        }
        throw new AssertionError("no repository root (a folder with pom.xml and jobs/pom.xml) above " + start);
    }
}
