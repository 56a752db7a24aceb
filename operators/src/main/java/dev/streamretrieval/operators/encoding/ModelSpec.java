package dev.streamretrieval.operators.encoding;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model: where its {@code model.onnx} and {@code tokenizer.json} are, and the role configuration that tells the
 * encoders how to use it. A model folder holds {@code model.onnx}, {@code tokenizer.json} and {@code model.json}
 * (this class as JSON); the built-in models are the bi-encoders shipped in Maven Central jars (see
 * {@link BuiltinModels}).
 *
 * <p>Example {@code model.json} for a ColBERT export: {@code {"role": "token", "output": "last_hidden_state",
 * "query_marker": "[unused0]", "document_marker": "[unused1]", "query_augmentation_length": 32,
 * "max_passage_tokens": 180}}; for a cross-encoder: {@code {"role": "cross-encoder", "output": "logits",
 * "label_index": 0}}.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public class ModelSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A readable name (built-in model name or folder). */
    @JsonProperty("name")
    public String name;

    /** dense, token or cross-encoder. */
    @JsonProperty("role")
    public String role = "dense";

    /** Location of the ONNX file: a file path, or {@code classpath:/resource}. */
    @JsonProperty("model")
    public String model = "model.onnx";

    /** Location of the Hugging Face tokenizer.json: a file path or {@code classpath:/resource}. */
    @JsonProperty("tokenizer")
    public String tokenizer = "tokenizer.json";

    /** ONNX input names. */
    @JsonProperty("input_ids")
    public String inputIds = "input_ids";

    @JsonProperty("attention_mask")
    public String attentionMask = "attention_mask";

    /** Empty when the model has no token type input. */
    @JsonProperty("token_type_ids")
    public String tokenTypeIds = "token_type_ids";

    /** ONNX output to read: last_hidden_state for encoders, logits for cross-encoders. */
    @JsonProperty("output")
    public String output = "last_hidden_state";

    /**
     * Length of the model's vectors (the last dimension of its output); 0 reads it from the ONNX file, which is
     * needed only when the export leaves that dimension symbolic.
     */
    @JsonProperty("dimension")
    public int dimension = 0;

    /** Dense pooling: cls or mean (over attended tokens). */
    @JsonProperty("pooling")
    public String pooling = "mean";

    /** L2-normalise dense and token vectors (cosine similarity = dot product). */
    @JsonProperty("normalize")
    public boolean normalize = true;

    @JsonProperty("query_prefix")
    public String queryPrefix = "";

    @JsonProperty("passage_prefix")
    public String passagePrefix = "";

    @JsonProperty("max_query_tokens")
    public int maxQueryTokens = 64;

    @JsonProperty("max_passage_tokens")
    public int maxPassageTokens = 256;

    /** Token role: marker token inserted after [CLS] in queries (ColBERT's [Q]); empty for none. */
    @JsonProperty("query_marker")
    public String queryMarker = "";

    /** Token role: marker token inserted after [CLS] in documents (ColBERT's [D]); empty for none. */
    @JsonProperty("document_marker")
    public String documentMarker = "";

    /** Token role: pad queries with [MASK] to this many tokens (ColBERT query augmentation); 0 for none. */
    @JsonProperty("query_augmentation_length")
    public int queryAugmentationLength = 0;

    /** Token role: drop punctuation tokens from document token vectors (ColBERT's skiplist). */
    @JsonProperty("skip_punctuation")
    public boolean skipPunctuation = true;

    /** Cross-encoder: which logit is the relevance score when the model has several labels. */
    @JsonProperty("label_index")
    public int labelIndex = 0;

    /** Cross-encoder: longest (query, passage) pair in tokens; the longer of the two is truncated first. */
    @JsonProperty("max_pair_tokens")
    public int maxPairTokens = 512;

    /**
     * Which end of a text longer than its maximum length is cut: "right" keeps the start (BERT's default),
     * "left" keeps the end. For a model folder, unless model.json sets it: tokenizer_config.json's
     * {@code truncation_side}, else tokenizer.json's {@code truncation.direction}, else right.
     */
    @JsonProperty("truncation_side")
    public String truncationSide = "right";

    public ModelSpec() {}

    public ModelRole modelRole() {
        return switch (role) {
            case "dense" -> ModelRole.DENSE;
            case "token" -> ModelRole.TOKEN;
            case "cross-encoder" -> ModelRole.CROSS_ENCODER;
            default -> throw new IllegalArgumentException("model role '" + role + "' is not dense, token or cross-encoder");
        };
    }

    /** This spec with another role (a bi-encoder doubles as the default token encoder). */
    public ModelSpec withRole(String newRole) {
        ModelSpec copy = MAPPER.convertValue(MAPPER.valueToTree(this), ModelSpec.class);
        copy.role = newRole;
        return copy;
    }

    /** Same model file, tokenizer, inputs and output: one ONNX run can serve both specs. */
    public boolean sameForwardPass(ModelSpec other) {
        return model.equals(other.model) && tokenizer.equals(other.tokenizer) && output.equals(other.output)
                && passagePrefix.equals(other.passagePrefix) && maxPassageTokens == other.maxPassageTokens
                && documentMarker.equals(other.documentMarker);
    }

    public Map<String, Object> describe() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = MAPPER.convertValue(this, LinkedHashMap.class);
        return m;
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Loads {@code model.json} from a model folder; relative model and tokenizer paths resolve against the folder.
     * A folder without model.json uses the defaults for {@code defaultRole}. Lengths and the truncation side that
     * model.json leaves out come from the tokenizer's own files (see {@link TokenizerLimits}).
     */
    public static ModelSpec fromFolder(Path folder, String defaultRole) {
        Path json = folder.resolve("model.json");
        ModelSpec spec;
        JsonNode explicit = MAPPER.createObjectNode();
        if (Files.exists(json)) {
            try (InputStream in = Files.newInputStream(json)) {
                explicit = MAPPER.readTree(in);
                if (explicit == null || !explicit.isObject()) {
                    throw new IllegalArgumentException("not a JSON object");
                }
                spec = MAPPER.treeToValue(explicit, ModelSpec.class);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot read model config " + json + ": " + e.getMessage(), e);
            }
        } else {
            spec = new ModelSpec();
            spec.role = defaultRole;
            if (defaultRole.equals("cross-encoder")) {
                spec.output = "logits";
            }
        }
        if (spec.name == null) {
            spec.name = folder.toString();
        }
        spec.model = resolve(folder, spec.model);
        spec.tokenizer = resolve(folder, spec.tokenizer);
        spec.modelRole();
        TokenizerLimits.read(folder, spec.tokenizer).apply(spec, explicit);
        return spec;
    }

    /**
     * "PATH is missing (FOLDER has: a, b, c)": what a user needs to see which file to add or rename. A folder
     * with a slow tokenizer's files (vocab.txt, sentencepiece.bpe.model) but no tokenizer.json gets a hint.
     */
    public static String missing(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        String has;
        java.util.List<String> names = java.util.List.of();
        if (folder == null || !Files.isDirectory(folder)) {
            has = "the folder " + folder + " does not exist either";
        } else {
            try (java.util.stream.Stream<Path> files = Files.list(folder)) {
                names = files.map(f -> f.getFileName() + (Files.isDirectory(f) ? "/" : "")).sorted().toList();
                has = folder + " has " + (names.isEmpty() ? "nothing" : String.join(", ", names));
            } catch (IOException e) {
                has = folder + " cannot be listed: " + e.getMessage();
            }
        }
        String hint = "";
        if (file.getFileName().toString().equals("tokenizer.json")
                && names.stream().anyMatch(n -> n.equals("vocab.txt") || n.endsWith(".model") || n.equals("merges.txt"))) {
            hint = "; only a fast tokenizer's tokenizer.json is read: write one with transformers'"
                    + " AutoTokenizer.from_pretrained(folder).save_pretrained(folder)";
        }
        return file.toAbsolutePath() + " is missing (" + has + ")" + hint;
    }

    private static String resolve(Path folder, String location) {
        if (location.startsWith("classpath:")) {
            return location;
        }
        Path p = Path.of(location);
        return (p.isAbsolute() ? p : folder.resolve(p)).toAbsolutePath().toString();
    }

    /** Opens a model or tokenizer location (file path or classpath:). */
    public static InputStream open(String location) {
        try {
            if (location.startsWith("classpath:")) {
                String resource = location.substring("classpath:".length());
                String r = resource.startsWith("/") ? resource.substring(1) : resource;
                InputStream in = ModelSpec.class.getClassLoader().getResourceAsStream(r);
                if (in == null) {
                    throw new IllegalArgumentException("model resource " + location + " is not on the classpath"
                            + " (is the model jar a dependency?)");
                }
                return in;
            }
            return Files.newInputStream(Path.of(location));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + location, e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + role + ")";
    }
}
