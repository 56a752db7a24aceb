package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.KeyValueState;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a shard knows about its documents: per id a {@link DocEntry} (version, ordinal, where its postings and
 * vector are; tombstones of deletes), and per ordinal the {@link StoredDocument} a hit shows.
 *
 * <p>Candidates need only id and title, so those are also kept in a bounded heap cache (LRU, keyed by shard and
 * ordinal): reading and deserialising whole stored documents (text included) from RocksDB was the largest cost
 * of a BM25 shard search. The cache is filled when a document is added or first read and dropped when it is
 * removed; ordinals are never reused within an operator instance and a restore starts with an empty cache.
 */
public final class DocumentStore {
    static final int CANDIDATE_CACHE_ENTRIES = 1 << 20;

    private final KeyValueState<String, DocEntry> entries;
    private final KeyValueState<Long, StoredDocument> documents;
    private final Map<Long, String[]> idAndTitle = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String[]> eldest) {
            return size() > CANDIDATE_CACHE_ENTRIES;
        }
    };

    public DocumentStore(KeyValueState<String, DocEntry> entries, KeyValueState<Long, StoredDocument> documents) {
        this.entries = entries;
        this.documents = documents;
    }

    /** The entry of a document id (live or a tombstone), or null. */
    public DocEntry entry(String docId) {
        return entries.get(docId);
    }

    public void putEntry(String docId, DocEntry entry) {
        entries.put(docId, entry);
    }

    public void removeEntry(String docId) {
        entries.remove(docId);
    }

    /** Stores a document under its ordinal and counts its bytes in {@link ShardCounters#storeBytes}. */
    public void add(int shard, long ordinal, StoredDocument d, ShardCounters c) {
        documents.put(ordinal, d);
        idAndTitle.put(cacheKey(shard, ordinal), new String[] {d.docId, d.title});
        c.storeBytes += storedBytes(d);
    }

    public void remove(int shard, long ordinal, ShardCounters c) {
        StoredDocument gone = documents.get(ordinal);
        if (gone != null) {
            c.storeBytes -= storedBytes(gone);
        }
        documents.remove(ordinal);
        idAndTitle.remove(cacheKey(shard, ordinal));
    }

    /** The stored document of an ordinal, or null. */
    public StoredDocument document(long ordinal) {
        return documents.get(ordinal);
    }

    /** {id, title} of a live ordinal, from the cache when it holds it. */
    public String[] idAndTitle(int shard, long ordinal) {
        long key = cacheKey(shard, ordinal);
        String[] ref = idAndTitle.get(key);
        if (ref == null) {
            StoredDocument doc = documents.get(ordinal);
            if (doc == null) {
                throw new IllegalStateException("index corrupt: ordinal " + ordinal + " without a document");
            }
            ref = new String[] {doc.docId, doc.title};
            idAndTitle.put(key, ref);
        }
        return ref;
    }

    /** The live entry of an ordinal; fails when the index lost track of it. */
    public DocEntry liveEntry(long ordinal, String where) {
        StoredDocument stored = documents.get(ordinal);
        DocEntry entry = stored == null ? null : entries.get(stored.docId);
        if (entry == null || entry.deleted || entry.ordinal != ordinal) {
            throw new IllegalStateException("index corrupt: ordinal " + ordinal + " in " + where + " without its document");
        }
        return entry;
    }

    /** Writes back an entry found with {@link #liveEntry} after changing where its postings or vector are. */
    public void updateLiveEntry(long ordinal, DocEntry entry) {
        entries.put(documents.get(ordinal).docId, entry);
    }

    /** What a stored document counts in {@link ShardCounters#storeBytes}: UTF-8 bytes of id, title and text. */
    public static long storedBytes(StoredDocument d) {
        return utf8Length(d.docId) + utf8Length(d.title) + utf8Length(d.text);
    }

    private static long utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The shard in the high bits, the ordinal (per shard, < 2^40) below. */
    private static long cacheKey(int shard, long ordinal) {
        return ((long) shard << 40) ^ ordinal;
    }
}
