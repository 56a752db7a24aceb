package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.KeyValueState;
import dev.streamretrieval.operators.vectors.DenseCodec;
import java.util.Arrays;

/**
 * The exact dense index: vectors in {@link VectorBlock}s of {@link VectorBlock#CAPACITY} (state key = block
 * number, one read per block), appended to the last block; a search scores every vector in place (no decode) and
 * keeps the best k in a primitive heap. A block emptied in the middle is replaced by the last block, as for
 * posting blocks, so the block count stays bounded under churn. {@link ShardCounters#denseBlocks} and
 * {@link ShardCounters#lastDenseBlockSize} say where appends go.
 */
public final class ExactDenseIndex implements DenseIndex {
    private final KeyValueState<Integer, byte[]> blocks;
    private final DenseCodec codec;
    private final DocumentStore documents;

    /** {@code documents} repoints the entries of vectors whose block moved. */
    public ExactDenseIndex(KeyValueState<Integer, byte[]> blocks, DenseCodec codec, DocumentStore documents) {
        this.blocks = blocks;
        this.codec = codec;
        this.documents = documents;
    }

    @Override
    public void add(int shard, long ordinal, byte[] vector, DocEntry entry, ShardCounters c) {
        VectorBlock block;
        if (c.denseBlocks == 0 || c.lastDenseBlockSize >= VectorBlock.CAPACITY) {
            block = VectorBlock.empty(vector.length);
            c.denseBlocks++;
            c.lastDenseBlockSize = 0;
        } else {
            block = VectorBlock.wrap(blocks.get(c.denseBlocks - 1));
        }
        block.append(ordinal, vector);
        blocks.put(c.denseBlocks - 1, block.bytes());
        c.lastDenseBlockSize = block.size();
        entry.denseBlock = c.denseBlocks - 1;
        c.denseBytes += vector.length;
    }

    @Override
    public void remove(int shard, DocEntry entry, ShardCounters c) {
        if (entry.denseBlock < 0) {
            return;
        }
        VectorBlock block = VectorBlock.wrap(blocks.get(entry.denseBlock));
        int vectorBytes = block.vectorBytes();
        if (!block.remove(entry.ordinal)) {
            throw new IllegalStateException("index corrupt: vector of ordinal " + entry.ordinal
                    + " missing from dense block " + entry.denseBlock);
        }
        if (block.size() == 0 && entry.denseBlock != c.denseBlocks - 1) {
            moveLastBlock(entry.denseBlock, c);
        } else {
            blocks.put(entry.denseBlock, block.bytes());
            if (entry.denseBlock == c.denseBlocks - 1) {
                c.lastDenseBlockSize = block.size();
            }
        }
        c.denseBytes -= vectorBytes;
    }

    private void moveLastBlock(int to, ShardCounters c) {
        int last = c.denseBlocks - 1;
        byte[] moved = blocks.get(last);
        blocks.put(to, moved);
        blocks.remove(last);
        c.denseBlocks--;
        VectorBlock block = VectorBlock.wrap(moved);
        for (int i = 0; i < block.size(); i++) {
            DocEntry entry = documents.liveEntry(block.ordinal(i), "the dense vectors");
            entry.denseBlock = to;
            documents.updateLiveEntry(block.ordinal(i), entry);
        }
        c.lastDenseBlockSize = c.denseBlocks - 1 == to ? block.size()
                : VectorBlock.wrap(blocks.get(c.denseBlocks - 1)).size();
    }

    /** Scores every vector of the shard: O(N · dim) per query, with k kept in a bounded heap. */
    @Override
    public DenseResult search(int shard, float[] query, int k, long[] alsoScore, ShardCounters c) {
        if (query == null) {
            return DenseResult.empty(alsoScore.length);
        }
        // the ordinals asked about, sorted, with their positions in the caller's array
        long[] wanted = alsoScore.clone();
        Arrays.sort(wanted);
        float[] wantedScores = new float[wanted.length];
        Arrays.fill(wantedScores, Float.NaN);
        TopK top = new TopK(k);
        long scored = 0;
        for (int b = 0; b < c.denseBlocks; b++) {
            byte[] bytes = blocks.get(b);
            if (bytes == null) {
                continue;
            }
            VectorBlock block = VectorBlock.wrap(bytes);
            int n = block.size();
            for (int i = 0; i < n; i++) {
                long ordinal = block.ordinal(i);
                float score = codec.dot(query, bytes, block.vectorOffset(i));
                top.offer(ordinal, score);
                if (wanted.length > 0) {
                    int w = Arrays.binarySearch(wanted, ordinal);
                    if (w >= 0) {
                        wantedScores[w] = score;
                    }
                }
            }
            scored += n;
        }
        float[] also = new float[alsoScore.length];
        for (int i = 0; i < alsoScore.length; i++) {
            also[i] = wantedScores[Arrays.binarySearch(wanted, alsoScore[i])];
        }
        return top.drain(also, scored);
    }
}
