package dev.streamretrieval.operators.index;

/**
 * What a shard remembers about one document id: the indexed version and, for a live document, its ordinal,
 * length and the terms with the block each posting was written to, so an upsert or delete can remove exactly
 * those postings. A deleted id is kept as a tombstone (no terms) with the delete's version so that an older
 * upsert arriving late stays deleted.
 */
public class DocEntry {
    public Long version;
    public boolean deleted;
    public long ordinal;
    public int length;
    public String title;
    public String[] terms = new String[0];
    public int[] blocks = new int[0];
    /** Dense vector block holding this document's vector; -1 when it has none. */
    public int denseBlock = -1;

    public DocEntry() {}
}
