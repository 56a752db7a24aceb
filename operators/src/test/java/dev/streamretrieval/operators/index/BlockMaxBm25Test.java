package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Block-max BM25 returns exactly the exhaustive search's top k (ids, scores bit for bit, term frequencies) on a
 * synthetic Zipfian collection large enough for many blocks per term, under churn (deletes and replacements
 * that move blocks and loosen bounds), for k from 1 to beyond the matches; and it does skip.
 */
class BlockMaxBm25Test {
    private static final int VOCABULARY = 400;

    private static String word(Random r) {
        // Zipf-like: rank ~ 1 / u, so a few terms occur in most documents and most terms are rare
        int rank = (int) Math.min(VOCABULARY - 1, Math.floor(1 / Math.max(1e-9, r.nextDouble())) - 1);
        return "w" + rank;
    }

    private static IndexRequest doc(String id, Random r) {
        TreeMap<String, Integer> tf = new TreeMap<>();
        int length = 3 + r.nextInt(r.nextInt(10) == 0 ? 200 : 30);
        for (int i = 0; i < length; i++) {
            tf.merge(word(r), 1, Integer::sum);
        }
        IndexRequest req = new IndexRequest();
        req.docId = id;
        req.op = DocumentOp.UPSERT;
        req.title = id;
        req.text = "";
        req.terms = tf.keySet().toArray(new String[0]);
        req.freqs = tf.values().stream().mapToInt(Integer::intValue).toArray();
        req.length = length;
        return req;
    }

