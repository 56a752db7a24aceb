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
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
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
    private static final int MAX_PARALLELISM = 128;
    private static final int SHARDS = 8;
    private static final int DIM = 8;
    private static final String[] WORDS = {"river", "stone", "cloud", "alpha", "beta", "gamma", "delta", "sigma"};
    private static final DenseIndexOptions IVF = DenseIndexOptions.ivf(2, 8);

    private static KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> harness(
            DenseIndexOptions dense, int parallelism, int subtask, OperatorSubtaskState restore) throws Exception {
        var op = new KeyedCoProcessOperator<>(new IndexAndSearchShards(new Bm25(0.9, 0.4, true), DenseCodec.FLOAT32,
                null, new Fusion("rrf", 60, 0.5), dense));
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(op, (IndexRequest r) -> r.shard,
                (ShardQuery q) -> q.shard, Types.INT, MAX_PARALLELISM, parallelism, subtask);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** Operators of one parallelism, and which one owns a shard (by Flink's key-group assignment). */
    private record Job(List<KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits>> subtasks) {
        KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> owner(int shard) {
            return subtasks.get(KeyGroupRangeAssignment.assignKeyToParallelOperator(shard, MAX_PARALLELISM,
                    subtasks.size()));
        }

        void write(List<IndexRequest> writes) throws Exception {
            for (IndexRequest r : writes) {
                owner(r.shard).processElement1(r, 0L);
            }
        }

        /** Every query on every shard: shard/mode/query → the candidates as "id dense-score lists". */
        Map<String, List<String>> answers(List<float[]> queries) throws Exception {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (int shard = 0; shard < SHARDS; shard++) {
                for (int q = 0; q < queries.size(); q++) {
                    for (QueryMode mode : new QueryMode[] {QueryMode.DENSE, QueryMode.HYBRID}) {
                        var h = owner(shard);
                        int before = h.extractOutputValues().size();
                        h.processElement2(query(shard, mode, queries.get(q), q), 0L);
                        List<ShardHits> hits = h.extractOutputValues();
                        assertThat(hits).hasSize(before + 1);
                        List<String> cands = new ArrayList<>();
                        for (Candidate c : hits.get(hits.size() - 1).candidates) {
                            cands.add(c.docId + " " + c.denseScore + " " + c.inBm25List + c.inDenseList);
                        }
                        out.put(shard + "/" + mode + "/" + q, cands);
                    }
                }
            }
            return out;
        }

        List<OperatorSubtaskState> snapshot(long checkpoint) throws Exception {
            List<OperatorSubtaskState> out = new ArrayList<>();
            for (var h : subtasks) {
                out.add(h.snapshot(checkpoint, checkpoint));
            }
            return out;
        }

        void close() throws Exception {
            for (var h : subtasks) {
                h.close();
            }
        }
    }

    private static Job start(DenseIndexOptions dense) throws Exception {
        return new Job(List.of(harness(dense, 1, 0, null)));
    }

    /** The state of {@code from} (any parallelism) redistributed over {@code parallelism} new operators. */
    private static Job restore(Job from, long checkpoint, int parallelism) throws Exception {
        OperatorSubtaskState all = AbstractStreamOperatorTestHarness.repackageState(
                from.snapshot(checkpoint).toArray(new OperatorSubtaskState[0]));
        from.close();
        List<KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits>> subtasks =
                new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            subtasks.add(harness(IVF, parallelism, i, AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    all, MAX_PARALLELISM, from.subtasks().size(), parallelism, i)));
        }
        return new Job(subtasks);
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
        Job reference = start(IVF);
        Job exact = start(DenseIndexOptions.exact());
        Job job = start(IVF);
        List<IndexRequest> first = writes(r, 900, version);
        for (Job j : List.of(reference, exact, job)) {
            j.write(first);
        }
        Map<String, List<String>> expected = reference.answers(queries);
        assertThat(exact.answers(queries)).as("the IVF index is approximate here").isNotEqualTo(expected);
        exact.close();
        assertThat(job.answers(queries)).isEqualTo(expected);

        job = restore(job, 1, 1); // checkpoint and restore
        assertThat(job.answers(queries)).as("after restore").isEqualTo(expected);
        List<IndexRequest> second = writes(r, 300, version);
        reference.write(second);
        job.write(second);
        expected = reference.answers(queries);
        assertThat(job.answers(queries)).as("writes after restore").isEqualTo(expected);

        job = restore(job, 2, 2); // rescale 1 -> 2
        java.util.Set<Object> owners = new java.util.HashSet<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            owners.add(job.owner(shard));
        }
        assertThat(owners).as("both subtasks own shards").hasSize(2);
        assertThat(job.answers(queries)).as("after rescale 1 -> 2").isEqualTo(expected);
        List<IndexRequest> third = writes(r, 300, version);
        reference.write(third);
        job.write(third);
        expected = reference.answers(queries);
        assertThat(job.answers(queries)).as("writes at parallelism 2").isEqualTo(expected);

        job = restore(job, 3, 1); // rescale 2 -> 1
        assertThat(job.answers(queries)).as("after rescale 2 -> 1").isEqualTo(expected);
        List<IndexRequest> fourth = writes(r, 300, version);
        reference.write(fourth);
        job.write(fourth);
        assertThat(job.answers(queries)).as("writes after rescale 2 -> 1").isEqualTo(reference.answers(queries));
        job.close();
        reference.close();
    }

    @Test
    void aSavepointOfTheOtherDenseIndexKindIsRefused() throws Exception {
        Random r = new Random(8);
        List<IndexRequest> docs = writes(r, 40, new int[] {0});
        for (DenseIndexOptions[] kinds : new DenseIndexOptions[][] {{DenseIndexOptions.exact(), IVF},
                {IVF, DenseIndexOptions.exact()}}) {
            Job before = start(kinds[0]);
            before.write(docs);
            OperatorSubtaskState snapshot = before.snapshot(1).get(0);
            before.close();
            var after = harness(kinds[1], 1, 0, snapshot);
            IndexRequest shard = docs.stream().filter(d -> d.dense != null).findFirst().orElseThrow();
            assertThatThrownBy(
                            () -> after.processElement2(query(shard.shard, QueryMode.DENSE, vector(r), 0), 0L))
                    .hasStackTraceContaining("was indexed with --dense-index " + kinds[0].kind)
                    .hasStackTraceContaining("the job runs --dense-index " + kinds[1].kind);
            after.close();
        }
    }
}
