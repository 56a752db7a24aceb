package dev.streamretrieval.jobs.cli.workbench;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.client.ResultStream;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the workbench page asks for, answered through the topics like every other client: searches go to the
 * queries topic (one query per mode, sent together), the index statistics come from {@code stats} queries asked
 * once a second, dead letters are read from the dead-letter topic from its beginning. With a BEIR collection, a
 * query that is one of the collection's (picked, or typed with the same text) gets its judgments.
 */
public final class Workbench implements AutoCloseable {
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(10);
    private static final int SNIPPET_CHARS = 200;

    /** The collection's judged queries as the page lists them. */
    public record CollectionQuery(String id, String text) {}

    /** What the page needs to draw itself. */
    public record Info(String collection, List<String> modes, String left, String right, int k, boolean judged,
            List<CollectionQuery> queries) {}

    /**
     * Live statistics. {@code documents}: live documents in the index (null until the job first answered);
     * {@code ingestPerSecond}: applied upserts and deletes per second over the last 10 s; {@code deadLetters}:
     * records on the dead-letter topic, {@code documentsRefused} of them documents the job did not index;
     * {@code statsAgeMillis}: how old the index figures are.
     */
    public record Stats(Long documents, double ingestPerSecond, long upsertsApplied, long deletesApplied,
            long deadLetters, long documentsRefused, Map<String, Long> deadLettersByTopic, String lastDeadLetter,
            Long statsAgeMillis) {}

    private final PipelineClient client;
    private final JobOptions options;
    private final List<QueryMode> modes;
    private final QueryMode defaultRight;
    private final BeirCollection collection;
    private final String collectionName;
    private final Map<String, String> queryIdByText = new HashMap<>();
    private final Map<String, String> snippets = new HashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final IngestRate ingest = new IngestRate(TimeUnit.SECONDS.toNanos(10));
    private final ScheduledExecutorService sampler;
    private final ResultStream<DeadLetter> deadLetterStream;
    private final Map<String, Long> deadLettersByTopic = new TreeMap<>();
    private long deadLetters;
    private long documentsRefused;
    private String lastDeadLetter;
    private volatile IndexStats latest;
    private volatile long latestAt;

    /**
     * @param modes the modes the job answers, in the order the page offers them
     * @param defaultRight the mode the right column starts with (the left starts with bm25)
     * @param collection the loaded BEIR collection, or null (a JSONL file, or nothing loaded): no judgments then
     * @param collectionName what the page calls the collection
     */
    public Workbench(PipelineClient client, JobOptions options, Set<QueryMode> modes, QueryMode defaultRight,
            BeirCollection collection, String collectionName) {
        this.client = client;
        this.options = options;
        this.modes = modes.stream().sorted().toList();
        this.defaultRight = defaultRight;
        this.collection = collection;
        this.collectionName = collectionName;
        if (collection != null) {
            for (Query q : collection.queries()) {
                queryIdByText.putIfAbsent(normalise(q.text), q.id);
            }
            for (Document d : collection.documents()) {
                if (d.text != null && !d.text.isBlank()) {
                    snippets.putIfAbsent(d.id, abbreviate(d.text.strip().replaceAll("\\s+", " "), SNIPPET_CHARS));
                }
            }
        }
        deadLetterStream = new ResultStream<>(options.kafkaClientProperties(), options.deadLetterTopic,
                DeadLetter.class, options.exactlyOnce(), true, this::countDeadLetter);
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "workbench-stats");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    public Info info() {
        List<CollectionQuery> queries = new ArrayList<>();
        if (collection != null) {
            collection.queries().forEach(q -> queries.add(new CollectionQuery(q.id, q.text)));
        }
        return new Info(collectionName, modes.stream().map(QueryMode::wireName).toList(), QueryMode.BM25.wireName(),
                defaultRight.wireName(), 10, !queries.isEmpty(), queries);
    }

