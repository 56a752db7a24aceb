package dev.streamretrieval.jobs.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The hostile-input corpus: bad records of every kind for the documents and queries topics, each with the words its
 * dead letter must contain. {@code LocalClusterIT} puts them on a running job; {@code TopicSchemasTest} checks that
 * the topic JSON Schemas refuse what the decoders refuse.
 */
public final class HostileRecords {
    private HostileRecords() {}

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One hostile record: where it goes, its key and bytes, and the words its dead letter must contain. */
    public record Case(String name, boolean document, String key, byte[] value, String reason) {}

    public static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // documents (the topic is compacted, so every record has a key)
        c.add(new Case("invalid JSON (truncated)", true, "h1", utf8("{\"id\": \"h1\", \"text\": "), "malformed JSON"));
        c.add(new Case("not JSON at all", true, "h2", utf8("hello world"), "malformed JSON"));
        c.add(new Case("JSON array instead of object", true, "h3", utf8("[\"h3\"]"), "must be a JSON object, got array"));
        c.add(new Case("JSON null", true, "h4", utf8("null"), "must be a JSON object, got null"));
        c.add(new Case("empty value (0 bytes)", true, "h5", new byte[0], "empty document record"));
        c.add(new Case("missing id", true, "h6", utf8("{\"text\": \"no id\"}"), "missing required field 'id'"));
        c.add(new Case("empty id", true, "h7", utf8("{\"id\": \"\", \"text\": \"x\"}"), "field 'id' is empty"));
        c.add(new Case("id of the wrong type", true, "h8", utf8("{\"id\": 42, \"text\": \"x\"}"),
                "field 'id' must be a string, got integer"));
        String longId = "h".repeat(600);
        c.add(new Case("id of 600 characters", true, longId, utf8("{\"id\": \"" + longId + "\", \"text\": \"x\"}"),
                "is 600 characters, over the limit of 512"));
        c.add(new Case("id with a control character", true, "h\u0001x", utf8("{\"id\": \"h\\u0001x\", \"text\": \"x\"}"),
                "contains a control character"));
        c.add(new Case("record key differs from id", true, "other", utf8("{\"id\": \"h11\", \"text\": \"x\"}"),
                "does not match document id"));
        c.add(new Case("text of the wrong type (number)", true, "h12", utf8("{\"id\": \"h12\", \"text\": 12}"),
                "field 'text' must be a string, got integer"));
        c.add(new Case("text of the wrong type (object)", true, "h13", utf8("{\"id\": \"h13\", \"text\": {\"a\": 1}}"),
                "field 'text' must be a string, got object"));
        c.add(new Case("missing text", true, "h14", utf8("{\"id\": \"h14\", \"title\": \"only a title\"}"),
                "missing required field 'text'"));
        c.add(new Case("empty text and title", true, "h15", utf8("{\"id\": \"h15\", \"title\": \"\", \"text\": \"   \"}"),
                "document has no text"));
        c.add(new Case("title of the wrong type", true, "h16", utf8("{\"id\": \"h16\", \"title\": [1], \"text\": \"x\"}"),
                "field 'title' must be a string, got array"));
        byte[] huge = utf8("{\"id\": \"h17\", \"text\": \"" + "lorem ipsum ".repeat(10 * 1024 * 1024 / 12) + "\"}");
        c.add(new Case("10 MB text", true, "h17", huge, "bytes, over the limit of 1048576 bytes"));
        c.add(new Case("invalid UTF-8 bytes", true, "h18",
                new byte[] {'{', '"', 'i', 'd', '"', ':', '"', 'h', (byte) 0xC3, (byte) 0x28, '"', '}'}, "not valid UTF-8"));
        c.add(new Case("Latin-1 instead of UTF-8", true, "h19",
                "{\"id\": \"h19\", \"text\": \"caf\u00e9 cr\u00e8me\"}".getBytes(StandardCharsets.ISO_8859_1), "not valid UTF-8"));
        c.add(new Case("UTF-16 encoded JSON", true, "h20",
                "{\"id\": \"h20\", \"text\": \"x\"}".getBytes(StandardCharsets.UTF_16LE), "looks like UTF-16 or UTF-32"));
        c.add(new Case("U+FFFD from an earlier wrong decoding", true, "h21",
                utf8("{\"id\": \"h21\", \"text\": \"caf\uFFFD\"}"), "contains U+FFFD"));
        c.add(new Case("unpaired surrogate escape", true, "h22", utf8("{\"id\": \"h22\", \"text\": \"a\\ud800b\"}"),
                "unpaired surrogate"));
        c.add(new Case("NUL escape in text", true, "h23", utf8("{\"id\": \"h23\", \"text\": \"a\\u0000b\"}"),
                "contains a NUL character"));
        c.add(new Case("raw NUL byte in text", true, "h24", utf8("{\"id\": \"h24\", \"text\": \"a\u0000b\"}"),
                "CTRL-CHAR, code 0"));
        c.add(new Case("unknown op", true, "h25", utf8("{\"id\": \"h25\", \"text\": \"x\", \"op\": \"merge\"}"),
                "unknown op 'merge'"));
        c.add(new Case("op of the wrong type", true, "h26", utf8("{\"id\": \"h26\", \"text\": \"x\", \"op\": 1}"),
                "field 'op' must be a string, got integer"));
        c.add(new Case("negative version", true, "h27", utf8("{\"id\": \"h27\", \"text\": \"x\", \"version\": -1}"),
                "field 'version' is -1, outside"));
        c.add(new Case("fractional version", true, "h28", utf8("{\"id\": \"h28\", \"text\": \"x\", \"version\": 1.5}"),
                "field 'version' must be an integer, got number"));
        c.add(new Case("version beyond 64 bits", true, "h29",
                utf8("{\"id\": \"h29\", \"text\": \"x\", \"version\": 1180591620717411303424}"), "field 'version' is 1180591620717411303424, outside"));
        c.add(new Case("duplicate keys", true, "h30", utf8("{\"id\": \"h30\", \"text\": \"x\", \"text\": \"y\"}"),
                "Duplicate field 'text'"));
        c.add(new Case("deeply nested JSON (depth 40)", true, "h31",
                utf8("{\"id\": \"h31\", \"text\": \"x\", \"n\": " + "[".repeat(40) + "]".repeat(40) + "}"), "nested too deeply"));
        c.add(new Case("pathological nesting (100,000 brackets)", true, "h32", utf8("[".repeat(100_000)), "nested too deeply"));
        c.add(new Case("trailing data after the object", true, "h33",
                utf8("{\"id\": \"h33\", \"text\": \"x\"} {\"id\": \"h34\"}"), "malformed JSON"));
        c.add(new Case("comment inside JSON", true, "h34", utf8("{\"id\": \"h34\", /* hi */ \"text\": \"x\"}"),
                "malformed JSON"));
        // queries
        c.add(new Case("query: invalid JSON", false, "hq1", utf8("{{{"), "malformed JSON"));
        c.add(new Case("query: empty text", false, "hq2", utf8("{\"id\": \"hq2\", \"text\": \"\"}"), "query text is empty"));
        c.add(new Case("query: missing text", false, "hq3", utf8("{\"id\": \"hq3\"}"), "missing required field 'text'"));
        c.add(new Case("query: missing id", false, null, utf8("{\"text\": \"kafka\"}"), "missing required field 'id'"));
        c.add(new Case("query: negative k", false, "hq5", utf8("{\"id\": \"hq5\", \"text\": \"x\", \"k\": -3}"),
                "field 'k' is -3, outside [1, 1000]"));
        c.add(new Case("query: k = 0", false, "hq6", utf8("{\"id\": \"hq6\", \"text\": \"x\", \"k\": 0}"),
                "field 'k' is 0, outside"));
        c.add(new Case("query: huge k", false, "hq7", utf8("{\"id\": \"hq7\", \"text\": \"x\", \"k\": 1000000000000}"),
                "field 'k' is 1000000000000, outside [1, 1000]"));
        c.add(new Case("query: k of the wrong type", false, "hq8", utf8("{\"id\": \"hq8\", \"text\": \"x\", \"k\": \"ten\"}"),
                "field 'k' must be an integer, got string"));
        c.add(new Case("query: fractional k", false, "hq9", utf8("{\"id\": \"hq9\", \"text\": \"x\", \"k\": 2.5}"),
                "field 'k' must be an integer, got number"));
        c.add(new Case("query: very long text (5,000 characters)", false, "hq10",
                utf8("{\"id\": \"hq10\", \"text\": \"" + "y".repeat(5000) + "\"}"), "5000 characters, over the limit of 4096"));
        c.add(new Case("query: too many tokens (1,100)", false, "hq11",
                utf8("{\"id\": \"hq11\", \"text\": \"" + "w ".repeat(1100) + "\"}"), "more than 1024 tokens"));
        c.add(new Case("query: oversize record (20 KB)", false, "hq12",
                utf8("{\"id\": \"hq12\", \"text\": \"" + "z ".repeat(10_000) + "\"}"), "over the limit of 16384 bytes"));
        c.add(new Case("query: unknown op", false, "hq13", utf8("{\"id\": \"hq13\", \"op\": \"drop\"}"), "unknown op 'drop'"));
        c.add(new Case("query: unknown mode", false, "hq14", utf8("{\"id\": \"hq14\", \"text\": \"x\", \"mode\": \"psychic\"}"),
                "unknown mode 'psychic'"));
        c.add(new Case("query: mode this job does not run", false, "hq15",
                utf8("{\"id\": \"hq15\", \"text\": \"x\", \"mode\": \"full\"}"), "is not available in this job"));
        c.add(new Case("query: unknown fusion", false, "hq16", utf8("{\"id\": \"hq16\", \"text\": \"x\", \"fusion\": \"max\"}"),
                "unknown fusion 'max'"));
        c.add(new Case("query: NUL in text", false, "hq17", utf8("{\"id\": \"hq17\", \"text\": \"a\\u0000\"}"),
                "contains a NUL character"));
        c.add(new Case("query: tombstone (null value)", false, "hq18", null, "tombstone on the queries topic"));
        c.add(new Case("query: invalid UTF-8", false, "hq19",
                new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'}, "not valid UTF-8"));
        c.add(new Case("query: duplicate keys", false, "hq20", utf8("{\"id\": \"hq20\", \"id\": \"hq21\", \"text\": \"x\"}"),
                "Duplicate field 'id'"));
        // supplied vectors (the job runs with --vector-dimension 3)
        c.add(new Case("vector of the wrong dimension", true, "h35",
                utf8("{\"id\": \"h35\", \"text\": \"x\", \"vector\": [1, 2]}"),
                "field 'vector' has 2 numbers, but this job's dense vectors have 3 dimensions"));
        c.add(new Case("vector element not a number", true, "h36",
                utf8("{\"id\": \"h36\", \"text\": \"x\", \"vector\": [1, \"0.5\", 3]}"),
                "field 'vector' element 1 must be a number, got string"));
        c.add(new Case("vector with an infinity (1e400)", true, "h37",
                utf8("{\"id\": \"h37\", \"text\": \"x\", \"vector\": [1, 2, 1e400]}"),
                "field 'vector' element 2 is Infinity, not a finite 32-bit float"));
        c.add(new Case("vector element beyond float range", true, "h38",
                utf8("{\"id\": \"h38\", \"text\": \"x\", \"vector\": [1, -1e39, 0]}"),
                "field 'vector' element 1 is -1.0E39, not a finite 32-bit float"));
        c.add(new Case("vector with a NaN literal", true, "h39",
                utf8("{\"id\": \"h39\", \"text\": \"x\", \"vector\": [NaN, 0, 1]}"), "malformed JSON: Non-standard token 'NaN'"));
        c.add(new Case("vector of zeros", true, "h40",
                utf8("{\"id\": \"h40\", \"text\": \"x\", \"vector\": [0, 0, 0.0]}"), "field 'vector' is all zeros"));
        c.add(new Case("vector that is not an array", true, "h41",
                utf8("{\"id\": \"h41\", \"text\": \"x\", \"vector\": \"1,2,3\"}"),
                "field 'vector' must be an array of numbers, got string"));
        c.add(new Case("query: vector of the wrong dimension", false, "hq21",
                utf8("{\"id\": \"hq21\", \"text\": \"x\", \"mode\": \"dense\", \"vector\": [1, 0, 0, 0]}"),
                "field 'vector' has 4 numbers, but this job's dense vectors have 3 dimensions"));
        c.add(new Case("query: vector element null", false, "hq22",
                utf8("{\"id\": \"hq22\", \"text\": \"x\", \"mode\": \"hybrid\", \"vector\": [1, null, 0]}"),
                "field 'vector' element 1 must be a number, got null"));
        c.add(new Case("query: dense mode without a vector, no model", false, "hq23",
                utf8("{\"id\": \"hq23\", \"text\": \"x\", \"mode\": \"dense\"}"),
                "mode 'dense' needs a 'vector' in this job: it has no dense model to encode the text"));
        return c;
    }
}
