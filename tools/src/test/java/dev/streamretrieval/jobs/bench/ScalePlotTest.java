package dev.streamretrieval.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scale plot from report entries, including a size that could not measure everything. */
class ScalePlotTest {
    private static Map<String, Object> size(long n, double scale, boolean restore) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("documents", n);
        m.put("parallelism", 2);
        m.put("shards", 8);
        Map<String, Object> modes = new LinkedHashMap<>();
        for (String mode : ScaleRun.MODES) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("p50_ms", 10 * scale);
            x.put("p99_ms", 30 * scale);
            x.put("cpu_ms_per_query", mode.equals("dense") ? null : 2 * scale);
            modes.put(mode, x);
        }
        m.put("modes", modes);
        m.put("bytes_per_document", Map.of("state", 2500.0, "rocksdb", 4000.0, "checkpoint", 0.0));
        m.put("checkpoint_seconds", 0.5 * scale);
        if (restore) {
            m.put("restore_seconds", 20 * scale);
        }
        m.put("ingest_docs_per_second", 1500.0);
        return m;
    }

    @Test
    void writesOnePanelPerCostAndSkipsWhatIsMissing(@TempDir Path tmp) throws Exception {
        List<Map<String, Object>> sizes = new ArrayList<>();
        sizes.add(size(10_000, 1, true));
        sizes.add(size(100_000, 3, false));
        sizes.add(size(1_000_000, 10, true));
        Path png = tmp.resolve("scale.png");
        ScaleCommand.plot(sizes, "test", png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(3 * 420);
        assertThat(img.getHeight()).isEqualTo(50 + 2 * 320);
        // each of the six panels has coloured (series) pixels
        for (int panel = 0; panel < 6; panel++) {
            int x0 = (panel % 3) * 420;
            int y0 = 50 + (panel / 3) * 320;
            boolean coloured = false;
            for (int x = x0; x < x0 + 420 && !coloured; x++) {
                for (int y = y0 + 30; y < y0 + 230 && !coloured; y++) {
                    int rgb = img.getRGB(x, y) & 0xffffff;
                    int r = rgb >> 16;
                    int g = (rgb >> 8) & 0xff;
                    int b = rgb & 0xff;
                    coloured = Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80;
                }
            }
            assertThat(coloured).as("panel " + panel).isTrue();
        }
        String table = ScaleCommand.table(Map.of("dataset", "test", "machine", "m", "sizes", sizes));
        assertThat(table).contains("| 10,000 |").contains("| 1,000,000 |").contains("| – |");
    }
}
