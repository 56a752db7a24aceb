package dev.streamretrieval.jobs.cli;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.jobs.RetrievalJob;
import dev.streamretrieval.jobs.cli.workbench.Workbench;
import dev.streamretrieval.jobs.cli.workbench.WorkbenchServer;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.evaluation.Qrels;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.IndexStats;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import dev.streamretrieval.operators.gather.ResultRanker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code run}: the embedded quickstart. */
final class RunCommand {
    private RunCommand() {}

    static int run(List<String> args) throws Exception {
        Map<String, String> extras = new LinkedHashMap<>();
        extras.put("collection", null);
        extras.put("mode", null);
        List<String> positional = new ArrayList<>();
        JobOptions o = JobOptions.parse(args, positional, Set.of("no-load", "ui"), extras);
        Integer uiPort = uiPort(extras.get("ui"), positional);
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("unexpected arguments " + positional);
        }
        BeirCollection collection = extras.containsKey("no-load") ? null : loadBeir(extras.get("collection"));
        List<Document> docs = collection == null ? List.of() : collection.documents();
        QueryMode mode = extras.get("mode") == null ? defaultMode(o) : QueryMode.fromWire(extras.get("mode"));
        if (mode == null || !RetrievalJob.supportedModes(o).contains(mode)) {
            throw new IllegalArgumentException("--mode must be one of " + RetrievalJob.supportedModes(o).stream()
                    .map(QueryMode::wireName).toList());
        }

        PrintStream out = System.out;
        System.err.println("starting " + (o.bootstrapServers == null ? "embedded Kafka broker and " : "")
                + "Flink job (" + o.shards + " shards, delivery " + o.delivery + ") ...");
        LocalPipeline pipeline = LocalPipeline.start(o);
        PipelineClient client = new PipelineClient(o, r -> printResult(out, r, null));
        WorkbenchServer ui = uiPort == null ? null : WorkbenchServer.start(new Workbench(client, o,
                RetrievalJob.supportedModes(o), mode, collection, collection == null ? "what the topics hold"
                : collection.name()), uiPort);
        Thread shutdown = new Thread(() -> {
            System.err.println("\nstopping ...");
            if (ui != null) {
                closeQuietly(ui);
            }
            closeQuietly(client);
            closeQuietly(pipeline);
        });
        Runtime.getRuntime().addShutdownHook(shutdown);
        System.err.println("Kafka at " + o.bootstrapServers + "; topics " + o.documentsTopic + ", " + o.queriesTopic
                + ", " + o.resultsTopic + ", " + o.deadLetterTopic);

