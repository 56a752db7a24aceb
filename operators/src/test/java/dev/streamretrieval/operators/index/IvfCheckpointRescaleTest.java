package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * The IVF dense index in the Flink operator on RocksDB, through upserts, deletes, a checkpoint and restore, and a
 * rescale 1 → 2 → 1: after each step the restored operators answer every dense and hybrid query of every shard
 * exactly as an operator that was never restored and received the same writes (same documents, same order, same
 * dense scores, same list membership). Small lists (8 vectors) and nprobe 2 keep the index approximate, with many
 * lists and splits per shard; the test checks that the answers do differ from the exact index's, so it compares
 * IVF structure (centroids, lists, locations), not an exact scan in disguise.
 */
class IvfCheckpointRescaleTest {
    private static final int SHARDS = 8;
    private static final int DIM = 8;
    private static final String[] WORDS = {"river", "stone", "cloud", "alpha", "beta", "gamma", "delta", "sigma"};
    private static final DenseIndexOptions IVF = DenseIndexOptions.ivf(2, 8);

    private static Supplier<IndexAndSearchShards> shards(DenseIndexOptions dense) {
        return () -> new IndexAndSearchShards(new Bm25(0.9, 0.4, true), DenseCodec.FLOAT32, null,
                new Fusion("rrf", 60, 0.5), dense);
    }

    /** Every query on every shard: shard/mode/query → the candidates as "id dense-score lists". */
    private static Map<String, List<String>> answers(ShardOperators job, List<float[]> queries) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            for (int q = 0; q < queries.size(); q++) {
                for (QueryMode mode : new QueryMode[] {QueryMode.DENSE, QueryMode.HYBRID}) {
                    List<String> cands = new ArrayList<>();
                    for (Candidate c : job.ask(query(shard, mode, queries.get(q), q)).candidates) {
                        cands.add(c.docId + " " + c.denseScore + " " + c.inBm25List + c.inDenseList);
                    }
                    out.put(shard + "/" + mode + "/" + q, cands);
                }
            }
        }
        return out;
    }

    private static ShardQuery query(int shard, QueryMode mode, float[] vector, int q) {
        ShardQuery sq = new ShardQuery();
        sq.requestId = shard + "-" + mode + "-" + q;
        sq.queryId = sq.requestId;
        sq.shard = shard;
        sq.shardCount = SHARDS;
        sq.op = QueryOp.SEARCH;
        sq.mode = mode;
        sq.k = 10;
        sq.shardDepth = 10;
        sq.bm25Depth = 5;
        sq.denseDepth = 10;
        sq.terms = new String[] {WORDS[q % WORDS.length]};
        sq.queryFreqs = new int[] {1};
        sq.text = WORDS[q % WORDS.length];
        sq.denseVector = vector;
        return sq;
    }

    /** Clustered unit vectors (a few directions plus noise), as encoders produce. */
    private static float[] vector(Random r) {
        float[] v = new float[DIM];
        int centre = r.nextInt(4);
        double norm = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (i % 4 == centre ? 1f : 0f) + (float) r.nextGaussian() * 0.4f;
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIM; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    /** Upserts of new and existing ids (an update moves the vector) and deletes, across all shards. */
    private static List<IndexRequest> writes(Random r, int count, int[] version) {
        List<IndexRequest> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "d" + r.nextInt(400);
            int shard = Math.floorMod(id.hashCode(), SHARDS);
            IndexRequest req;
            if (r.nextInt(6) == 0) {
                req = IndexAndSearchShardsTest.delete(id, (long) ++version[0]);
            } else {
                req = IndexAndSearchShardsTest.upsert(id, WORDS[r.nextInt(WORDS.length)] + " "
                        + WORDS[r.nextInt(WORDS.length)] + " words", (long) ++version[0]);
                req.dense = DenseCodec.FLOAT32.encode(vector(r));
            }
            req.shard = shard;
            out.add(req);
        }
        return out;
    }

    @Test
    void answersSurviveCheckpointRestoreAndRescaleOneTwoOne() throws Exception {
        Random r = new Random(5);
        int[] version = {0};
        List<float[]> queries = new ArrayList<>();
        for (int q = 0; q < 6; q++) {
            queries.add(vector(r));
        }
        ShardOperators reference = ShardOperators.start(shards(IVF));
        ShardOperators exact = ShardOperators.start(shards(DenseIndexOptions.exact()));
        ShardOperators job = ShardOperators.start(shards(IVF));
        List<IndexRequest> first = writes(r, 900, version);
        for (ShardOperators j : List.of(reference, exact, job)) {
            j.write(first);
        }
        Map<String, List<String>> expected = answers(reference, queries);
        assertThat(answers(exact, queries)).as("the IVF index is approximate here").isNotEqualTo(expected);
        exact.close();
        assertThat(answers(job, queries)).isEqualTo(expected);

        job = job.restore(1, 1); // checkpoint and restore
        assertThat(answers(job, queries)).as("after restore").isEqualTo(expected);
        List<IndexRequest> second = writes(r, 300, version);
        reference.write(second);
        job.write(second);
        expected = answers(reference, queries);
        assertThat(answers(job, queries)).as("writes after restore").isEqualTo(expected);

        job = job.restore(2, 2); // rescale 1 -> 2
        java.util.Set<Object> owners = new java.util.HashSet<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            owners.add(job.owner(shard));
        }
        assertThat(owners).as("both subtasks own shards").hasSize(2);
        assertThat(answers(job, queries)).as("after rescale 1 -> 2").isEqualTo(expected);
        List<IndexRequest> third = writes(r, 300, version);
        reference.write(third);
        job.write(third);
        expected = answers(reference, queries);
        assertThat(answers(job, queries)).as("writes at parallelism 2").isEqualTo(expected);

        job = job.restore(3, 1); // rescale 2 -> 1
        assertThat(answers(job, queries)).as("after rescale 2 -> 1").isEqualTo(expected);
        List<IndexRequest> fourth = writes(r, 300, version);
        reference.write(fourth);
        job.write(fourth);
        assertThat(answers(job, queries)).as("writes after rescale 2 -> 1").isEqualTo(answers(reference, queries));
        job.close();
        reference.close();
    }

    @Test
    void aSavepointOfTheOtherDenseIndexKindIsRefused() throws Exception {
        Random r = new Random(8);
        List<IndexRequest> docs = writes(r, 40, new int[] {0});
        for (DenseIndexOptions[] kinds : new DenseIndexOptions[][] {{DenseIndexOptions.exact(), IVF},
                {IVF, DenseIndexOptions.exact()}}) {
            ShardOperators before = ShardOperators.start(shards(kinds[0]));
            before.write(docs);
            OperatorSubtaskState snapshot = before.snapshot(1).get(0);
            before.close();
            var after = ShardOperators.harness(shards(kinds[1]), 1, 0, snapshot);
            IndexRequest shard = docs.stream().filter(d -> d.dense != null).findFirst().orElseThrow();
            assertThatThrownBy(
                            () -> after.processElement2(query(shard.shard, QueryMode.DENSE, vector(r), 0), 0L))
                    .hasStackTraceContaining("was indexed with --dense-index " + kinds[0].kind)
                    .hasStackTraceContaining("the job runs --dense-index " + kinds[1].kind);
            after.close();
        }
    }
}
