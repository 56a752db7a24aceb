package dev.streamretrieval.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.operators.encoding.testmodels.TwoTowerModels;
import dev.streamretrieval.operators.ingest.ShardRouter;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard's residual codebook re-trains by the drift rule while a stream of colbert queries runs, through Kafka, a
 * MiniCluster and RocksDB, and no answer is lost.
 *
 * <p><b>Set-up.</b> A generated bi-encoder sends each word to its own axis ({@link TwoTowerModels}; [CLS] and [SEP]
 * share the last axis): domain A's words lie on axes 0–5, domain B's on axes 6–11, so a codebook trained on A
 * cannot code a B token (it is orthogonal to every centroid: its quantisation error is 2, where A's held-out error
 * is about 0). Every document is [CLS] + four distinct words of one domain + [SEP] = 6 tokens. Document ids are
 * chosen with the job's own {@link ShardRouter} so that each of the two shards receives exactly
 * {@code --token-train-tokens} (240) tokens of A: its last A document trains the codebook and leaves the drift
 * window empty. Then each shard receives 48 B documents: the 40th fills the window with B tokens alone, whose mean
 * error exceeds 1.5 × the held-out error, and the shard re-trains (new centroids from the window's B originals and
 * the decompressed A documents, every document re-encoded, lists rebuilt). The window's sample holds every word
 * dozens of times, so the new codebook has a centroid on every word and codes both domains exactly.
 *
 * <p><b>Stream.</b> A producer thread sends colbert queries (two words of A or of B, k = 5) every few milliseconds
 * from before the first B document until well after the index is final. The re-trains are observed in the job's
 * own {@code op: stats} answers ({@code token_codebook_retrains}, the shards' {@code tokenCodebookRetrains}
 * gauge): none before the stream, one per shard after; queries were answered before the last stats answer without
 * a re-train was asked, sent between it and the first stats answer with both, and sent after that one.
 *
 * <p><b>Checks.</b> Every query id gets exactly one answer, complete (both shards), not degraded; no dead letters.
 * The answers of queries answered before the first B document was published (the index held A only: queries and
 * documents come through different topics, so only an answer received proves what the shards held), and of
 * queries sent after a stats answer showed the final index (all documents, both re-trains; nothing arrives
 * later), equal exhaustive MaxSim computed here from the words: a query token
 * scores 1 against a document holding the same word (or [CLS]/[SEP]) and 0 otherwise, so a document scores
 * 2 + |query words ∩ document words|. Each hit's maxsim must be its document's score and the hits' scores the k
 * best; ties among equal scores may come in any order.
 */
class ColbertRetrainIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int SHARDS = 2;
    private static final int HIDDEN = 16;
    private static final int TRAIN_TOKENS = 240;
    private static final String[] DOMAIN_A = {"alpha", "beta", "gamma", "delta", "sigma", "river"};
    private static final String[] DOMAIN_B = {"apple", "orange", "banana", "lemon", "cherry", "grape"};
    private static final int WORDS_PER_DOC = 4;
    private static final int TOKENS_PER_DOC = WORDS_PER_DOC + 2;
    /** The shard's last A document brings it to exactly TRAIN_TOKENS tokens: it trains, the window is empty. */
    private static final int A_PER_SHARD = TRAIN_TOKENS / TOKENS_PER_DOC;
    /** The 40th fills the drift window with B tokens (re-train); 8 more follow it. */
    private static final int B_PER_SHARD = A_PER_SHARD + 8;
    private static final int K = 5;
    private static final int MAX_QUERIES = 2000;
    /** Queries sent after the stats show the final index, each checked against exhaustive MaxSim. */
    private static final int QUERIES_AFTER_FINAL = 60;
    private static final int QUERIES_BEFORE_DRIFT = 30;
    private static final long QUERY_INTERVAL_MS = 10;

    /** One stats answer: when it was asked and received, and the re-trains and documents it reported. */
    private record Observation(long askedAt, long receivedAt, long retrains, long documents) {}

    @Test
    void driftRetrainsTheCodebookDuringAQueryStreamWithoutLosingAnswers(@TempDir Path tmp) throws Exception {
        Map<String, Integer> axes = new HashMap<>();
        for (int i = 0; i < DOMAIN_A.length; i++) {
            axes.put(DOMAIN_A[i], i);
            axes.put(DOMAIN_B[i], DOMAIN_A.length + i);
        }
        long start = System.nanoTime();
        Path model = TwoTowerModels.write(tmp.resolve("model"), HIDDEN, axes);
        Map<String, Set<String>> corpus = new LinkedHashMap<>();
        List<Document> docsA = documents("a", DOMAIN_A, A_PER_SHARD, 1, corpus);
        List<Document> docsB = documents("b", DOMAIN_B, B_PER_SHARD, 2, corpus);
        int total = docsA.size() + docsB.size();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions o = JobOptions.parse("--bootstrap-servers", kafka.bootstrapServers(), "--shards",
                    String.valueOf(SHARDS), "--parallelism", "1", "--checkpoint-interval-ms", "1000",
                    "--queries-start", "earliest", "--work-dir", tmp.resolve("work").toString(),
                    "--dense-model", model.toString(), "--dense-index", "exact", "--onnx-threads", "1",
                    "--token-codec", "residual2", "--token-train-tokens", String.valueOf(TRAIN_TOKENS),
                    // generous: a lost shard answer shows as a partial result, not a slow machine
                    "--gather-timeout-ms", "30000");
            List<SearchResult> unexpected = new CopyOnWriteArrayList<>();
            List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
            try (LocalPipeline pipeline = LocalPipeline.start(o);
                    PipelineClient client = new PipelineClient(o, unexpected::add);
                    ResultStream<DeadLetter> dead = new ResultStream<>(o.kafkaClientProperties(), o.deadLetterTopic,
                            DeadLetter.class, false, true, deadLetters::add)) {
                long started = System.nanoTime();
                // 1. domain A until each shard has trained its codebook
                docsA.forEach(client::publish);
                client.flush();
                IndexStats trained = client.awaitDocuments(docsA.size(), WAIT, null);
                assertThat(trained.documentsPerShard).containsOnly(Map.entry(0, (long) A_PER_SHARD),
                        Map.entry(1, (long) A_PER_SHARD));
                assertThat(trained.tokens).as("6 token vectors per document").isEqualTo((long) TOKENS_PER_DOC
                        * docsA.size());
                // residual2 at 16 dimensions: 2 + 4 bytes a token (float16 would be 32): both shards compressed
                assertThat(trained.tokenBytes).isLessThan(trained.tokens * 16);
                assertThat(trained.tokenCodebookRetrains).isZero();

                long phase1 = System.nanoTime();
                // 2. the query stream, then domain B while it runs
                QueryStream stream = new QueryStream(client);
                stream.start();
                awaitAnswered(stream, QUERIES_BEFORE_DRIFT);
                List<Observation> seen = new ArrayList<>();
                seen.add(observe(client));
                long firstDriftDoc = System.nanoTime();
                for (int i = 0; i < docsB.size(); i++) {
                    client.publish(docsB.get(i));
                    if (i % 8 == 7) {
                        client.flush();
                        seen.add(observe(client));
                    }
                }
                client.flush();
                long deadline = System.nanoTime() + WAIT.toNanos();
                Observation last = seen.get(seen.size() - 1);
                while ((last.documents() < total || last.retrains() < SHARDS) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    last = observe(client);
                    seen.add(last);
                }
                assertThat(last.documents()).as("documents indexed").isEqualTo(total);
                assertThat(last.retrains()).as("one re-train per shard, when its window of B tokens filled")
                        .isEqualTo(SHARDS);
                long finalAt = last.receivedAt();
                stream.finalIndexAt = finalAt;
                stream.join(WAIT.toMillis());
                assertThat(stream.isAlive()).as("query stream still running").isFalse();
                assertThat(stream.failure.get()).isNull();

                // the re-trains happened while the stream ran: queries before, between and after the two
                // stats answers that bracket them (the last with none, the first with all)
                Observation before = seen.stream().filter(s -> s.retrains() == 0).reduce((a, b) -> b).orElseThrow();
                Observation after = seen.stream().filter(s -> s.retrains() == SHARDS).findFirst().orElseThrow();
                assertThat(stream.answeredBefore(before.askedAt())).as("queries answered before the re-trains")
                        .isGreaterThanOrEqualTo(QUERIES_BEFORE_DRIFT);
                assertThat(stream.sentBetween(before.askedAt(), after.receivedAt()))
                        .as("queries sent while the shards re-trained").isPositive();
                assertThat(stream.sentAfter(after.receivedAt())).as("queries sent after the re-trains")
                        .isGreaterThanOrEqualTo(QUERIES_AFTER_FINAL);

                // 3. every query answered exactly once, completely; exact answers on the A-only and the final index
                long answerDeadline = System.nanoTime() + WAIT.toNanos();
                Map<String, SearchResult> answers = new LinkedHashMap<>();
                for (Map.Entry<String, CompletableFuture<SearchResult>> e : stream.futures.entrySet()) {
                    long left = Math.max(1, answerDeadline - System.nanoTime());
                    try {
                        answers.put(e.getKey(), e.getValue().get(left, TimeUnit.NANOSECONDS));
                    } catch (TimeoutException te) {
                        throw new AssertionError("no answer to query " + e.getKey() + " of " + stream.futures.size());
                    }
                }
                Thread.sleep(1000); // a duplicate answer or a dead letter would arrive by now
                assertThat(answers).hasSize(stream.futures.size());
                // (a stats answer may come after its 10 s wait ran out while the job started: not a duplicate)
                assertThat(unexpected).as("second answers to the stream's queries")
                        .extracting(r -> r.queryId).noneMatch(stream.futures::containsKey);
                assertThat(deadLetters).isEmpty();
                int checkedBefore = 0;
                int checkedAfter = 0;
                for (Map.Entry<String, SearchResult> e : answers.entrySet()) {
                    SearchResult r = e.getValue();
                    assertThat(r.queryId).isEqualTo(e.getKey());
                    assertThat(r.mode).isEqualTo("colbert");
                    assertThat(r.degraded).as("%s degraded", r.queryId).isEmpty();
                    assertThat(r.partial).as("%s partial (a shard's answer lost)", r.queryId).isFalse();
                    assertThat(r.shardsAnswered).as("%s shards answered", r.queryId).isEqualTo(SHARDS);
                    String text = stream.texts.get(r.queryId);
                    // answered before domain B was published: the shards held domain A only; sent after the
                    // stats showed the final index: the shards held all of it (nothing arrived later)
                    if (stream.answeredAt.get(r.queryId) < firstDriftDoc) {
                        assertExact(r, text, corpus, docsA.size());
                        checkedBefore++;
                    } else if (stream.sentAt.get(r.queryId) > finalAt) {
                        assertExact(r, text, corpus, total);
                        checkedAfter++;
                    }
                }
                assertThat(checkedBefore).isGreaterThanOrEqualTo(QUERIES_BEFORE_DRIFT);
                assertThat(checkedAfter).isGreaterThanOrEqualTo(QUERIES_AFTER_FINAL);
                System.out.printf("colbert re-train IT: %d queries, %d checked exact before the drift and %d after "
                        + "the re-trains; %d stats observations; broker and job start %.1f s, domain A %.1f s, "
                        + "stream %.1f s, drift to final index %.1f s%n", answers.size(), checkedBefore, checkedAfter,
                        seen.size(), (started - start) / 1e9, (phase1 - started) / 1e9, (finalAt - phase1) / 1e9,
                        (finalAt - firstDriftDoc) / 1e9);
            }
        }
    }

    /**
     * Documents of one domain, ids {@code prefix + n} taken in order while their shard (by the job's router) still
     * needs documents, {@code perShard} for each shard; each holds four distinct words of the domain.
     */
    private static List<Document> documents(String prefix, String[] words, int perShard, long seed,
            Map<String, Set<String>> corpus) {
        ShardRouter router = new ShardRouter(SHARDS);
        int[] count = new int[SHARDS];
        Random random = new Random(seed);
        List<Document> out = new ArrayList<>();
        for (int n = 0; out.size() < perShard * SHARDS; n++) {
            String id = prefix + n;
            int shard = router.shardOf(id);
            if (count[shard] == perShard) {
                continue;
            }
            count[shard]++;
            List<String> shuffled = new ArrayList<>(Arrays.asList(words));
            java.util.Collections.shuffle(shuffled, random);
            Set<String> chosen = new LinkedHashSet<>(shuffled.subList(0, WORDS_PER_DOC));
            corpus.put(id, chosen);
            out.add(Document.upsert(id, null, String.join(" ", chosen), 1L));
        }
        return out;
    }

    private static Observation observe(PipelineClient client) throws Exception {
        long asked = System.nanoTime();
        IndexStats s = client.stats(WAIT);
        return new Observation(asked, System.nanoTime(), s.tokenCodebookRetrains, s.documents);
    }

    private static void awaitAnswered(QueryStream stream, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (stream.answeredAt.size() < n && stream.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(stream.answeredAt.size()).as("queries answered").isGreaterThanOrEqualTo(n);
    }

    /**
     * The answer equals exhaustive MaxSim over the first {@code documents} documents of the corpus (those indexed
     * when the query was sent): each hit scores its document's exact MaxSim, and the hits' scores are the k best.
     */
    private static void assertExact(SearchResult r, String text, Map<String, Set<String>> corpus, int documents) {
        Set<String> query = Set.of(text.split(" "));
        Map<String, Double> exact = new HashMap<>();
        corpus.entrySet().stream().limit(documents).forEach(e -> exact.put(e.getKey(),
                2.0 + e.getValue().stream().filter(query::contains).count()));
        List<Double> best = exact.values().stream().sorted(Comparator.reverseOrder()).limit(K).toList();
        assertThat(r.hits).as("%s (%s)", r.queryId, text).hasSize(K);
        for (Hit h : r.hits) {
            assertThat(exact).as("%s: hit %s is a document indexed then", r.queryId, h.docId).containsKey(h.docId);
            assertThat(h.scores.get("maxsim")).as("%s (%s): maxsim of %s %s", r.queryId, text, h.docId,
                    corpus.get(h.docId)).isCloseTo(exact.get(h.docId), org.assertj.core.data.Offset.offset(1e-3));
        }
        assertThat(r.hits).extracting(h -> h.scores.get("maxsim")).as("%s (%s): the k best scores", r.queryId, text)
                .usingElementComparator((a, b) -> Math.abs(a - b) < 1e-3 ? 0 : Double.compare(a, b))
                .containsExactlyElementsOf(best);
    }

    /**
     * Sends colbert queries (two words of domain A or B, alternately) every {@value #QUERY_INTERVAL_MS} ms until
     * {@value #QUERIES_AFTER_FINAL} have been sent after {@link #finalIndexAt} is set, or {@value #MAX_QUERIES} in
     * all, or the time limit.
     */
    private static final class QueryStream extends Thread {
        final Map<String, CompletableFuture<SearchResult>> futures = new ConcurrentHashMap<>();
        /** System.nanoTime() just before each query was sent, and when its answer arrived. */
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
        final Map<String, String> texts = new ConcurrentHashMap<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile long finalIndexAt = Long.MAX_VALUE;
        private final PipelineClient client;

        QueryStream(PipelineClient client) {
            super("colbert-query-stream");
            this.client = client;
            setDaemon(true);
        }

        @Override
        public void run() {
            Random random = new Random(3);
            long deadline = System.nanoTime() + WAIT.toNanos();
            int afterFinal = 0;
            try {
                for (int i = 0; i < MAX_QUERIES && afterFinal < QUERIES_AFTER_FINAL && System.nanoTime() < deadline;
                        i++) {
                    String[] words = i % 2 == 0 ? DOMAIN_A : DOMAIN_B;
                    int a = random.nextInt(words.length);
                    int b = (a + 1 + random.nextInt(words.length - 1)) % words.length;
                    String id = "rq" + i;
                    String text = words[a] + " " + words[b];
                    texts.put(id, text);
                    long now = System.nanoTime();
                    sentAt.put(id, now);
                    CompletableFuture<SearchResult> f = client.ask(new Query(id, text, K, QueryMode.COLBERT,
                            QueryOp.SEARCH));
                    futures.put(id, f);
                    f.thenRun(() -> answeredAt.put(id, System.nanoTime()));
                    if (now > finalIndexAt) {
                        afterFinal++;
                    }
                    Thread.sleep(QUERY_INTERVAL_MS);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        long answeredBefore(long t) {
            return answeredAt.values().stream().filter(s -> s < t).count();
        }

        long sentBetween(long from, long to) {
            return sentAt.values().stream().filter(s -> s >= from && s <= to).count();
        }

        long sentAfter(long t) {
            return sentAt.values().stream().filter(s -> s > t).count();
        }
    }
}
