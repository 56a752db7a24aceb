package dev.streamretrieval.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.Objects;

/**
 * A document on the documents topic: {@code {"id", "title", "text", "op", "version", "vector"}}, keyed by id.
 *
 * <p>{@code vector} is optional: a dense vector embedded upstream, used instead of encoding the text (see
 * {@link DocumentDecoder}). {@code version} is optional; when present, a document whose version is not greater than the one already
 * indexed for the same id is ignored, so replays and out-of-order delivery cannot resurrect old text.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Document {
    @JsonProperty("id")
    public String id;

    @JsonProperty("title")
    public String title;

    @JsonProperty("text")
    public String text;

    @JsonProperty("op")
    public DocumentOp op = DocumentOp.UPSERT;

    @JsonProperty("version")
    public Long version;

    /** Dense vector supplied by the producer; after decoding it has the job's dimension and unit length. */
    @JsonProperty("vector")
    public float[] vector;

    public Document() {}

    public Document(String id, String title, String text, DocumentOp op, Long version) {
        this.id = id;
        this.title = title;
        this.text = text;
        this.op = op;
        this.version = version;
    }

    public static Document upsert(String id, String title, String text, Long version) {
        return new Document(id, title, text, DocumentOp.UPSERT, version);
    }

    public static Document delete(String id, Long version) {
        return new Document(id, null, null, DocumentOp.DELETE, version);
    }

    /** Title and text joined the way BEIR tools index them: {@code title + " " + text}. */
    public String indexableText() {
        return indexableText(title, text);
    }

    /** {@code title + " " + text}, either may be null or empty. */
    public static String indexableText(String title, String text) {
        String t = title == null ? "" : title;
        String x = text == null ? "" : text;
        if (t.isEmpty()) {
            return x;
        }
        return x.isEmpty() ? t : t + " " + x;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Document)) {
            return false;
        }
        Document d = (Document) o;
        return Objects.equals(id, d.id) && Objects.equals(title, d.title) && Objects.equals(text, d.text)
                && op == d.op && Objects.equals(version, d.version) && Arrays.equals(vector, d.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, title, text, op, version) * 31 + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "Document{id=" + id + ", op=" + op + ", version=" + version + "}";
    }
}
