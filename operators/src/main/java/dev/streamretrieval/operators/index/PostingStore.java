package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.KeyValueState;

/**
 * The postings of one shard: per term a {@link TermInfo} and a list of {@link PostingBlock}s, each block under its
 * own key ({@link #blockKey}). Appends go to the term's last block, so adding a posting costs one block rewrite
 * whatever the list's length; a block emptied in the middle of a list is replaced by the last block, so a term's
 * blocks stay bounded by its live postings under churn.
 *
 * <p>{@link ShardCounters#terms} and {@link ShardCounters#postingBytes} are kept exact by every write.
 */
public final class PostingStore {
    /** Told which ordinals now live in block {@code to} of {@code term} after a block move. */
    public interface BlockMoved {
        void moved(String term, int to, PostingBlock block);
    }

    private final KeyValueState<String, TermInfo> terms;
    private final KeyValueState<String, byte[]> blocks;

    public PostingStore(KeyValueState<String, TermInfo> terms, KeyValueState<String, byte[]> blocks) {
        this.terms = terms;
        this.blocks = blocks;
    }

    public static String blockKey(String term, int blockNo) {
        return term + '\u0000' + blockNo;
    }

    /** The term's metadata, or null when no live document of the shard contains it. */
    public TermInfo info(String term) {
        return terms.get(term);
    }

    /** Block {@code blockNo} of {@code term}, decoded; null when absent. */
    public PostingBlock block(String term, int blockNo) {
        byte[] bytes = blocks.get(blockKey(term, blockNo));
        return bytes == null ? null : PostingBlock.decode(bytes);
    }

    /** Appends a posting to the term's last block (a new block when it is full); returns the block number. */
    public int add(String term, long ordinal, int freq, int length, ShardCounters c) {
        TermInfo info = terms.get(term);
        if (info == null) {
            info = new TermInfo();
            c.terms++;
        }
        PostingBlock block;
        byte[] previous = null;
        if (info.blocks == 0 || info.lastBlockSize >= PostingBlock.CAPACITY) {
            block = new PostingBlock();
            info.blocks++;
            info.lastBlockSize = 0;
        } else {
            previous = blocks.get(blockKey(term, info.blocks - 1));
            block = PostingBlock.decode(previous);
        }
        block.append(ordinal, freq, length);
        byte[] encoded = block.encode();
        blocks.put(blockKey(term, info.blocks - 1), encoded);
        c.postingBytes += encoded.length - (previous == null ? 0 : previous.length);
        info.lastBlockSize = block.size();
        info.docFreq++;
        terms.put(term, info);
        return info.blocks - 1;
    }

    /**
     * Removes the posting of {@code ordinal} from block {@code blockNo} of {@code term}. When that empties a block
     * in the middle of the list, the last block moves into its slot and {@code moved} is told, so the documents
     * whose postings it holds can be repointed.
     */
    public void remove(String term, int blockNo, long ordinal, ShardCounters c, BlockMoved moved) {
        TermInfo info = terms.get(term);
        if (info == null) {
            throw new IllegalStateException("index corrupt: term '" + term + "' of a live document has no info");
        }
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
            }
            terms.remove(term);
            c.terms--;
            return;
        }
        if (block.size() == 0 && blockNo != info.blocks - 1) {
            // an emptied block in the middle of the list: the last block takes its place, so a term's blocks
            // stay bounded by its live postings instead of growing with every update (found by the soak test)
            c.postingBytes -= previous.length;
            moveLastBlock(term, info, blockNo, moved);
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

    /** Moves a term's last block into slot {@code to}. Ordinals stay ascending within each block. */
    private void moveLastBlock(String term, TermInfo info, int to, BlockMoved moved) {
        int last = info.blocks - 1;
        byte[] bytes = blocks.get(blockKey(term, last));
        blocks.put(blockKey(term, to), bytes);
        blocks.remove(blockKey(term, last));
        info.blocks--;
        PostingBlock block = PostingBlock.decode(bytes);
        moved.moved(term, to, block);
        info.lastBlockSize = info.blocks - 1 == to ? block.size()
                : PostingBlock.decode(blocks.get(blockKey(term, info.blocks - 1))).size();
    }
}
