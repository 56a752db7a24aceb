package dev.streamretrieval.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;

/** Decodes queries-topic records; never throws (see {@link DocumentDecoder}). */
public class QueryDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final InputLimits limits;
    private transient RecordReader reader;

    public QueryDecoder(InputLimits limits) {
        this.limits = limits;
    }

    private RecordReader reader() {
        if (reader == null) {
            reader = new RecordReader(MessageJson.strictMapper(limits.maxJsonDepth), "query");
        }
        return reader;
    }

    public Decoded<Query> decode(byte[] key, byte[] value) {
        try {
            return Decoded.ok(decodeOrRefuse(value));
        } catch (RecordReader.Refusal r) {
            return Decoded.refused(r.getMessage());
        } catch (RuntimeException e) {
            return Decoded.refused("unexpected decoding failure: " + e);
        }
    }

    /** Runs of letters and digits in {@code text}, counted up to {@code stopAt}. */
    static int countTokens(String text, int stopAt) {
        int tokens = 0;
        boolean inToken = false;
        for (int i = 0; i < text.length() && tokens < stopAt; ) {
            int cp = text.codePointAt(i);
            boolean word = Character.isLetterOrDigit(cp);
            if (word && !inToken) {
                tokens++;
            }
            inToken = word;
            i += Character.charCount(cp);
        }
        return tokens;
    }

    private Query decodeOrRefuse(byte[] value) throws RecordReader.Refusal {
        if (value == null) {
            throw new RecordReader.Refusal("tombstone on the queries topic: a query needs a JSON value");
        }
        JsonNode obj = reader().readObject(value, limits.maxQueryBytes);
        String id = RecordReader.id(obj, "id", limits.maxIdChars);
        String opName = RecordReader.string(obj, "op", false);
        QueryOp op = opName == null ? QueryOp.SEARCH : QueryOp.fromWire(opName);
        if (op == null) {
            throw new RecordReader.Refusal("unknown op '" + opName + "' (expected search or stats)");
        }
        if (op == QueryOp.STATS) {
            return Query.stats(id);
        }
        String text = RecordReader.string(obj, "text", true);
        if (text.isBlank()) {
            throw new RecordReader.Refusal("query text is empty");
        }
        if (text.length() > limits.maxQueryChars) {
            throw new RecordReader.Refusal("query text is " + text.length() + " characters, over the limit of "
                    + limits.maxQueryChars);
        }
        int tokens = countTokens(text, limits.maxQueryTokens + 1);
        if (tokens > limits.maxQueryTokens) {
            throw new RecordReader.Refusal("query text has more than " + limits.maxQueryTokens
                    + " tokens (the --max-query-tokens limit)");
        }
        Long k = RecordReader.integer(obj, "k", 1, limits.maxK);
        String modeName = RecordReader.string(obj, "mode", false);
        QueryMode mode = modeName == null ? QueryMode.BM25 : QueryMode.fromWire(modeName);
        if (mode == null) {
            throw new RecordReader.Refusal("unknown mode '" + modeName + "' (expected bm25, dense, hybrid or full)");
        }
        String fusion = RecordReader.string(obj, "fusion", false);
        if (fusion != null && !fusion.equals("rrf") && !fusion.equals("linear")) {
            throw new RecordReader.Refusal("unknown fusion '" + fusion + "' (expected rrf or linear)");
        }
        Query q = new Query(id, text, k == null ? null : k.intValue(), mode, QueryOp.SEARCH);
        q.fusion = fusion;
        q.vector = RecordReader.vector(obj, "vector", limits.vectorDimension);
        return q;
    }
}
