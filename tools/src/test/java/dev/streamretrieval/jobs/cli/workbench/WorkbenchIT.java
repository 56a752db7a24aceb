package dev.streamretrieval.jobs.cli.workbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.streamretrieval.jobs.JobOptions;
import dev.streamretrieval.jobs.RetrievalJob;
import dev.streamretrieval.jobs.client.PipelineClient;
import dev.streamretrieval.jobs.evaluation.BeirCollection;
import dev.streamretrieval.jobs.evaluation.SharedCollections;
import dev.streamretrieval.jobs.local.EmbeddedKafka;
import dev.streamretrieval.jobs.local.LocalPipeline;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Hit;
import dev.streamretrieval.schemas.Query;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import dev.streamretrieval.schemas.SearchResult;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The workbench page in a real headless Chromium (Debian packages {@code chromium} and {@code chromium-driver},
 * installed by {@code .ci/run}), on a real pipeline: embedded KRaft broker, the job on a MiniCluster with the
 * quantised MiniLM bi-encoder, a slice of the shared Cranfield collection with its judgments, and one malformed
 * document record. The browser types one of the collection's queries; the test checks the page against the
 * job's own answers (asked again through the topics), the qrels and the index statistics, and that the screenshot
 * shows the results rendered. A missing Chromium fails the test.
 */
class WorkbenchIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int K = 10;
    private static final Pattern RANK = Pattern.compile("#(\\d+)");

    @Test
    void pageShowsBothModesWithEvidenceOverlapAndJudgments(@TempDir Path tmp) throws Exception {
        Path chromedriver = onPath("chromedriver");
        Path chromium = onPath("chromium", "chromium-browser", "google-chrome");
        BeirCollection cranfield = BeirCollection.load(SharedCollections.folder("cranfield"));
        Query query = cranfield.queries().get(0);
        Map<String, Integer> grades = cranfield.qrels().judgments(query.id);
        BeirCollection slice = slice(cranfield, grades, 200);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            JobOptions o = JobOptions.parse("--bootstrap-servers", kafka.bootstrapServers(), "--shards", "2",
                    "--parallelism", "1", "--checkpoint-interval-ms", "2000", "--work-dir", tmp.resolve("work").toString(),
                    "--dense-model", "all-minilm-l6-v2-q", "--onnx-threads", "1");
            try (LocalPipeline pipeline = LocalPipeline.start(o);
                    PipelineClient client = new PipelineClient(o, null);
                    WorkbenchServer server = WorkbenchServer.start(new Workbench(client, o,
                            RetrievalJob.supportedModes(o), QueryMode.HYBRID, slice, "cranfield (slice)"), 0)) {
                client.sendRaw(o.documentsTopic, "broken", "{not json".getBytes(StandardCharsets.UTF_8));
                slice.documents().forEach(client::publish);
                client.flush();
                client.awaitDocuments(slice.documents().size() + 1, Duration.ofMinutes(3), null);

                WebDriver browser = chrome(chromedriver, chromium);
                try {
                    browser.get(server.url());
                    WebDriverWait wait = new WebDriverWait(browser, WAIT);
                    // live statistics: the documents indexed and the malformed record on the dead-letter topic
                    wait.until(b -> b.findElement(By.id("stat-documents")).getText()
                            .equals(String.format("%,d", slice.documents().size())));
                    wait.until(b -> b.findElement(By.id("stat-dead")).getText().equals("1"));
                    assertThat(browser.findElement(By.id("stat-rate")).getText()).matches("\\d+");
                    assertThat(browser.findElements(By.cssSelector("#pick option"))).hasSize(
                            slice.queries().size() + 1);
                    double inkBefore = ink(screenshot(browser), region(browser));

                    browser.findElement(By.id("q")).sendKeys(query.text, Keys.ENTER);
                    wait.until(b -> !"loading".equals(b.findElement(By.tagName("body")).getAttribute("data-state"))
                            && !"idle".equals(b.findElement(By.tagName("body")).getAttribute("data-state")));
                    assertThat(browser.findElement(By.tagName("body")).getAttribute("data-state"))
                            .as("page state; summary: %s", browser.findElement(By.id("summary")).getText())
                            .isEqualTo("done");

                    List<WebElement> left = browser.findElements(By.cssSelector("#left .hit"));
                    List<WebElement> right = browser.findElements(By.cssSelector("#right .hit"));
                    // the job's own answers to the same query, asked through the topics again
                    SearchResult bm25 = client.askAndWait(new Query("check-bm25", query.text, K, QueryMode.BM25,
                            QueryOp.SEARCH), WAIT);
                    SearchResult hybrid = client.askAndWait(new Query("check-hybrid", query.text, K,
                            QueryMode.HYBRID, QueryOp.SEARCH), WAIT);
                    assertThat(docs(left)).isEqualTo(bm25.hits.stream().map(h -> h.docId).toList()).hasSize(K);
                    assertThat(docs(right)).isEqualTo(hybrid.hits.stream().map(h -> h.docId).toList()).hasSize(K);

                    // evidence: BM25 rank of every bm25 hit; BM25 and dense ranks of every hybrid hit, as the job gave
                    for (int i = 0; i < left.size(); i++) {
                        assertThat(rankIn(left.get(i), "bm25")).isEqualTo(i + 1);
                        assertThat(left.get(i).findElements(By.cssSelector(".ev.dense"))).as("bm25 has no dense list")
                                .isEmpty();
                    }
                    for (int i = 0; i < right.size(); i++) {
                        Hit h = hybrid.hits.get(i);
                        assertThat(rankIn(right.get(i), "bm25")).as("bm25 rank of %s", h.docId).isEqualTo(h.ranks.get("bm25"));
                        assertThat(rankIn(right.get(i), "dense")).as("dense rank of %s", h.docId).isEqualTo(h.ranks.get("dense"));
                    }

                    // overlap: a hit is marked iff the other column holds the document, with its rank there
                    Map<String, Integer> leftRanks = ranks(left);
                    Map<String, Integer> rightRanks = ranks(right);
                    int both = 0;
                    for (List<WebElement> column : List.of(left, right)) {
                        Map<String, Integer> other = column == left ? rightRanks : leftRanks;
                        for (WebElement hit : column) {
                            Integer there = other.get(hit.getAttribute("data-doc"));
                            String mark = hit.findElement(By.cssSelector(".overlap-mark")).getText();
                            if (there == null) {
                                assertThat(hit.getAttribute("class")).contains("only").doesNotContain("both");
                                assertThat(mark).isEqualTo("only here");
                            } else {
                                both++;
                                assertThat(hit.getAttribute("class")).contains("both");
                                assertThat(mark).startsWith("◆ #" + there + " in ");
                            }
                        }
                    }
                    assertThat(both).as("documents marked in both lists (counted in each)").isPositive();
                    assertThat(browser.findElement(By.cssSelector("#summary .overlap-count")).getText())
                            .startsWith(both / 2 + " of " + K);

                    // judged relevance from the qrels, typed query matched to the collection's query
                    int relevantShown = 0;
                    for (WebElement hit : concat(left, right)) {
                        Integer g = grades.get(hit.getAttribute("data-doc"));
                        WebElement rel = hit.findElement(By.cssSelector(".rel"));
                        assertThat(rel.getAttribute("data-grade")).isEqualTo(g == null ? "" : String.valueOf(g));
                        assertThat(rel.getText()).isEqualTo(g == null ? "unjudged" : g >= 1 ? "rel " + g : "not rel");
                        if (g != null && g >= 1) {
                            relevantShown++;
                        }
                    }
                    assertThat(relevantShown).as("relevant documents among the hits").isPositive();
                    assertThat(browser.findElement(By.id("summary")).getText()).contains("query " + query.id + " is judged");

                    // the screenshot shows the results: far more ink in the results region than before the search
                    BufferedImage shot = screenshot(browser);
                    Path png = Path.of("target", "workbench-it.png");
                    ImageIO.write(shot, "png", png.toFile());
                    Rectangle results = region(browser);
                    assertThat(shot.getWidth()).isGreaterThan(1000);
                    double inkAfter = ink(shot, results);
                    System.out.printf("workbench screenshot %s: results region %s, ink before %.4f after %.4f, "
                            + "luminance spread %.1f%n", png, results, inkBefore, inkAfter, luminanceSpread(shot, results));
                    assertThat(luminanceSpread(shot, results)).as("luminance spread in the results, see %s", png)
                            .isGreaterThan(25);
                    assertThat(inkAfter).as("ink in the results region before %.4f, after (see %s)", inkBefore, png)
                            .isGreaterThan(0.03).isGreaterThan(3 * inkBefore);
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /** The documents judged for the query plus the first {@code n} of the corpus, with every query and judgment. */
    private static BeirCollection slice(BeirCollection c, Map<String, Integer> judged, int n) {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < c.documents().size(); i++) {
            Document d = c.documents().get(i);
            if (i < n || judged.containsKey(d.id)) {
                docs.add(d);
            }
        }
        return new BeirCollection(c.name(), docs, c.allQueries(), c.qrels());
    }

    private static WebDriver chrome(Path chromedriver, Path chromium) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--hide-scrollbars", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** The first of {@code names} found on PATH; fails naming the Debian packages when none is. */
    private static Path onPath(String... names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return fail("none of " + List.of(names) + " is on PATH: the workbench test drives a real headless Chromium; "
                + "install the Debian packages chromium and chromium-driver (.ci/run installs them)");
    }

    private static List<String> docs(List<WebElement> hits) {
        return hits.stream().map(h -> h.getAttribute("data-doc")).toList();
    }

    private static Map<String, Integer> ranks(List<WebElement> hits) {
        Map<String, Integer> out = new HashMap<>();
        for (WebElement h : hits) {
            out.put(h.getAttribute("data-doc"), Integer.valueOf(h.getAttribute("data-rank")));
        }
        return out;
    }

    /** The rank the hit's evidence shows for one list, null when it shows the list does not hold the hit. */
    private static Integer rankIn(WebElement hit, String list) {
        Matcher m = RANK.matcher(hit.findElement(By.cssSelector(".ev." + list)).getText());
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static List<WebElement> concat(List<WebElement> a, List<WebElement> b) {
        List<WebElement> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static BufferedImage screenshot(WebDriver browser) throws Exception {
        byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("the screenshot decodes as an image").isNotNull();
        return image;
    }

    /** The results area (both columns) on the screenshot, clipped to the visible viewport. */
    private static Rectangle region(WebDriver browser) {
        org.openqa.selenium.Rectangle r = browser.findElement(By.id("results")).getRect();
        return new Rectangle(r.getX(), r.getY(), r.getWidth(), r.getHeight());
    }

    /** Luminance 0..255 of one pixel. */
    private static int luminance(int rgb) {
        return (int) Math.round(0.2126 * ((rgb >> 16) & 0xff) + 0.7152 * ((rgb >> 8) & 0xff) + 0.0722 * (rgb & 0xff));
    }

    /**
     * The share of pixels in {@code area} whose luminance differs by more than 60 from the area's most common
     * luminance (the background): text, badges, borders.
     */
    private static double ink(BufferedImage img, Rectangle area) {
        Rectangle r = area.intersection(new Rectangle(0, 0, img.getWidth(), img.getHeight()));
        assertThat(r.width * r.height).as("results region on the screenshot").isGreaterThan(10_000);
        int[] histogram = new int[256];
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                histogram[luminance(img.getRGB(x, y))]++;
            }
        }
        int background = 0;
        for (int l = 1; l < 256; l++) {
            if (histogram[l] > histogram[background]) {
                background = l;
            }
        }
        long inked = 0;
        for (int l = 0; l < 256; l++) {
            if (Math.abs(l - background) > 60) {
                inked += histogram[l];
            }
        }
        return inked / (double) (r.width * r.height);
    }

    /** Standard deviation of luminance over {@code area}. */
    private static double luminanceSpread(BufferedImage img, Rectangle area) {
        Rectangle r = area.intersection(new Rectangle(0, 0, img.getWidth(), img.getHeight()));
        double sum = 0;
        double squares = 0;
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                int l = luminance(img.getRGB(x, y));
                sum += l;
                squares += (double) l * l;
            }
        }
        double n = (double) r.width * r.height;
        double mean = sum / n;
        return Math.sqrt(Math.max(0, squares / n - mean * mean));
    }
}
