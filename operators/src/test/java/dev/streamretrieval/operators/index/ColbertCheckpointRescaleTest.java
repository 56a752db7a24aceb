package dev.streamretrieval.operators.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.operators.scoring.Fusion;
import dev.streamretrieval.operators.vectors.MaxSimWorkload;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.DocumentOp;
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
 * The colbert mode in the Flink operator on RocksDB, with the residual2 codec: through upserts, deletes, a checkpoint
 * and restore, and a rescale 1 → 2 → 1, the restored operators answer every colbert query of every shard exactly as
 * an operator that was never restored and received the same writes (same documents, same MaxSim scores): the
 * codebooks, pending documents and centroid lists travel with the checkpoints. Each shard trains its codebook on
 * its first 120 tokens, some before the first checkpoint and some after it.
 */
class ColbertCheckpointRescaleTest {
    private static final int MAX_PARALLELISM = 128;
    private static final int SHARDS = 4;
    private static final int DIM = 16;
    private static final int TRAIN_TOKENS = 120;

    private static KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits> harness(
            int parallelism, int subtask, OperatorSubtaskState restore) throws Exception {
        var op = new KeyedCoProcessOperator<>(new IndexAndSearchShards(new Bm25(0.9, 0.4, true), null,
                TokenCodec.RESIDUAL2, new Fusion("rrf", 60, 0.5), DenseIndexOptions.exact(), TRAIN_TOKENS));
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(op, (IndexRequest r) -> r.shard,
                (ShardQuery q) -> q.shard, Types.INT, MAX_PARALLELISM, parallelism, subtask);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

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

        /** Every query on every shard: shard/query → "id maxsim" of each candidate. */
        Map<String, List<String>> answers(List<float[][]> queries) throws Exception {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (int shard = 0; shard < SHARDS; shard++) {
                for (int q = 0; q < queries.size(); q++) {
                    var h = owner(shard);
                    int before = h.extractOutputValues().size();
                    h.processElement2(query(shard, queries.get(q), q), 0L);
                    List<ShardHits> hits = h.extractOutputValues();
                    assertThat(hits).hasSize(before + 1);
                    List<String> cands = new ArrayList<>();
                    for (Candidate c : hits.get(hits.size() - 1).candidates) {
                        cands.add(c.docId + " " + c.maxSimScore);
                    }
                    out.put(shard + "/" + q, cands);
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

    private static Job restore(Job from, long checkpoint, int parallelism) throws Exception {
        OperatorSubtaskState all = AbstractStreamOperatorTestHarness.repackageState(
                from.snapshot(checkpoint).toArray(new OperatorSubtaskState[0]));
        from.close();
        List<KeyedTwoInputStreamOperatorTestHarness<Integer, IndexRequest, ShardQuery, ShardHits>> subtasks =
                new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            subtasks.add(harness(parallelism, i, AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    all, MAX_PARALLELISM, from.subtasks().size(), parallelism, i)));
        }
        return new Job(subtasks);
    }

    private static ShardQuery query(int shard, float[][] tokens, int q) {
        ShardQuery sq = new ShardQuery();
        sq.requestId = shard + "-" + q;
        sq.queryId = sq.requestId;
        sq.shard = shard;
        sq.shardCount = SHARDS;
        sq.op = QueryOp.SEARCH;
        sq.mode = QueryMode.COLBERT;
        sq.k = 5;
        sq.shardDepth = 5;
        sq.text = "q";
        sq.tokenVectors = tokens;
        sq.colbertNprobe = 2;
        sq.colbertCandidates = 6;
        return sq;
    }

    private static List<IndexRequest> writes(Random r, int from, int to, int deletes) {
        List<IndexRequest> out = new ArrayList<>();
        for (int d = from; d < to; d++) {
            IndexRequest req = IndexAndSearchShardsTest.upsert("d" + d, "text " + d, null);
            req.shard = d % SHARDS;
            req.tokens = TokenCodec.FLOAT16.encode(MaxSimWorkload.randomUnitVectors(r, 8 + r.nextInt(8), DIM));
            out.add(req);
        }
        for (int i = 0; i < deletes; i++) {
            int d = r.nextInt(to);
            IndexRequest del = IndexAndSearchShardsTest.upsert("d" + d, "", null);
            del.op = DocumentOp.DELETE;
            del.shard = d % SHARDS;
            out.add(del);
        }
        return out;
    }

    @Test
    void answersSurviveCheckpointRestoreAndRescaleOneTwoOne() throws Exception {
        Random r = new Random(11);
        List<float[][]> queries = new ArrayList<>();
        for (int q = 0; q < 4; q++) {
            queries.add(MaxSimWorkload.randomUnitVectors(r, 4, DIM));
        }
        List<IndexRequest> first = writes(r, 0, 40, 4); // ~115 tokens per shard: some shards train, some not yet
        List<IndexRequest> second = writes(r, 40, 120, 10);
        List<IndexRequest> third = writes(r, 120, 160, 8);

        Job reference = new Job(List.of(harness(1, 0, null)));
        Job job = new Job(List.of(harness(1, 0, null)));
        reference.write(first);
        job.write(first);
        job = restore(job, 1, 2);
        assertThat(job.answers(queries)).isEqualTo(reference.answers(queries));
        reference.write(second);
        job.write(second);
        job = restore(job, 2, 1);
        assertThat(job.answers(queries)).isEqualTo(reference.answers(queries));
        reference.write(third);
        job.write(third);
        Map<String, List<String>> answers = job.answers(queries);
        assertThat(answers).isEqualTo(reference.answers(queries));
        assertThat(answers.get("0/0")).hasSize(5);
        job.close();
        reference.close();
    }
}