    /**
     * Asks both modes at once and puts the answers side by side. {@code queryId} names one of the collection's
     * queries (null: found by the text when it is one of them).
     */
    public SideBySide.Comparison search(String text, String queryId, QueryMode left, QueryMode right, int k)
            throws InterruptedException {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the query text is empty");
        }
        for (QueryMode m : List.of(left, right)) {
            if (!modes.contains(m)) {
                throw new IllegalArgumentException("mode " + m.wireName() + " is not served by this job (it answers "
                        + modes.stream().map(QueryMode::wireName).toList() + ")");
            }
        }
        if (k < 1 || k > 1000) {
            throw new IllegalArgumentException("k must be between 1 and 1000");
        }
        String judgedId = judgedId(text, queryId);
        Map<String, Integer> grades = judgedId == null ? null : collection.qrels().judgments(judgedId);
        long n = sequence.incrementAndGet();
        String base = "workbench-" + ProcessHandle.current().pid() + "-" + n;
        Pending l = new Pending(new Query(base + "-left", text.strip(), k, left, QueryOp.SEARCH));
        Pending r = new Pending(new Query(base + "-right", text.strip(), k, right, QueryOp.SEARCH));
        l.await();
        r.await();
        return SideBySide.compare(text.strip(), judgedId, grades, snippets::get, left, l.result, l.millis, l.error, right, r.result,
                r.millis, r.error);
    }

    /** The collection's id for this query when it has judgments: the id given, else the query with this text. */
    private String judgedId(String text, String queryId) {
        if (collection == null) {
            return null;
        }
        String id = queryId != null && !queryId.isBlank() ? queryId : queryIdByText.get(normalise(text));
        return id != null && !collection.qrels().judgments(id).isEmpty() ? id : null;
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String normalise(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** One query in flight: its result, or why there is none, and how long the answer took. */
    private final class Pending {
        final CompletableFuture<SearchResult> future;
        final long sent = System.nanoTime();
        volatile long answered;
        SearchResult result;
        Double millis;
        String error;

        Pending(Query q) {
            future = client.ask(q).whenComplete((res, e) -> answered = System.nanoTime());
        }

        void await() throws InterruptedException {
            try {
                result = future.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                millis = (answered - sent) / 1e6;
            } catch (TimeoutException e) {
                error = "no answer within " + ANSWER_TIMEOUT.toSeconds() + " s";
            } catch (ExecutionException e) {
                error = String.valueOf(e.getCause());
            }
        }
    }

    public Stats stats() {
        IndexStats s = latest;
        synchronized (deadLettersByTopic) {
            return new Stats(s == null ? null : s.documents, ingest.perSecond(), s == null ? 0 : s.upsertsApplied,
                    s == null ? 0 : s.deletesApplied, deadLetters, documentsRefused, new TreeMap<>(deadLettersByTopic),
                    lastDeadLetter, s == null ? null : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - latestAt));
        }
    }

    private void sample() {
        try {
            IndexStats s = client.stats(STATS_TIMEOUT);
            long now = System.nanoTime();
            if (s != null) {
                latest = s;
                latestAt = now;
                ingest.add(now, s.upsertsApplied + s.deletesApplied);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // no answer this second (the job is starting or busy): the page shows the age of the last figures
        }
    }

    private void countDeadLetter(DeadLetter d) {
        synchronized (deadLettersByTopic) {
            deadLetters++;
            deadLettersByTopic.merge(String.valueOf(d.topic), 1L, Long::sum);
            if (options.documentsTopic.equals(d.topic) && !d.degraded) { // a degraded document was still indexed
                documentsRefused++;
            }
            lastDeadLetter = d.topic + (d.key == null ? "" : " key " + d.key) + ": " + d.error;
        }
    }

    @Override
    public void close() throws Exception {
        sampler.shutdownNow();
        sampler.awaitTermination(STATS_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
        deadLetterStream.close();
    }
}
