package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.scoring.Bm25;

/**
 * BM25 over a shard's {@link PostingStore} with the shard's own statistics ({@link Bm25} has the formula).
 * Term at a time: every posting of every query term is scored into {@link Bm25Matches}.
 */
public final class Bm25Searcher {
    private final PostingStore postings;
    private final Bm25 bm25;

    public Bm25Searcher(PostingStore postings, Bm25 bm25) {
        this.postings = postings;
        this.bm25 = bm25;
    }

    /**
     * Scores the query's terms; fills {@code docFreqs} (parallel to {@code terms}) with the shard's document
     * frequencies. The term infos are read first so the match table can be sized from them.
     */
    public Bm25Matches search(String[] terms, int[] queryFreqs, ShardCounters c, long[] docFreqs) {
        int n = terms.length;
        float avgLength = Bm25.averageLength(c.totalLength, c.docCount);
        TermInfo[] infos = new TermInfo[n];
        long expected = 0;
        for (int t = 0; t < n; t++) {
            infos[t] = postings.info(terms[t]);
            if (infos[t] != null) {
                docFreqs[t] = infos[t].docFreq;
                expected += infos[t].docFreq;
            }
        }
        Bm25Matches matches = new Bm25Matches(n, expected);
        for (int t = 0; t < n; t++) {
            TermInfo info = infos[t];
            if (info == null) {
                continue;
            }
            float weightedIdf = queryFreqs[t] * Bm25.idf(info.docFreq, c.docCount);
            for (int b = 0; b < info.blocks; b++) {
                PostingBlock block = postings.block(terms[t], b);
                for (int i = 0; i < block.size(); i++) {
                    matches.add(block.ordinal(i), t, block.freq(i), block.length(i),
                            bm25.termScore(weightedIdf, block.freq(i), block.length(i), avgLength));
                }
            }
        }
        return matches;
    }
}
