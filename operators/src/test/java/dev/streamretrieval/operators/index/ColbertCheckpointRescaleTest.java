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
import org.junit.jupiter.api.Test;

/**
 * The colbert mode in the Flink operator on RocksDB, with the residual2 codec: through upserts, deletes, a checkpoint
 * and restore, and a rescale 1 → 2 → 1, the restored operators answer every colbert query of every shard exactly as
 * an operator that was never restored and received the same writes (same documents, same MaxSim scores): the
 * codebooks, pending documents and centroid lists travel with the checkpoints. Each shard trains its codebook on
 * its first 120 tokens, some before the first checkpoint and some after it.
 */
class ColbertCheckpointRescaleTest {
    private static final int SHARDS = 4;
    private static final int DIM = 16;
    private static final int TRAIN_TOKENS = 120;

    private static ShardOperators start() throws Exception {
        return ShardOperators.start(() -> new IndexAndSearchShards(new Bm25(0.9, 0.4, true), null, TokenCodec.RESIDUAL2,
                new Fusion("rrf", 60, 0.5), DenseIndexOptions.exact(), TRAIN_TOKENS));
    }

    /** Every query on every shard: shard/query → "id maxsim" of each candidate. */
    private static Map<String, List<String>> answers(ShardOperators job, List<float[][]> queries) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            for (int q = 0; q < queries.size(); q++) {
                List<String> cands = new ArrayList<>();
                for (Candidate c : job.ask(query(shard, queries.get(q), q)).candidates) {
                    cands.add(c.docId + " " + c.maxSimScore);
                }
                out.put(shard + "/" + q, cands);
            }
        }
        return out;
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

        ShardOperators reference = start();
        ShardOperators job = start();
        reference.write(first);
        job.write(first);
        job = job.restore(1, 2);
        assertThat(answers(job, queries)).isEqualTo(answers(reference, queries));
        reference.write(second);
        job.write(second);
        job = job.restore(2, 1);
        assertThat(answers(job, queries)).isEqualTo(answers(reference, queries));
        reference.write(third);
        job.write(third);
        Map<String, List<String>> answers = answers(job, queries);
        assertThat(answers).isEqualTo(answers(reference, queries));
        assertThat(answers.get("0/0")).hasSize(5);
        job.close();
        reference.close();
    }
}