    private static ShardQuery query(Random r, int k) {
        TreeMap<String, Integer> counts = new TreeMap<>();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            counts.merge(word(r), 1, Integer::sum);
        }
        ShardQuery q = new ShardQuery();
        q.requestId = "q";
        q.op = QueryOp.SEARCH;
        q.mode = QueryMode.BM25;
        q.k = k;
        q.shardDepth = k;
        q.terms = counts.keySet().toArray(new String[0]);
        q.queryFreqs = counts.values().stream().mapToInt(Integer::intValue).toArray();
        return q;
    }

    /** "id score tf..." per candidate, in rank order. */
    static List<String> rendered(ShardHits h) {
        List<String> out = new ArrayList<>();
        for (Candidate c : h.candidates) {
            out.add(c.docId + " " + Float.floatToIntBits(c.localScore) + " " + c.length + " "
                    + java.util.Arrays.toString(c.termFreqs));
        }
        return out;
    }

    @Test
    void topKEqualsExhaustiveScoringUnderChurn() {
        Random r = new Random(7);
        for (boolean luceneLengths : new boolean[] {true, false}) {
            ShardIndex index = new ShardIndex(ShardIndex.Storage.onHeap(), new Bm25(1.2, 0.75, luceneLengths), null,
                    null, new Fusion("rrf", 60, 0.5));
            ShardCounters c = new ShardCounters();
            int docs = 3000;
            for (int i = 0; i < docs; i++) {
                index.apply(0, doc("d" + i, r), c);
            }
            int compared = 0;
            int skipped = 0;
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 150; i++) {
                    int k = new int[] {1, 3, 10, 40, 100, 5000}[i % 6];
                    ShardQuery q = query(r, k);
                    ShardHits blockMax = new ShardHits();
                    index.searchBm25BlockMax(0, q, c, blockMax);
                    ShardHits exhaustive = new ShardHits();
                    index.searchBm25Exhaustively(0, q, c, exhaustive);
                    assertThat(rendered(blockMax)).as("query %s k=%d round %d", java.util.Arrays.toString(q.terms), k, round)
                            .isEqualTo(rendered(exhaustive));
                    assertThat(blockMax.docFreqs).isEqualTo(exhaustive.docFreqs);
                    assertThat(blockMax.matched).isLessThanOrEqualTo(exhaustive.matched);
                    if (blockMax.matched < exhaustive.matched) {
                        skipped++;
                    }
                    compared++;
                }
                // churn: delete a third, replace a third with new texts (moves blocks, loosens bounds), add more
                for (int i = round; i < docs; i += 3) {
                    IndexRequest del = new IndexRequest();
                    del.docId = "d" + i;
                    del.op = DocumentOp.DELETE;
                    index.apply(0, del, c);
                }
                for (int i = round + 1; i < docs; i += 3) {
                    index.apply(0, doc("d" + i, r), c);
                }
                for (int i = 0; i < 500; i++) {
                    index.apply(0, doc("n" + round + "-" + i, r), c);
                }
            }
            assertThat(compared).isEqualTo(450);
            assertThat(skipped).as("queries where block-max skipped postings").isGreaterThan(compared / 4);
        }
    }

    /**
     * A hybrid query completes the BM25 statistics of the dense list's documents from the block-max result: for
     * every document, completed frequencies, length and score equal exhaustive scoring's (those block-max skipped
     * are looked up in the blocks the search read, or read now).
     */
    @Test
    void completingASkippedDocumentGivesItsExhaustiveStatistics() {
        Random r = new Random(11);
        ShardIndex.Storage storage = ShardIndex.Storage.onHeap();
        Bm25 bm25 = new Bm25(1.2, 0.75, true);
        ShardIndex index = new ShardIndex(storage, bm25, null, null, new Fusion("rrf", 60, 0.5));
        ShardCounters c = new ShardCounters();
        for (int i = 0; i < 3000; i++) {
            index.apply(0, doc("d" + i, r), c);
        }
        PostingStore postings = new PostingStore(storage.terms(), storage.postingBlocks(), storage.postingBlockBounds());
        postings.scope(0);
        Bm25Searcher searcher = new Bm25Searcher(postings, bm25);
        int completedSkipped = 0;
        for (int i = 0; i < 60; i++) {
            ShardQuery q = query(r, 10);
            Bm25Searcher.Result blockMax = searcher.search(q.terms, q.queryFreqs, 10, c, new long[q.terms.length], 2);
            Bm25Matches exhaustive = searcher.searchExhaustive(q.terms, q.queryFreqs, c, new long[q.terms.length])
                    .matches();
            for (long ordinal = 0; ordinal < 3000; ordinal++) {
                boolean skipped = blockMax.matches().find(ordinal) < 0;
                blockMax.complete(ordinal);
                int got = blockMax.matches().find(ordinal);
                int want = exhaustive.find(ordinal);
                assertThat(got >= 0).as("ordinal %d matched", ordinal).isEqualTo(want >= 0);
                if (want >= 0) {
                    completedSkipped += skipped ? 1 : 0;
                    assertThat(Float.floatToIntBits(blockMax.matches().score(got)))
                            .isEqualTo(Float.floatToIntBits(exhaustive.score(want)));
                    assertThat(blockMax.matches().termFreqs(got)).isEqualTo(exhaustive.termFreqs(want));
                    assertThat(blockMax.matches().length(got)).isEqualTo(exhaustive.length(want));
                }
            }
        }
        assertThat(completedSkipped).as("matching documents block-max skipped, then completed").isGreaterThan(1000);
    }

    @Test
    void theBlockCacheServesRepeatedQueriesAndSeesTheShardsWrites() {
        Random r = new Random(3);
        ShardIndex index = new ShardIndex(ShardIndex.Storage.onHeap(), new Bm25(0.9, 0.4, true), null, null,
                new Fusion("rrf", 60, 0.5));
        ShardCounters c = new ShardCounters();
        for (int i = 0; i < 1000; i++) {
            index.apply(0, doc("d" + i, r), c);
        }
        ShardQuery q = query(new Random(5), 10);
        q.terms = new String[] {"w0", "w1"};
        q.queryFreqs = new int[] {1, 1};
        ShardHits first = new ShardHits();
        index.searchBm25BlockMax(0, q, c, first);
        long[] before = index.postingCacheCounts();
        ShardHits again = new ShardHits();
        index.searchBm25BlockMax(0, q, c, again);
        long[] after = index.postingCacheCounts();
        assertThat(after[1]).as("misses of a repeated query").isEqualTo(before[1]);
        assertThat(after[0]).as("hits of a repeated query").isGreaterThan(before[0]);
        assertThat(rendered(again)).isEqualTo(rendered(first));
        // a write to the cached blocks: the new best document must be found, the deleted one gone
        String best = first.candidates[0].docId;
        IndexRequest del = new IndexRequest();
        del.docId = best;
        del.op = DocumentOp.DELETE;
        index.apply(0, del, c);
        IndexRequest strong = doc("strong", r);
        strong.terms = new String[] {"w0", "w1"};
        strong.freqs = new int[] {50, 50};
        strong.length = 100;
        index.apply(0, strong, c);
        ShardHits afterWrites = new ShardHits();
        index.searchBm25BlockMax(0, q, c, afterWrites);
        ShardHits exhaustive = new ShardHits();
        index.searchBm25Exhaustively(0, q, c, exhaustive);
        assertThat(afterWrites.candidates[0].docId).isEqualTo("strong");
        assertThat(java.util.Arrays.stream(afterWrites.candidates).map(x -> x.docId)).doesNotContain(best);
        assertThat(rendered(afterWrites)).isEqualTo(rendered(exhaustive));
    }
}
