package dev.streamretrieval.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The part of kustomize the manifests use, so that every base + component combination can be checked without
 * the kustomize binary: {@code resources} (files or kustomization folders), {@code components} and
 * {@code patches} with a {@code target} (kind, name) whose file is a JSON 6902 patch (add, replace, remove,
 * test), and {@code configMapGenerator} from files with fixed names ({@code disableNameSuffixHash}) and labels.
 * Any other kustomization key or generator option fails, so the manifests cannot silently outgrow what is
 * checked.
 */
final class Kustomize {
    private static final Set<String> KEYS = Set.of("apiVersion", "kind", "resources", "components", "patches",
            "configMapGenerator");
    private static final Set<String> GENERATOR_KEYS = Set.of("name", "files", "options");
    private static final Set<String> GENERATOR_OPTIONS = Set.of("disableNameSuffixHash", "labels");

    private Kustomize() {}

    /** The resources a kustomization folder renders to, plus the components named. */
    static List<ObjectNode> render(Path dir, List<Path> extraComponents) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        apply(dir, out, false);
        for (Path c : extraComponents) {
            apply(c, out, true);
        }
        return out;
    }

    private static void apply(Path dir, List<ObjectNode> out, boolean asComponent) throws IOException {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(dir + " has no kustomization.yaml");
        }
        JsonNode k = Yaml.readAll(file).get(0);
        k.fieldNames().forEachRemaining(name -> {
            if (!KEYS.contains(name)) {
                throw new IllegalArgumentException(file + ": kustomization key '" + name + "' is not supported by the checks");
            }
        });
        String kind = k.path("kind").asText();
        if (asComponent != kind.equals("Component")) {
            throw new IllegalArgumentException(file + ": kind " + kind + (asComponent ? " used as a component" : " used as a kustomization"));
        }
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                apply(p, out, false);
            } else if (Files.exists(p)) {
                for (JsonNode d : Yaml.readAll(p)) {
                    out.add((ObjectNode) d);
                }
            } else {
                throw new IllegalArgumentException(file + ": resource " + r.asText() + " does not exist");
            }
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            out.add(configMap(dir, file, g));
        }
        for (JsonNode c : k.path("components")) {
            apply(dir.resolve(c.asText()).normalize(), out, true);
        }
        for (JsonNode patch : k.path("patches")) {
            Path p = dir.resolve(patch.path("path").asText()).normalize();
            if (!Files.exists(p)) {
                throw new IllegalArgumentException(file + ": patch " + p + " does not exist");
            }
            String targetKind = patch.path("target").path("kind").asText(null);
            String targetName = patch.path("target").path("name").asText(null);
            JsonNode ops = Yaml.readAll(p).get(0);
            if (!ops.isArray() || targetKind == null || targetName == null) {
                throw new IllegalArgumentException(p + ": only JSON 6902 patches with a target kind and name are supported");
            }
            int matched = 0;
            for (ObjectNode r : out) {
                if (r.path("kind").asText().equals(targetKind) && r.path("metadata").path("name").asText().equals(targetName)) {
                    for (JsonNode op : ops) {
                        applyOp(r, op, p);
                    }
                    matched++;
                }
            }
            if (matched == 0) {
                throw new IllegalArgumentException(p + ": no " + targetKind + " named " + targetName + " to patch");
            }
        }
    }

    /**
     * A ConfigMap as kustomize generates it: one data entry per file, keyed by the file's name, holding its text.
     * Only fixed names are supported: the hash suffix kustomize would otherwise append is not computed here.
     */
    private static ObjectNode configMap(Path dir, Path file, JsonNode g) throws IOException {
        g.fieldNames().forEachRemaining(name -> {
            if (!GENERATOR_KEYS.contains(name)) {
                throw new IllegalArgumentException(file + ": configMapGenerator key '" + name + "' is not supported by the checks");
            }
        });
        JsonNode options = g.path("options");
        options.fieldNames().forEachRemaining(name -> {
            if (!GENERATOR_OPTIONS.contains(name)) {
                throw new IllegalArgumentException(file + ": configMapGenerator option '" + name + "' is not supported by the checks");
            }
        });
        String name = g.path("name").asText("");
        if (name.isEmpty() || !options.path("disableNameSuffixHash").asBoolean(false)) {
            throw new IllegalArgumentException(file + ": configMapGenerator " + name
                    + ": only named generators with options.disableNameSuffixHash: true are supported by the checks");
        }
        ObjectNode cm = Yaml.MAPPER.createObjectNode();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        ObjectNode metadata = cm.putObject("metadata");
        metadata.put("name", name);
        if (options.has("labels")) {
            metadata.set("labels", options.get("labels").deepCopy());
        }
        ObjectNode data = cm.putObject("data");
        for (JsonNode f : g.path("files")) {
            Path p = dir.resolve(f.asText()).normalize();
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(file + ": configMapGenerator " + name + ": file " + f.asText() + " does not exist");
            }
            data.put(p.getFileName().toString(), Files.readString(p));
        }
        return cm;
    }

    /** The files that kustomization {@code k} (read from {@code kustomization}) turns into ConfigMap data. */
    static Set<Path> generatorFiles(Path kustomization, JsonNode k) {
        Set<Path> files = new LinkedHashSet<>();
        for (JsonNode g : k.path("configMapGenerator")) {
            for (JsonNode f : g.path("files")) {
                files.add(kustomization.getParent().resolve(f.asText()).normalize());
            }
        }
        return files;
    }

    /** One RFC 6902 operation on the document (add, replace, remove, test). */
    static void applyOp(ObjectNode doc, JsonNode op, Path source) {
        String kind = op.path("op").asText();
        String path = op.path("path").asText();
        List<String> tokens = new ArrayList<>();
        for (String t : path.substring(1).split("/", -1)) {
            tokens.add(t.replace("~1", "/").replace("~0", "~"));
        }
        JsonNode parent = doc;
        for (int i = 0; i < tokens.size() - 1; i++) {
            parent = child(parent, tokens.get(i));
            if (parent == null) {
                throw new IllegalArgumentException(source + ": " + kind + " " + path + ": no such path");
            }
        }
        String last = tokens.get(tokens.size() - 1);
        JsonNode value = op.get("value");
        switch (kind) {
            case "test" -> {
                JsonNode current = child(parent, last);
                if (current == null || !current.equals(value)) {
                    throw new IllegalArgumentException(source + ": test " + path + " expected " + value + ", found " + current);
                }
            }
            case "add" -> {
                if (parent instanceof ObjectNode o) {
                    o.set(last, value.deepCopy());
                } else if (parent instanceof ArrayNode a) {
                    if (last.equals("-")) {
                        a.add(value.deepCopy());
                    } else {
                        a.insert(index(a, last, true, source, path), value.deepCopy());
                    }
                } else {
                    throw new IllegalArgumentException(source + ": add " + path + ": parent is not a container");
                }
            }
            case "replace", "remove" -> {
                if (child(parent, last) == null) {
                    throw new IllegalArgumentException(source + ": " + kind + " " + path + ": no such path");
                }
                if (parent instanceof ObjectNode o) {
                    if (kind.equals("replace")) {
                        o.set(last, value.deepCopy());
                    } else {
                        o.remove(last);
                    }
                } else {
                    ArrayNode a = (ArrayNode) parent;
                    int i = index(a, last, false, source, path);
                    if (kind.equals("replace")) {
                        a.set(i, value.deepCopy());
                    } else {
                        a.remove(i);
                    }
                }
            }
            default -> throw new IllegalArgumentException(source + ": operation '" + kind + "' is not supported");
        }
    }

    private static JsonNode child(JsonNode parent, String token) {
        if (parent instanceof ObjectNode o) {
            return o.get(token);
        }
        if (parent instanceof ArrayNode a && token.matches("\\d+")) {
            int i = Integer.parseInt(token);
            return i < a.size() ? a.get(i) : null;
        }
        return null;
    }

    private static int index(ArrayNode a, String token, boolean forInsert, Path source, String path) {
        if (!token.matches("\\d+") || Integer.parseInt(token) > a.size() - (forInsert ? 0 : 1)) {
            throw new IllegalArgumentException(source + ": " + path + ": index out of range");
        }
        return Integer.parseInt(token);
    }
}
