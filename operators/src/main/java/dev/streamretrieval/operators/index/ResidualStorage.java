package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.index.state.HeapKeyValueState;
import dev.streamretrieval.operators.index.state.KeyValueState;

/**
 * Where one shard keeps what a residual token codec adds to its token vectors (state names in the job:
 * {@code token-codebook}, {@code token-lists}, {@code token-list-entries}):
 * <ul>
 *   <li>codebook: the shard's {@link dev.streamretrieval.operators.vectors.ResidualCodebook}, the documents pending
 *   its training, and the drift window ({@link ResidualTokenStore});</li>
 *   <li>lists, entries: the centroid → documents lists of the colbert mode ({@link CentroidLists}).</li>
 * </ul>
 */
public record ResidualStorage(
        KeyValueState<Integer, byte[]> codebook,
        KeyValueState<Long, byte[]> lists,
        KeyValueState<Long, byte[]> entries) {

    public static ResidualStorage onHeap() {
        return new ResidualStorage(new HeapKeyValueState<>(), new HeapKeyValueState<>(), new HeapKeyValueState<>());
    }
}
