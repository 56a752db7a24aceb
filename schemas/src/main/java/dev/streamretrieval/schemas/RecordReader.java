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
        return s;
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
