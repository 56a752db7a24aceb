package dev.streamretrieval.operators.index;

/** The document store entry: what a hit can show. Looked up by ordinal so postings resolve to ids. */
public class StoredDocument {
    public String docId;
    public String title;
    public String text;
    public Long version;

    public StoredDocument() {}

    public StoredDocument(String docId, String title, String text, Long version) {
        this.docId = docId;
        this.title = title;
        this.text = text;
        this.version = version;
    }
}
