package dev.streamretrieval.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.analysis.AnalyzerOptions;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.operators.index.Candidate;
import dev.streamretrieval.operators.index.ShardHits;
import dev.streamretrieval.operators.index.ShardQuery;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.Query;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Block-max BM25 (what the shards run) returns the same top k as scoring every posting, on every query of every
 * shared collection: same ids in the same order (score descending, ties by indexing order), bit-identical scores,
 * lengths and term frequencies; in one shard (long posting lists, where skipping pays) and in the job's default 8.
 */
class BlockMaxBm25CollectionsTest {
    private static final int[] DEPTHS = {10, 40, 200};

    private static List<String> rendered(ShardHits h) {
        List<String> out = new ArrayList<>(h.candidates.length);
        for (Candidate c : h.candidates) {
            out.add(c.docId + " " + Float.floatToIntBits(c.localScore) + " " + c.length + " "
                    + java.util.Arrays.toString(c.termFreqs));
        }
        return out;
    }

    @Test
    void sameTopKAsExhaustiveScoringOnEverySharedCollection() {
        List<String> names = SharedCollections.names();
        assertThat(names).contains("cranfield", "nfcorpus");
        TextAnalyzer analyzer = new TextAnalyzer(new AnalyzerOptions());
        Bm25 bm25 = new Bm25(0.9, 0.4, true); // the job's defaults
        long skippingSearches = 0;
        long searches = 0;
        for (String name : names) {
            BeirCollection collection = BeirCollection.load(SharedCollections.folder(name));
            assertThat(collection.allQueries()).as(name + " queries").isNotEmpty();
            for (int shardCount : new int[] {1, 8}) {
                InMemoryShards shards = new InMemoryShards(collection.documents(), analyzer, bm25, shardCount);
                for (Query query : collection.allQueries()) {
                    for (int depth : DEPTHS) {
                        ShardQuery q = shards.bm25Query(query.id, query.text, depth);
                        for (int s = 0; s < shardCount; s++) {
                            ShardHits blockMax = shards.search(s, q, InMemoryShards.Bm25Path.BLOCK_MAX);
                            ShardHits exhaustive = shards.search(s, q, InMemoryShards.Bm25Path.EXHAUSTIVE);
                            ShardHits job = shards.search(s, q, InMemoryShards.Bm25Path.JOB);
                            assertThat(rendered(job)).isEqualTo(rendered(exhaustive));
                            assertThat(rendered(blockMax))
                                    .as("%s query %s, %d shards, shard %d, depth %d", name, query.id, shardCount, s, depth)
                                    .isEqualTo(rendered(exhaustive));
                            assertThat(blockMax.docFreqs).isEqualTo(exhaustive.docFreqs);
                            searches++;
                            if (blockMax.matched < exhaustive.matched) {
                                skippingSearches++;
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("block-max BM25: %d shard searches equal to exhaustive scoring, %d of them skipped postings%n",
                searches, skippingSearches);
        assertThat(skippingSearches).as("searches where blocks were skipped").isGreaterThan(searches / 10);
    }
}
