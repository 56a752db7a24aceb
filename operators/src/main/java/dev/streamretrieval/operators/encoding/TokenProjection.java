package dev.streamretrieval.operators.encoding;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A linear projection of token vectors trained for late interaction (ColBERT's 384 → 128 layer on top of a frozen
 * encoder), applied after the token encoder and before the token codec, to documents and queries alike:
 *
 * <pre>
 *   y = Pᵀ x + b,   then   ŷ = y / ‖y‖        (x: the token encoder's L2-normalised vector, P: in × out)
 * </pre>
 *
 * The file is JSON: the base model it was trained on (its token vectors are the only inputs it fits), the two
 * dimensions, P and b as base64 little-endian float32 (P row-major by input dimension: element (k, o) at
 * {@code k·out + o}), the SHA-256 of those bytes, and a free-form {@code training} record (command, seed,
 * validation nDCG). {@link #read} refuses a file whose checksum, dimensions or format do not hold, and
 * {@link #requireBaseModel} one trained for another model, so a wrong or damaged file stops the job at start with a
 * message instead of producing meaningless scores.
 */
public final class TokenProjection {
    public static final String FORMAT = "stream-retrieval-token-projection";
    public static final int VERSION = 1;

    /** The shipped projections: {@code --token-projection default} picks the one trained for the token model. */
    public static final String DEFAULT = "default";
    public static final String NONE = "none";

    private final String baseModel;
    private final int in;
    private final int out;
    private final float[] p;
    private final float[] bias;
    private final Map<String, Object> training;

    /** {@code p}: in × out, row-major by input dimension; {@code bias}: out values, or null for none. */
    public TokenProjection(String baseModel, int in, int out, float[] p, float[] bias, Map<String, Object> training) {
        if (in < 1 || out < 1 || p.length != in * out || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("token projection: weights of " + p.length + " values and bias of "
                    + (bias == null ? 0 : bias.length) + " do not fit " + in + " → " + out);
        }
        this.baseModel = baseModel;
        this.in = in;
        this.out = out;
        this.p = p;
        this.bias = bias;
        this.training = training == null ? Map.of() : training;
    }

    public String baseModel() {
        return baseModel;
    }

    public int inputDimension() {
        return in;
    }

    public int outputDimension() {
        return out;
    }

    public Map<String, Object> training() {
        return training;
    }

    /** Projects and L2-normalises every token vector (a new array; the input is kept). */
    public float[][] apply(float[][] tokens) {
        float[][] result = new float[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            result[t] = apply(tokens[t]);
        }
        return result;
    }

    /** One token: y = Pᵀx + b, normalised. The loop adds x_k · P[k][·] to y so that HotSpot vectorises it. */
    public float[] apply(float[] x) {
        if (x.length != in) {
            throw new IllegalArgumentException("token projection for " + in + "-dimensional vectors got a "
                    + x.length + "-dimensional one");
        }
        float[] y = bias == null ? new float[out] : bias.clone();
        for (int k = 0; k < in; k++) {
            float xk = x[k];
            int row = k * out;
            for (int o = 0; o < out; o++) {
                y[o] += xk * p[row + o];
            }
        }
        VectorMath.normalize(y);
        return y;
    }

    /**
     * Refuses a projection trained on another model's token vectors, naming both: its inputs would be another
     * model's coordinates, and the scores would be meaningless without any error.
     */
    public void requireBaseModel(String tokenModel, int dimension) {
        if (!baseModel.equals(tokenModel)) {
            throw new IllegalArgumentException("the token projection was trained for model '" + baseModel
                    + "' but the token model is '" + tokenModel + "'; train one for it (train-projection"
                    + " --dense-model/--token-model ...) or use --token-projection none");
        }
        if (dimension > 0 && dimension != in) {
            throw new IllegalArgumentException("the token projection takes " + in + "-dimensional token vectors but"
                    + " the token model '" + tokenModel + "' gives " + dimension + "-dimensional ones");
        }
    }

    /**
     * The projection a {@code --token-projection} value names: {@code default} (the shipped one for
     * {@code tokenModel}), or a file. Checked against the token model either way.
     */
    public static TokenProjection resolve(String reference, String tokenModel, int dimension) {
        TokenProjection projection;
        if (reference.equals(DEFAULT)) {
            String resource = defaultResource(tokenModel);
            try (InputStream s = TokenProjection.class.getResourceAsStream(resource)) {
                if (s == null) {
                    throw new IllegalArgumentException("--token-projection default: no projection is shipped for"
                            + " token model '" + tokenModel + "'; train one with train-projection and pass its file");
                }
                projection = parse(s.readAllBytes(), "resource " + resource);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            projection = read(Path.of(reference));
        }
        projection.requireBaseModel(tokenModel, dimension);
        return projection;
    }

    /** Where the shipped projection for a model lives on the classpath. */
    public static String defaultResource(String model) {
        return "/token-projections/" + model + ".json";
    }

    public static TokenProjection read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--token-projection " + file + ": no such file");
        }
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read token projection " + file, e);
        }
    }

    static TokenProjection parse(byte[] json, String source) {
        FileFormat f;
        try {
            f = MAPPER.readValue(json, FileFormat.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("token projection " + source + " is not a projection file: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        String prefix = "token projection " + source + ": ";
        if (!FORMAT.equals(f.format) || f.version != VERSION) {
            throw new IllegalArgumentException(prefix + "format '" + f.format + "' version " + f.version
                    + " is not " + FORMAT + " version " + VERSION);
        }
        if (f.baseModel == null || f.weights == null || f.sha256 == null) {
            throw new IllegalArgumentException(prefix + "base_model, weights and sha256 are required");
        }
        float[] p;
        float[] b;
        try {
            p = floats(Base64.getDecoder().decode(f.weights));
            b = f.bias == null ? null : floats(Base64.getDecoder().decode(f.bias));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + "weights are not base64 float32: " + e.getMessage());
        }
        String actual = checksum(p, b);
        if (!actual.equals(f.sha256)) {
            throw new IllegalArgumentException(prefix + "checksum mismatch (file says " + f.sha256 + ", weights give "
                    + actual + "): the file is corrupted or was edited");
        }
        if ((long) f.inputDimension * f.outputDimension != p.length) {
            throw new IllegalArgumentException(prefix + p.length + " weights do not fit " + f.inputDimension + " × "
                    + f.outputDimension);
        }
        for (float v : p) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(prefix + "weights are not all finite");
            }
        }
        return new TokenProjection(f.baseModel, f.inputDimension, f.outputDimension, p, b, f.training);
    }

    public void write(Path file) {
        FileFormat f = new FileFormat();
        f.format = FORMAT;
        f.version = VERSION;
        f.baseModel = baseModel;
        f.inputDimension = in;
        f.outputDimension = out;
        f.weights = Base64.getEncoder().encodeToString(bytes(p));
        f.bias = bias == null ? null : Base64.getEncoder().encodeToString(bytes(bias));
        f.sha256 = checksum(p, bias);
        f.training = new LinkedHashMap<>(training);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, MAPPER.writeValueAsBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write token projection " + file, e);
        }
    }

    /** SHA-256 (hex) of the weights' bytes followed by the bias's. */
    public String checksum() {
        return checksum(p, bias);
    }

    private static String checksum(float[] p, float[] b) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(bytes(p));
            if (b != null) {
                d.update(bytes(b));
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            buf.putFloat(x);
        }
        return buf.array();
    }

    private static float[] floats(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException(bytes.length + " bytes is not a whole number of floats");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = buf.getFloat();
        }
        return v;
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The file's JSON layout. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class FileFormat {
        @JsonProperty("format")
        public String format;
        @JsonProperty("version")
        public int version;
        @JsonProperty("base_model")
        public String baseModel;
        @JsonProperty("input_dimension")
        public int inputDimension;
        @JsonProperty("output_dimension")
        public int outputDimension;
        @JsonProperty("sha256")
        public String sha256;
        @JsonProperty("training")
        public Map<String, Object> training;
        @JsonProperty("bias")
        public String bias;
        @JsonProperty("weights")
        public String weights;
    }
}
