package dev.streamretrieval.jobs.bench;

import dev.streamretrieval.schemas.QueryMode;

/** A query mode as the bench runs it: the wire mode plus the fusion it forces (hybrid-linear). */
record BenchMode(String name, QueryMode mode, String fusion) {
    static BenchMode parse(String name) {
        return switch (name) {
            case "bm25" -> new BenchMode(name, QueryMode.BM25, null);
            case "dense" -> new BenchMode(name, QueryMode.DENSE, null);
            case "hybrid", "hybrid-rrf" -> new BenchMode("hybrid", QueryMode.HYBRID, "rrf");
            case "hybrid-linear" -> new BenchMode(name, QueryMode.HYBRID, "linear");
            case "full" -> new BenchMode(name, QueryMode.FULL, null);
            default -> throw new IllegalArgumentException("--modes: '" + name
                    + "' is not one of bm25, dense, hybrid, hybrid-linear, full");
        };
    }

    /** Whether the mode's answers depend on the dense codec / the token codec. */
    boolean usesDense() {
        return mode != QueryMode.BM25;
    }

    boolean usesTokens() {
        return mode == QueryMode.FULL;
    }
}
