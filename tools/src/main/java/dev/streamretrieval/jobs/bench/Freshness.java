package dev.streamretrieval.jobs.bench;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Section 5, freshness: new documents are produced at a steady rate (a fraction of the measured ingest rate)
 * while a searcher asks, back to back, for every document produced and not yet found. Each new document is a
 * collection document (so it costs what a real one costs to encode) with a unique nonsense word in front; the
 * searcher's BM25 query is the list of the (up to 64) oldest pending words, sent at most every 20 ms. A document's
 * freshness is the time from just before it was handed to the Kafka producer to the moment the first result
 * containing it was read back, so it includes one query round trip and up to one poll interval; the round trip
 * itself is reported alongside.
 */
final class Freshness {
    private static final String LETTERS = "bcdfghjklmnpqrtvwx"; // no vowels, s or y: the Porter stemmer leaves them be
    /** The searcher asks for the oldest pending documents only, and at most every POLL_NANOS, so that its own load
     *  stays small and does not grow with the backlog (which would feed back into the latency it measures). */
    private static final int MAX_TERMS_PER_QUERY = 64;
    private static final long POLL_NANOS = 20_000_000;

    private Freshness() {}

    static String nonce(String tag, int i) {
        StringBuilder b = new StringBuilder("zq").append(tag);
        int v = i;
        do {
            b.append(LETTERS.charAt(v % LETTERS.length()));
            v /= LETTERS.length();
        } while (v > 0);
        return b.toString();
    }

    static Map<String, Object> run(PipelineClient client, List<Document> corpus, double docsPerSecond,
            double seconds, String tag) throws Exception {
        Map<String, Long> producedAt = new java.util.concurrent.ConcurrentHashMap<>();
        ConcurrentSkipListMap<Integer, String> pending = new ConcurrentSkipListMap<>(); // seq → nonce
        Map<String, Integer> seqByDoc = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger();
        String letterTag = nonce("", Math.abs(tag.hashCode()) % 1000).substring(2);
        Thread producer = new Thread(() -> {
            long start = System.nanoTime();
            double interval = 1e9 / docsPerSecond;
            long end = start + (long) (seconds * 1e9);
            for (int i = 0; ; i++) {
                long due = start + (long) (i * interval);
                if (due > end) {
                    break;
                }
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                Document base = corpus.get(i % corpus.size());
                String word = nonce(letterTag, i);
                String id = "fresh-" + tag + "-" + i;
                Document d = Document.upsert(id, base.title, word + " " + (base.text == null ? "" : base.text), null);
                seqByDoc.put(id, i);
                producedAt.put(word, System.nanoTime());
                pending.put(i, word);
                client.publish(d);
                produced.incrementAndGet();
            }
            client.flush();
            producing.set(false);
        }, "bench-freshness-producer");
        producer.setDaemon(true);

        Samples freshness = new Samples();
        Samples roundTrip = new Samples();
        int queries = 0;
        producer.start();
        long deadline = Long.MAX_VALUE;
        long lastSent = 0;
        while (true) {
            if (!producing.get() && deadline == Long.MAX_VALUE) {
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            }
            if ((!producing.get() && pending.isEmpty()) || System.nanoTime() > deadline) {
                break;
            }
            List<String> words = new ArrayList<>();
            for (String w : pending.values()) {
                words.add(w);
                if (words.size() >= MAX_TERMS_PER_QUERY) {
                    break;
                }
            }
            if (words.isEmpty()) {
                Thread.sleep(2);
                continue;
            }
            Query q = new Query("fresh-q-" + tag + "-" + queries++, String.join(" ", words), words.size(),
                    QueryMode.BM25, QueryOp.SEARCH);
            long wait = lastSent + POLL_NANOS - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long sent = System.nanoTime();
            lastSent = sent;
            SearchResult r;
            try {
                r = client.askAndWait(q, Duration.ofSeconds(10));
            } catch (java.util.concurrent.TimeoutException e) {
                continue;
            }
            long now = System.nanoTime();
            roundTrip.add((now - sent) / 1e6);
            for (Hit h : r.hits) {
                Integer seq = seqByDoc.get(h.docId);
                if (seq == null) {
                    continue;
                }
                String word = pending.remove(seq);
                if (word != null) {
                    freshness.add((now - producedAt.get(word)) / 1e6);
                }
            }
        }
        producer.join(5000);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("offered_docs_per_second", Samples.round(docsPerSecond));
        out.put("seconds", seconds);
        out.put("documents_produced", produced.get());
        out.put("documents_found", freshness.size());
        out.put("documents_not_found_within_30s", pending.size());
        out.put("freshness_ms", freshness.summary());
        out.put("search_queries", queries);
        out.put("query_round_trip_ms", roundTrip.summary());
        return out;
    }
}
