package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.KeyValueState;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The postings of one shard: per term a {@link TermInfo}, a list of {@link PostingBlock}s, each block under its own
 * key ({@link #blockKey}), and the {@link BlockBounds} of its closed blocks. Appends go to the term's last block, so
 * adding a posting costs one block rewrite whatever the list's length; a block emptied in the middle of a list is
 * replaced by the last block, so a term's blocks stay bounded by its live postings under churn. A term's blocks
 * cover disjoint ordinal ranges (appends go to the last block only while it holds the highest ordinals), which
 * block-max search relies on.
 *
 * <p>Searches read through a bounded heap cache of decoded blocks and term metadata (LRU by postings held), so a
 * hot term costs neither a state read nor a decode. The store is its shard's only writer, and every write drops
 * the entries it changes, so the cache never serves a stale block; a restore starts with an empty cache.
 *
 * <p>{@link ShardCounters#terms} and {@link ShardCounters#postingBytes} (blocks and bounds) are kept exact by every
 * write.
 */
public final class PostingStore {
    /** Told which ordinals now live in block {@code to} of {@code term} after a block move. */
    public interface BlockMoved {
        void moved(String term, int to, PostingBlock block);
    }

    /** A term's metadata as searches read it: bounds null for a term without them (restored from older state). */
    public record TermMeta(TermInfo info, BlockBounds bounds) {}

    /** Postings (and term entries, counted as 16 each) the cache holds at most: about 16 bytes each. */
    static final long CACHE_POSTINGS = 1 << 20;
    private static final int TERM_WEIGHT = 16;

    private record CacheKey(int shard, String term, int block) {}

    private final KeyValueState<String, TermInfo> terms;
    private final KeyValueState<String, byte[]> blocks;
    private final KeyValueState<String, byte[]> bounds;
    private final LinkedHashMap<CacheKey, Object> cache = new LinkedHashMap<>(1024, 0.75f, true);
    private long cached;
    private long cacheHits;
    private long cacheMisses;
    private int shard;

    public PostingStore(KeyValueState<String, TermInfo> terms, KeyValueState<String, byte[]> blocks,
            KeyValueState<String, byte[]> bounds) {
        this.terms = terms;
        this.blocks = blocks;
        this.bounds = bounds;
    }

    /** The shard the next calls are about (its state is what the key-value states show). */
    public void scope(int shard) {
        this.shard = shard;
    }

    public static String blockKey(String term, int blockNo) {
        return term + '\u0000' + blockNo;
    }

    // ---------------------------------------------------------------- reads (searches)

    /** The term's metadata, or null when no live document of the shard contains it. */
    public TermMeta meta(String term) {
        CacheKey key = new CacheKey(shard, term, -1);
        Object hit = cache.get(key);
        if (hit != null) {
            cacheHits++;
            return (TermMeta) hit;
        }
        cacheMisses++;
        TermInfo info = terms.get(term);
        if (info == null) {
            return null;
        }
        BlockBounds b = info.bounded ? BlockBounds.of(info, info.blocks > 1 ? bounds.get(term) : null) : null;
        TermMeta meta = new TermMeta(info, b);
        cachePut(key, meta, TERM_WEIGHT + (b == null ? 0 : b.size()));
        return meta;
    }

    /** Block {@code blockNo} of {@code term}, decoded and shared: callers must not change it. Null when absent. */
    public PostingBlock block(String term, int blockNo) {
        CacheKey key = new CacheKey(shard, term, blockNo);
        Object hit = cache.get(key);
        if (hit != null) {
            cacheHits++;
            return (PostingBlock) hit;
        }
        cacheMisses++;
        byte[] bytes = blocks.get(blockKey(term, blockNo));
        if (bytes == null) {
            return null;
        }
        PostingBlock block = PostingBlock.decode(bytes);
        cachePut(key, block, Math.max(1, block.size()));
        return block;
    }

    /** {hits, misses} of the decoded-block cache since this store was created. */
    public long[] cacheCounts() {
        return new long[] {cacheHits, cacheMisses};
    }

    private void cachePut(CacheKey key, Object value, long weight) {
        cache.put(key, value);
        cached += weight;
        Iterator<Map.Entry<CacheKey, Object>> eldest = cache.entrySet().iterator();
        while (cached > CACHE_POSTINGS && eldest.hasNext()) {
            cached -= weight(eldest.next().getValue());
            eldest.remove();
        }
    }

    private static long weight(Object cachedValue) {
        if (cachedValue instanceof PostingBlock b) {
            return Math.max(1, b.size());
        }
        BlockBounds b = ((TermMeta) cachedValue).bounds();
        return TERM_WEIGHT + (b == null ? 0 : b.size());
    }

    private void invalidate(String term, int block) {
        Object gone = cache.remove(new CacheKey(shard, term, block));
        if (gone != null) {
            cached -= weight(gone);
        }
    }

    // ---------------------------------------------------------------- writes

    /** Appends a posting to the term's last block (a new block when it is full); returns the block number. */
    public int add(String term, long ordinal, int freq, int length, ShardCounters c) {
        TermInfo info = terms.get(term);
        if (info == null) {
            info = new TermInfo();
            info.bounded = true;
            c.terms++;
        }
        invalidate(term, -1);
        PostingBlock block;
        byte[] previous = null;
        if (info.blocks == 0 || info.lastBlockSize >= PostingBlock.CAPACITY || (info.bounded && !info.lastIsTop)) {
            if (info.bounded && info.blocks > 0) {
                byte[] closed = BlockBounds.append(bounds.get(term), info);
                bounds.put(term, closed);
                c.postingBytes += BlockBounds.ENTRY;
            }
            block = new PostingBlock();
            info.blocks++;
            info.lastBlockSize = 0;
            info.lastIsTop = true;
            info.lastLo = ordinal;
            info.lastMaxFreq = freq;
            info.lastMinLengthPerFreq = BlockBounds.lengthPerFreq(length, freq);
        } else {
            previous = blocks.get(blockKey(term, info.blocks - 1));
            block = PostingBlock.decode(previous);
            info.lastMaxFreq = Math.max(info.lastMaxFreq, freq);
            info.lastMinLengthPerFreq = Math.min(info.lastMinLengthPerFreq, BlockBounds.lengthPerFreq(length, freq));
        }
        info.lastHi = ordinal;
        block.append(ordinal, freq, length);
        byte[] encoded = block.encode();
        blocks.put(blockKey(term, info.blocks - 1), encoded);
        invalidate(term, info.blocks - 1);
        c.postingBytes += encoded.length - (previous == null ? 0 : previous.length);
        info.lastBlockSize = block.size();
        info.docFreq++;
        terms.put(term, info);
        return info.blocks - 1;
    }

    /**
     * Removes the posting of {@code ordinal} from block {@code blockNo} of {@code term}. When that empties a block
     * in the middle of the list, the last block moves into its slot and {@code moved} is told, so the documents
     * whose postings it holds can be repointed. Bounds stay as they were (still bounds).
     */
    public void remove(String term, int blockNo, long ordinal, ShardCounters c, BlockMoved moved) {
        TermInfo info = terms.get(term);
        if (info == null) {
            throw new IllegalStateException("index corrupt: term '" + term + "' of a live document has no info");
        }
        invalidate(term, -1);
        invalidate(term, blockNo);
        String key = blockKey(term, blockNo);
        byte[] previous = blocks.get(key);
        PostingBlock block = PostingBlock.decode(previous);
        if (!block.remove(ordinal)) {
            throw new IllegalStateException("index corrupt: posting of ordinal " + ordinal
                    + " missing from block " + blockNo + " of term '" + term + "'");
        }
        info.docFreq--;
        if (info.docFreq == 0) {
            for (int b = 0; b < info.blocks; b++) {
                byte[] gone = b == blockNo ? previous : blocks.get(blockKey(term, b));
                if (gone != null) {
                    c.postingBytes -= gone.length;
                }
                blocks.remove(blockKey(term, b));
                invalidate(term, b);
            }
            byte[] goneBounds = bounds.get(term);
            if (goneBounds != null) {
                c.postingBytes -= goneBounds.length;
                bounds.remove(term);
            }
            terms.remove(term);
            c.terms--;
            return;
        }
        if (block.size() == 0 && blockNo != info.blocks - 1) {
            // an emptied block in the middle of the list: the last block takes its place, so a term's blocks
            // stay bounded by its live postings instead of growing with every update (found by the soak test)
            c.postingBytes -= previous.length;
            moveLastBlock(term, info, blockNo, moved, c);
        } else {
            byte[] encoded = block.encode();
            blocks.put(key, encoded);
            c.postingBytes += encoded.length - previous.length;
            if (blockNo == info.blocks - 1) {
                info.lastBlockSize = block.size();
            }
        }
        terms.put(term, info);
    }

    /**
     * Moves a term's last block into slot {@code to}, with its bounds. Ordinals stay ascending within each block
     * and ranges stay disjoint; the block now last may not hold the highest ordinals, so the next append opens a
     * new block.
     */
    private void moveLastBlock(String term, TermInfo info, int to, BlockMoved moved, ShardCounters c) {
        int last = info.blocks - 1;
        byte[] bytes = blocks.get(blockKey(term, last));
        blocks.put(blockKey(term, to), bytes);
        blocks.remove(blockKey(term, last));
        invalidate(term, to);
        invalidate(term, last);
        info.blocks--;
        PostingBlock block = PostingBlock.decode(bytes);
        moved.moved(term, to, block);
        if (info.bounded) {
            // closed bounds cover slots 0..last-1; entry `to` (the emptied block) takes the moved block's parts,
            // and the block now in the last slot takes its parts from the closed entries
            byte[] closed = bounds.get(term);
            if (to != info.blocks - 1) {
                BlockBounds.set(closed, to, info);
                BlockBounds.toLast(closed, info.blocks - 1, info);
                info.lastIsTop = false;
            }
            byte[] shrunk = BlockBounds.dropLast(closed);
            if (shrunk.length == 0) {
                bounds.remove(term);
            } else {
                bounds.put(term, shrunk);
            }
            c.postingBytes -= BlockBounds.ENTRY;
        }
        info.lastBlockSize = info.blocks - 1 == to ? block.size()
                : PostingBlock.decode(blocks.get(blockKey(term, info.blocks - 1))).size();
    }
}
