package dev.streamretrieval.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** YAML files as Jackson trees: every document of a (possibly multi-document) file. */
final class Yaml {
    static final ObjectMapper MAPPER = new YAMLMapper();

    private Yaml() {}

    static List<JsonNode> readAll(Path file) throws IOException {
        return readAll(Files.readString(file));
    }

    static List<JsonNode> readAll(String text) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(text)) {
            var it = MAPPER.readValues(parser, JsonNode.class);
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n != null && !n.isMissingNode() && !n.isNull()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }
}
