package dev.streamretrieval.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one JSON object record and its typed fields, turning every problem into a readable reason instead of
 * an exception. Shared by the document and query decoders so both refuse bad input the same way.
 */
final class RecordReader {
    /** Thrown inside a decoder to stop at the first problem; never leaves the decoder. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }

    private final ObjectMapper mapper;
    private final String what;

    RecordReader(ObjectMapper mapper, String what) {
        this.mapper = mapper;
        this.what = what;
    }

    JsonNode readObject(byte[] value, int maxBytes) throws Refusal {
        if (value.length > maxBytes) {
            throw new Refusal(what + " is " + value.length + " bytes, over the limit of " + maxBytes + " bytes");
        }
        if (value.length == 0) {
            throw new Refusal("empty " + what + " record (no JSON)");
        }
        if (looksLikeUtf16Or32(value)) {
            throw new Refusal("value is not UTF-8: it looks like UTF-16 or UTF-32 (a byte-order mark or zero bytes "
                    + "at the start); records must be UTF-8 JSON");
        }
        JsonNode node;
        try {
            node = mapper.readTree(value);
        } catch (StreamConstraintsException e) {
            throw new Refusal("JSON nested too deeply or too large: " + firstLine(e.getOriginalMessage()));
        } catch (CharConversionException e) {
            throw new Refusal("value is not valid UTF-8: " + firstLine(e.getMessage()));
        } catch (JsonProcessingException e) {
            String detail = firstLine(e.getOriginalMessage());
            if (detail.contains("Invalid UTF-8") || detail.contains("Invalid UTF8")) {
                throw new Refusal("value is not valid UTF-8: " + detail);
            }
            throw new Refusal("malformed JSON: " + detail);
        } catch (IOException e) {
            throw new Refusal("unreadable JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || node.isMissingNode()) {
            throw new Refusal("empty " + what + " record (no JSON)");
        }
        if (!node.isObject()) {
            throw new Refusal(what + " must be a JSON object, got " + node.getNodeType().name().toLowerCase());
        }
        return node;
    }

    /** A required or optional string field; null when absent or JSON null and not required. */
    static String string(JsonNode obj, String field, boolean required) throws Refusal {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new Refusal("missing required field '" + field + "'");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new Refusal("field '" + field + "' must be a string, got " + typeName(v));
        }
        String s = v.textValue();
        if (s.indexOf('\u0000') >= 0) {
            throw new Refusal("field '" + field + "' contains a NUL character");
        }
        if (s.indexOf('\uFFFD') >= 0) {
            throw new Refusal("field '" + field + "' contains U+FFFD, a sign of text decoded with the wrong encoding");
        }
        int unpaired = unpairedSurrogate(s);
        if (unpaired >= 0) {
            throw new Refusal("field '" + field + "' contains an unpaired surrogate \\u"
                    + Integer.toHexString(s.charAt(unpaired)).toUpperCase() + " at character " + unpaired
                    + ", which is not valid Unicode (cannot be written as UTF-8)");
        }
        return s;
    }

    /** Index of the first surrogate char without its partner, or -1 (JSON escapes like \\ud800 can produce one). */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * UTF-16 and UTF-32 JSON starts with a byte-order mark or has a zero byte among its first two bytes (JSON's
     * first character is ASCII). Jackson would silently accept such input; the topics carry UTF-8 only.
     */
    static boolean looksLikeUtf16Or32(byte[] v) {
        if (v.length < 2) {
            return v.length == 1 && v[0] == 0;
        }
        int b0 = v[0] & 0xFF;
        int b1 = v[1] & 0xFF;
        return b0 == 0 || b1 == 0 || (b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE);
    }

    /** An id: a non-blank string without control characters, at most {@code maxChars} long. */
    static String id(JsonNode obj, String field, int maxChars) throws Refusal {
        String id = string(obj, field, true);
        if (id.isBlank()) {
            throw new Refusal("field '" + field + "' is empty");
        }
        if (id.length() > maxChars) {
            throw new Refusal("field '" + field + "' is " + id.length() + " characters, over the limit of " + maxChars);
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw new Refusal("field '" + field + "' contains a control character");
            }
        }
        return id;
    }

    /** An optional integral number field within [min, max]; null when absent. */
    static Long integer(JsonNode obj, String field, long min, long max) throws Refusal {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw new Refusal("field '" + field + "' must be an integer, got " + typeName(v));
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new Refusal("field '" + field + "' is " + v.asText() + ", outside [" + min + ", " + max + "]");
        }
        return v.longValue();
    }

    /**
     * An optional dense vector: a JSON array of exactly {@code dimension} finite numbers (each must fit a 32-bit
     * float), not all zero; returned scaled to unit length, because stored and query vectors are compared by dot
     * product as cosine similarity, like the model's own (L2-normalised) vectors. Null when absent or JSON null.
     * {@code dimension} 0 means the job keeps no dense vectors: any vector is refused rather than dropped silently.
     */
    static float[] vector(JsonNode obj, String field, int dimension) throws Refusal {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (dimension <= 0) {
            throw new Refusal("field '" + field + "' is set, but this job keeps no dense vectors (--dense-model none"
                    + " and no --vector-dimension)");
        }
        if (!v.isArray()) {
            throw new Refusal("field '" + field + "' must be an array of numbers, got " + typeName(v));
        }
        if (v.size() != dimension) {
            throw new Refusal("field '" + field + "' has " + v.size() + " numbers, but this job's dense vectors have "
                    + dimension + " dimensions");
        }
        float[] out = new float[dimension];
        double squares = 0;
        for (int i = 0; i < dimension; i++) {
            JsonNode x = v.get(i);
            if (!x.isNumber()) {
                throw new Refusal("field '" + field + "' element " + i + " must be a number, got " + typeName(x));
            }
            float f = x.floatValue();
            if (!Float.isFinite(f)) {
                throw new Refusal("field '" + field + "' element " + i + " is " + abbreviate(x.asText())
                        + ", not a finite 32-bit float");
            }
            out[i] = f;
            squares += (double) f * f;
        }
        // ‖v‖₂ = sqrt(Σ v_i²) in double, so that tiny or huge components neither underflow nor overflow
        double norm = Math.sqrt(squares);
        if (norm == 0) {
            throw new Refusal("field '" + field + "' is all zeros: a zero vector has no direction to compare");
        }
        for (int i = 0; i < dimension; i++) {
            out[i] = (float) (out[i] / norm);
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    static String typeName(JsonNode v) {
        if (v.isTextual()) {
            return "string";
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() ? "integer" : "number";
        }
        return v.getNodeType().name().toLowerCase();
    }

    static String keyText(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no detail)";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
