package dev.streamretrieval.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;

/**
 * Decodes documents-topic records. A tombstone (null value) with a key is a delete of that id. Never throws:
 * every problem becomes a {@link Decoded#refused} reason, which the job sends to the dead-letter topic.
 */
public class DocumentDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final InputLimits limits;
    private transient RecordReader reader;

    public DocumentDecoder(InputLimits limits) {
        this.limits = limits;
    }

    private RecordReader reader() {
        if (reader == null) {
            ObjectMapper mapper = MessageJson.strictMapper(limits.maxJsonDepth);
            reader = new RecordReader(mapper, "document");
        }
        return reader;
    }

    public Decoded<Document> decode(byte[] key, byte[] value) {
        try {
            return Decoded.ok(decodeOrRefuse(key, value));
        } catch (RecordReader.Refusal r) {
            return Decoded.refused(r.getMessage());
        } catch (RuntimeException e) {
            return Decoded.refused("unexpected decoding failure: " + e);
        }
    }

    private Document decodeOrRefuse(byte[] key, byte[] value) throws RecordReader.Refusal {
        if (value == null) {
            String id = RecordReader.keyText(key);
            if (id == null || id.isBlank()) {
                throw new RecordReader.Refusal("tombstone without a key: cannot tell which document to delete");
            }
            return Document.delete(id, null);
        }
        JsonNode obj = reader().readObject(value, limits.maxDocumentBytes);
        String id = RecordReader.id(obj, "id", limits.maxIdChars);
        String keyText = RecordReader.keyText(key);
        if (keyText != null && !keyText.equals(id)) {
            throw new RecordReader.Refusal("record key '" + abbreviate(keyText) + "' does not match document id '"
                    + abbreviate(id) + "' (compaction keeps one record per key, so they must agree)");
        }
        String opName = RecordReader.string(obj, "op", false);
        DocumentOp op = opName == null ? DocumentOp.UPSERT : DocumentOp.fromWire(opName);
        if (op == null) {
            throw new RecordReader.Refusal("unknown op '" + abbreviate(opName) + "' (expected upsert or delete)");
        }
        Long version = RecordReader.integer(obj, "version", 0, Long.MAX_VALUE);
        if (op == DocumentOp.DELETE) {
            return Document.delete(id, version);
        }
        String title = RecordReader.string(obj, "title", false);
        String text = RecordReader.string(obj, "text", true);
        if (text.isBlank() && (title == null || title.isBlank())) {
            throw new RecordReader.Refusal("document has no text: both 'title' and 'text' are empty");
        }
        Document doc = Document.upsert(id, title, text, version);
        doc.vector = RecordReader.vector(obj, "vector", limits.vectorDimension);
        return doc;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
