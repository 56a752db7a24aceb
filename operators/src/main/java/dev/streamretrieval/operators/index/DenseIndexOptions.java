package dev.streamretrieval.operators.index;

import java.io.Serializable;

/**
 * Which {@link DenseIndex} the shards keep: {@code exact} ({@link ExactDenseIndex}, every vector scanned) or
 * {@code ivf} ({@link IvfDenseIndex}: lists of at most {@code maxListSize} vectors, {@code nprobe} of them scanned
 * per query). Job options {@code --dense-index}, {@code --nprobe}, {@code --ivf-max-list}.
 */
public final class DenseIndexOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public String kind = "ivf";
    public int nprobe = 32;
    public int maxListSize = IvfIndex.DEFAULT_MAX_LIST_SIZE;

    public DenseIndexOptions() {}

    public static DenseIndexOptions exact() {
        DenseIndexOptions o = new DenseIndexOptions();
        o.kind = "exact";
        return o;
    }

    public static DenseIndexOptions ivf(int nprobe, int maxListSize) {
        DenseIndexOptions o = new DenseIndexOptions();
        o.nprobe = nprobe;
        o.maxListSize = maxListSize;
        return o;
    }

    public boolean isIvf() {
        return kind.equals("ivf");
    }

    public void validate() {
        if (!kind.equals("exact") && !kind.equals("ivf")) {
            throw new IllegalArgumentException("--dense-index must be exact or ivf, got " + kind);
        }
        if (nprobe < 1) {
            throw new IllegalArgumentException("--nprobe must be >= 1, got " + nprobe);
        }
        if (maxListSize < 2) {
            throw new IllegalArgumentException("--ivf-max-list must be >= 2, got " + maxListSize);
        }
    }
}
