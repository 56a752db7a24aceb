package dev.streamretrieval.jobs.client;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.MessageJson;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A client of the running job through its topics only: publishes documents and queries, and matches results
 * to the queries it sent. Used by the interactive runner, the evaluation and the integration tests.
 */
public final class PipelineClient implements AutoCloseable {
    private final JobOptions options;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ResultStream<SearchResult> results;
    private final ConcurrentHashMap<String, CompletableFuture<SearchResult>> waiting = new ConcurrentHashMap<>();
    private final ResultStream<DeadLetter> deadLetters;
    private final AtomicLong documentsDeadLettered = new AtomicLong();

    /** @param onOtherResult receives results of queries this client did not send (may be null). */
    public PipelineClient(JobOptions options, Consumer<SearchResult> onOtherResult) {
        this.options = options;
        Properties p = options.kafkaClientProperties();
        p.setProperty("key.serializer", ByteArraySerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        p.setProperty("linger.ms", "0");
        p.setProperty("acks", "all");
        producer = new KafkaProducer<>(p);
        results = new ResultStream<>(options.kafkaClientProperties(), options.resultsTopic, SearchResult.class,
                options.exactlyOnce(), false, r -> {
                    CompletableFuture<SearchResult> f = waiting.remove(r.queryId);
                    if (f != null) {
                        f.complete(r);
                    } else if (onOtherResult != null) {
                        onOtherResult.accept(r);
                    }
                });
        deadLetters = ResultStream.deadLetters(options.kafkaClientProperties(), options.deadLetterTopic,
                options.exactlyOnce(), d -> {
                    if (options.documentsTopic.equals(d.topic) && !d.degraded) { // degraded ones were indexed
                        documentsDeadLettered.incrementAndGet();
                    }
                });
    }

    /** Documents-topic records refused by the job since this client started. */
    public long documentsDeadLettered() {
        return documentsDeadLettered.get();
    }

    public void publish(Document d) {
        sendRaw(options.documentsTopic, d.id, MessageJson.write(d));
    }

    /** Sends raw bytes (tests use this for malformed records); a null value is a tombstone. */
    public void sendRaw(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
    }

    public void flush() {
        producer.flush();
    }

    /** Sends a query; the future completes with its result. Query ids must be unique among pending queries. */
    public CompletableFuture<SearchResult> ask(Query q) {
        CompletableFuture<SearchResult> f = new CompletableFuture<>();
        if (waiting.putIfAbsent(q.id, f) != null) {
            throw new IllegalArgumentException("a query with id " + q.id + " is already pending");
        }
        producer.send(new ProducerRecord<>(options.queriesTopic, q.id.getBytes(StandardCharsets.UTF_8),
                MessageJson.write(q)));
        producer.flush();
        return f;
    }

    public SearchResult askAndWait(Query q, Duration timeout) throws Exception {
        CompletableFuture<SearchResult> f = ask(q);
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            waiting.remove(q.id);
            throw new TimeoutException("no result for query " + q.id + " within " + timeout.toMillis() + " ms");
        }
    }

    /** Asks the job's own state how many documents it holds. */
    public IndexStats stats(Duration timeout) throws Exception {
        SearchResult r = askAndWait(Query.stats("stats-" + UUID.randomUUID()), timeout);
        return r.indexStats;
    }

    /**
     * Waits until every published document is accounted for: indexed documents plus documents refused to the
     * dead-letter topic reach {@code expected}. Fails when nothing moves for {@code stallTimeout}.
     * Reports progress (documents + refused) to {@code onProgress}; returns the last statistics seen.
     */
    public IndexStats awaitDocuments(long expected, Duration stallTimeout, LongConsumer onProgress) throws Exception {
        long lastChange = System.nanoTime();
        long lastSeen = -1;
        IndexStats last = null;
        while (System.nanoTime() - lastChange < stallTimeout.toNanos()) {
            try {
                last = stats(Duration.ofSeconds(10));
                long accounted = last.documents + documentsDeadLettered.get();
                if (onProgress != null) {
                    onProgress.accept(accounted);
                }
                if (accounted >= expected) {
                    return last;
                }
                if (accounted != lastSeen) {
                    lastSeen = accounted;
                    lastChange = System.nanoTime();
                }
            } catch (TimeoutException e) {
                // the job may still be starting; ask again
            }
            Thread.sleep(200);
        }
        throw new TimeoutException("index holds " + (last == null ? "unknown" : last.documents) + " documents and "
                + documentsDeadLettered.get() + " were refused, expected " + expected + " in all; no progress for "
                + stallTimeout.toSeconds() + " s");
    }

    @Override
    public void close() throws Exception {
        producer.close(Duration.ofSeconds(5));
        results.close();
        deadLetters.close();
    }
}