        if (ui != null) {
            System.err.println("relevance workbench at " + ui.url());
        }
        if (!docs.isEmpty()) {
            publishAndAwait(client, docs, Duration.ofMinutes(2));
        }
        if (ui != null) {
            System.err.println("ready: open " + ui.url() + " (bm25 | " + mode.wireName() + "); Ctrl-C stops");
            new CountDownLatch(1).await(); // the page is the client now; the shutdown hook stops everything
        }
        System.err.println("ready (" + mode.wireName() + " mode): type a query and press Enter (Ctrl-C or Ctrl-D to stop)");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<CompletableFuture<SearchResult>> pending = new ArrayList<>();
        int n = 0;
        String line;
        while ((line = in.readLine()) != null) {
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            String id = "stdin-" + ProcessHandle.current().pid() + "-" + (++n);
            long sent = System.nanoTime();
            Query q = new Query(id, text, null, mode, QueryOp.SEARCH);
            pending.add(client.ask(q).whenComplete((r, e) -> {
                if (r != null) {
                    printResult(out, r, (System.nanoTime() - sent) / 1e6);
                }
            }));
        }
        // stdin closed: let answers to what was asked arrive, then stop.
        for (CompletableFuture<SearchResult> f : pending) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("a query got no answer within 30 s");
            }
        }
        Runtime.getRuntime().removeShutdownHook(shutdown);
        closeQuietly(client);
        closeQuietly(pipeline);
        return 0;
    }

    /**
     * {@code --ui [PORT]}: the workbench's port ({@link WorkbenchServer#DEFAULT_PORT} when none follows), null
     * without {@code --ui}. A port after {@code --ui} arrives as the first positional argument and is taken from it.
     */
    static Integer uiPort(String ui, List<String> positional) {
        if (ui == null) {
            return null;
        }
        String port = ui;
        if ("true".equals(ui)) {
            port = !positional.isEmpty() && positional.get(0).matches("\\d{1,5}") ? positional.remove(0)
                    : String.valueOf(WorkbenchServer.DEFAULT_PORT);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("--ui takes a port number (0-65535), not '" + port + "'");
        }
        return Integer.parseInt(port);
    }

    /** hybrid when a dense model is configured (the demo shows what fusion does), bm25 otherwise. */
    static QueryMode defaultMode(JobOptions o) {
        return o.neural.enabled() && RetrievalJob.supportedModes(o).contains(QueryMode.HYBRID)
                ? QueryMode.HYBRID : QueryMode.BM25;
    }

    /**
     * Publishes the documents (progress bar "publishing"), then waits until the job's own state accounts for every
     * distinct id, indexed or dead-lettered (progress bar "indexing"); returns the job's statistics then.
     */
    static IndexStats publishAndAwait(PipelineClient client, List<Document> docs, Duration timeout) throws Exception {
        Set<String> ids = new HashSet<>();
        try (ProgressBar bar = new ProgressBar("publishing", docs.size())) {
            for (Document d : docs) {
                client.publish(d);
                ids.add(d.id);
                bar.step();
            }
            client.flush();
        }
        try (ProgressBar bar = new ProgressBar("indexing", ids.size())) {
            return client.awaitDocuments(ids.size(), timeout, bar::set);
        }
    }

    static List<Document> loadCollection(String path) throws Exception {
        return loadBeir(path).documents();
    }

    /** The collection at {@code path} (default: the shipped sample); a JSONL file of documents has no queries. */
    static BeirCollection loadBeir(String path) {
        if (path == null) {
            return BeirCollection.sample();
        }
        Path p = Path.of(path);
        if (Files.isDirectory(p)) {
            return BeirCollection.load(p);
        }
        if (Files.isRegularFile(p)) {
            return new BeirCollection(String.valueOf(p.getFileName()), BeirCollection.loadDocumentsJsonl(p), List.of(),
                    new Qrels(Map.of()));
        }
        throw new IllegalArgumentException("--collection " + path + " is neither a BEIR folder nor a JSONL file");
    }

    static void printResult(PrintStream out, SearchResult r, Double clientMillis) {
        synchronized (out) {
            StringBuilder sb = new StringBuilder();
            sb.append("\nquery ").append(r.queryId).append(": ").append(r.hits.size()).append(" hits");
            if (r.totalMatched != null) {
                sb.append(" (").append(r.totalMatched).append(" matched by BM25)");
            }
            if (clientMillis != null) {
                sb.append(String.format(" in %.1f ms", clientMillis));
            }
            if (r.partial) {
                sb.append(" (PARTIAL: ").append(r.shardsAnswered).append('/').append(r.shardsExpected).append(" shards)");
            }
            if (r.indexStats != null) {
                sb.append(" index: ").append(r.indexStats.documents).append(" documents");
            }
            out.println(sb);
            for (Hit h : r.hits) {
                String title = h.title == null || h.title.isBlank() ? "" : "  " + abbreviate(h.title, 60);
                out.printf("  %3d. %-16s %8.4f%s%s%n", h.rank, h.docId, h.score, evidence(h), title);
            }
            out.flush();
        }
    }

    /**
     * Why a hybrid or full hit ranks where it does: its rank and score in the BM25 and dense lists the fusion
     * combined ("-" when a list does not hold it), its MaxSim score where one was computed and full mode's
     * combined score of the two with MaxSim; empty for bm25 and dense hits.
     */
    static String evidence(Hit h) {
        if (h.ranks == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String list : List.of("bm25", "dense")) {
            Integer rank = h.ranks.get(list);
            Double score = h.scores == null ? null : h.scores.get(list);
            sb.append(String.format(java.util.Locale.ROOT, "  %s %-14s", list, rank == null ? "-"
                    : "#" + rank + (score == null ? "" : String.format(java.util.Locale.ROOT, " (%.3f)", score))));
        }
        Double maxSim = h.scores == null ? null : h.scores.get("maxsim");
        if (maxSim != null) {
            sb.append(String.format(java.util.Locale.ROOT, "  maxsim %.3f", maxSim));
        }
        Double combined = h.scores == null ? null : h.scores.get(ResultRanker.FULL_LABEL);
        if (combined != null) {
            sb.append(String.format(java.util.Locale.ROOT, "  %s %.3f", ResultRanker.FULL_LABEL, combined));
        }
        return sb.toString();
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("while stopping: " + e);
        }
    }
}
