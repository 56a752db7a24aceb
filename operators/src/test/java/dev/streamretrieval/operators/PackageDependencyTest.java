package dev.streamretrieval.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operators' packages form no cycle: a package depends on another when one of its sources names a class of it
 * (an import or a qualified name). Read from the module's sources, so a new cycle fails here.
 */
class PackageDependencyTest {
    private static final String ROOT = "dev.streamretrieval.operators";
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.streamretrieval\\.operators(?:\\.[a-z][a-z0-9_]*)*)\\.[A-Z]");

    @Test
    void operatorPackagesHaveNoCycle() throws IOException {
        Path sources = Path.of("src", "main", "java", "dev", "streamretrieval", "operators");
        assertThat(sources).as("operators sources (tests run in the module directory)").isDirectory();
        Map<String, Set<String>> graph = dependencies(sources);
        assertThat(graph).as("packages found").containsKeys(ROOT + ".index", ROOT + ".gather", ROOT + ".query");
        assertThat(cycle(graph)).as("package cycle").isEmpty();
    }

    @Test
    void theCycleFinderFindsCycles() {
        Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("index", Set.of("query", "scoring"));
        graph.put("query", Set.of("ingest"));
        graph.put("ingest", Set.of("index"));
        graph.put("scoring", Set.of());
        assertThat(cycle(graph)).containsExactly("index", "query", "ingest", "index");
        graph.put("ingest", Set.of("scoring"));
        assertThat(cycle(graph)).isEmpty();
    }

    static Map<String, Set<String>> dependencies(Path sources) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                String pkg = packageOf(sources, p);
                Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                try {
                    Matcher m = REFERENCE.matcher(Files.readString(p));
                    while (m.find()) {
                        if (!m.group(1).equals(pkg)) {
                            deps.add(m.group(1));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return graph;
    }

    private static String packageOf(Path sources, Path file) {
        Path dir = sources.relativize(file.getParent());
        String sub = dir.toString().replace(java.io.File.separatorChar, '.');
        return sub.isEmpty() ? ROOT : ROOT + "." + sub;
    }

    /** A cycle as a path that returns to its start, or empty (depth-first search, white/grey/black). */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Map<String, Integer> colour = new TreeMap<>();
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> found = visit(start, graph, colour, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> colour,
            List<String> path) {
        int c = colour.getOrDefault(node, 0);
        if (c == 2) {
            return List.of();
        }
        if (c == 1) {
            List<String> loop = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            loop.add(node);
            return loop;
        }
        colour.put(node, 1);
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            List<String> found = visit(next, graph, colour, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.remove(path.size() - 1);
        colour.put(node, 2);
        return List.of();
    }
}
