package dev.streamretrieval.jobs.bench;

import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.SearchResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives queries through the running job's topics and records client-side latency (from the moment a query was
 * due to be sent to the moment its result was read back), the job's own per-stage timings ({@code timings_ms})
 * and the rankings. Closed loop: a fixed number of queries in flight (to find the maximum throughput). Open loop:
 * queries due at a fixed rate whatever the answers do, latency counted from the due time, so a stalled pipeline
 * shows up in the percentiles instead of slowing the load (no coordinated omission).
 */
final class QueryLoad {
    private static final long ANSWER_TIMEOUT_SECONDS = 60;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** What one pass of queries measured. */
    static final class Pass {
        final Samples latencyMs = new Samples();
        final Map<String, Samples> stagesMs = new ConcurrentHashMap<>();
        final Map<String, List<String>> rankings = new ConcurrentHashMap<>();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger partial = new AtomicInteger();
        int sent;
        double seconds;
        double offeredQps;

        double achievedQps() {
            return answered.get() / Math.max(1e-9, seconds);
        }

        void record(Query original, SearchResult r, double latency) {
            latencyMs.add(latency);
            rankings.put(original.id, r.hits.stream().map(h -> h.docId).toList());
            if (r.partial) {
                partial.incrementAndGet();
            }
            r.timingsMs.forEach((stage, ms) -> {
                if (ms != null) {
                    stagesMs.computeIfAbsent(stage, s -> new Samples()).add(ms);
                }
            });
            answered.incrementAndGet();
        }

        Map<String, Object> stageSummary() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String stage : List.of("query_encode", "shard_search_max", "shard_search_cpu_sum", "maxsim_max",
                    "gather", "cross_encoder", "since_produced")) {
                Samples s = stagesMs.get(stage);
                if (s != null) {
                    Map<String, Object> one = new LinkedHashMap<>();
                    one.put("p50", Samples.round(s.percentile(50)));
                    one.put("p99", Samples.round(s.percentile(99)));
                    one.put("mean", Samples.round(s.mean()));
                    m.put(stage, one);
                }
            }
            return m;
        }
    }

    private QueryLoad() {}

    private static Query wire(Query q, BenchMode mode, int k, String tag) {
        Query w = new Query(tag + "/" + mode.name() + "/" + q.id + "/" + SEQUENCE.incrementAndGet(), q.text, k,
                mode.mode(), q.op);
        w.fusion = mode.fusion();
        w.vector = q.vector; // supplied by scale (the job then skips its query encoder)
        return w;
    }

    /** Runs {@code queries} with {@code concurrency} in flight. */
    static Pass closedLoop(PipelineClient client, List<Query> queries, BenchMode mode, int k, int concurrency,
            String tag) throws Exception {
        Pass pass = new Pass();
        Semaphore inFlight = new Semaphore(concurrency);
        long start = System.nanoTime();
        for (Query q : queries) {
            if (!inFlight.tryAcquire(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(mode.name() + ": no answer within " + ANSWER_TIMEOUT_SECONDS + " s");
            }
            long sent = System.nanoTime();
            client.ask(wire(q, mode, k, tag)).orTimeout(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((r, e) -> {
                if (r != null) {
                    pass.record(q, r, (System.nanoTime() - sent) / 1e6);
                }
                inFlight.release();
            });
            pass.sent++;
        }
        inFlight.tryAcquire(concurrency, ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        pass.seconds = (System.nanoTime() - start) / 1e9;
        return pass;
    }

    /** Sends {@code queries} due at {@code qps} per second; waits for the answers (at most a minute after the last). */
    static Pass openLoop(PipelineClient client, List<Query> queries, BenchMode mode, int k, double qps, String tag)
            throws Exception {
        Pass pass = new Pass();
        pass.offeredQps = qps;
        AtomicInteger done = new AtomicInteger();
        double intervalNanos = 1e9 / qps;
        long start = System.nanoTime();
        List<java.util.concurrent.CompletableFuture<SearchResult>> futures = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            long due = start + (long) (i * intervalNanos);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            Query q = queries.get(i);
            futures.add(client.ask(wire(q, mode, k, tag)).orTimeout(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .whenComplete((r, e) -> {
                        if (r != null) {
                            pass.record(q, r, (System.nanoTime() - due) / 1e6);
                        }
                        done.incrementAndGet();
                    }));
            pass.sent++;
        }
        for (var f : futures) {
            try {
                f.join();
            } catch (RuntimeException e) {
                // timed out: counted as unanswered
            }
        }
        pass.seconds = (System.nanoTime() - start) / 1e9;
        return pass;
    }
}
