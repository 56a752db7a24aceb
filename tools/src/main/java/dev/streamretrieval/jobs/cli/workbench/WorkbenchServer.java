package dev.streamretrieval.jobs.cli.workbench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streamretrieval.schemas.QueryMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workbench page over the JDK's HTTP server, on 127.0.0.1 only: the page itself (plain HTML, CSS and JS from
 * the classpath, nothing fetched from elsewhere) and three JSON endpoints that hand {@link Workbench}'s answers
 * over:
 *
 * <ul>
 *   <li>{@code GET /api/info}: collection, modes, the collection's judged queries;
 *   <li>{@code GET /api/search?q=TEXT&left=MODE&right=MODE&k=N[&qid=ID]}: the two answers side by side;
 *   <li>{@code GET /api/stats}: documents, ingest rate, dead letters.
 * </ul>
 *
 * Requests naming another host than the loopback one are refused, so a web page elsewhere cannot reach the
 * workbench through DNS rebinding.
 */
public final class WorkbenchServer implements AutoCloseable {
    /** The port {@code run --ui} serves on when none is given. */
    public static final int DEFAULT_PORT = 8090;

    private static final Logger LOG = LoggerFactory.getLogger(WorkbenchServer.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Map<String, String> PAGES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/workbench.js", "workbench.js",
            "/workbench.css", "workbench.css");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Workbench workbench;

    private WorkbenchServer(HttpServer server, ExecutorService executor, Workbench workbench) {
        this.server = server;
        this.executor = executor;
        this.workbench = workbench;
    }

    /** Serves {@code workbench} on 127.0.0.1:{@code port} (0: any free port). */
    public static WorkbenchServer start(Workbench workbench, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        // searches wait for the job's answers: a few threads so that the stats poll is not queued behind them
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "workbench-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        WorkbenchServer s = new WorkbenchServer(server, executor, workbench);
        server.createContext("/", s::handle);
        server.start();
        return s;
    }

    /** The page's address. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain", "only GET".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, 403, "text/plain", "the workbench answers only requests to 127.0.0.1 or localhost"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getPath();
            try {
                switch (path) {
                    case "/api/info" -> json(ex, 200, workbench.info());
                    case "/api/stats" -> json(ex, 200, workbench.stats());
                    case "/api/search" -> json(ex, 200, search(params(ex.getRequestURI().getRawQuery())));
                    default -> page(ex, path);
                }
            } catch (IllegalArgumentException e) {
                json(ex, 400, Map.of("error", e.getMessage()));
            } catch (Exception e) {
                LOG.warn("workbench request {} failed", path, e);
                json(ex, 500, Map.of("error", String.valueOf(e)));
            }
        } finally {
            ex.close();
        }
    }

    private SideBySide.Comparison search(Map<String, String> p) throws InterruptedException {
        int k;
        try {
            k = Integer.parseInt(p.getOrDefault("k", "10"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("k must be a number");
        }
        return workbench.search(p.get("q"), p.get("qid"), mode(p.getOrDefault("left", "bm25")),
                mode(p.getOrDefault("right", "hybrid")), k);
    }

    private static QueryMode mode(String name) {
        QueryMode m = QueryMode.fromWire(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown mode '" + name + "'");
        }
        return m;
    }

    private static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) {
            h = h.substring(0, colon);
        }
        return h.equals("127.0.0.1") || h.equals("localhost") || h.equals("[::1]");
    }

    private static Map<String, String> params(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }

    private void page(HttpExchange ex, String path) throws IOException {
        String name = PAGES.get(path);
        if (name == null) {
            send(ex, 404, "text/plain", ("no page " + path).getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] body;
        try (InputStream in = WorkbenchServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing from the classpath");
            }
            body = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        send(ex, 200, type, body);
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops serving and closes the workbench. */
    @Override
    public void close() throws Exception {
        server.stop(0);
        executor.shutdownNow();
        workbench.close();
    }
}
