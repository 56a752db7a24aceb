package dev.streamretrieval.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoPlotTest {
    @Test
    void frontierKeepsOnlyUndominatedPointsByLatency() {
        ParetoPlot.Point fast = new ParetoPlot.Point("a", "bm25", 0.30, 10);
        ParetoPlot.Point dominated = new ParetoPlot.Point("a", "dense", 0.29, 20);
        ParetoPlot.Point better = new ParetoPlot.Point("a", "hybrid", 0.35, 30);
        ParetoPlot.Point slowSame = new ParetoPlot.Point("b", "hybrid", 0.35, 40);
        ParetoPlot.Point best = new ParetoPlot.Point("a", "full", 0.37, 90);
        assertThat(ParetoPlot.frontier(List.of(best, slowSame, dominated, better, fast)))
                .containsExactly(fast, better, best);
    }

    @Test
    void writesAReadablePng(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("p.png");
        ParetoPlot.write(List.of(new ParetoPlot.Point("float32/float16", "bm25", 0.33, 12.5),
                new ParetoPlot.Point("float32/float16", "hybrid-linear", 0.3600, 133.0),
                new ParetoPlot.Point("float32/float16", "full", 0.36, 80)), "test", png);
        java.awt.image.BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isPositive();
        // the longest legend line ends inside the picture: the last 8 pixel columns are background
        for (int x = img.getWidth() - 8; x < img.getWidth(); x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                assertThat(img.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y).isEqualTo(0xffffff);
            }
        }
    }

    @Test
    void percentilesAreNearestRank() {
        Samples s = new Samples();
        for (int i = 1; i <= 100; i++) {
            s.add(i);
        }
        assertThat(s.percentile(50)).isEqualTo(50);
        assertThat(s.percentile(99)).isEqualTo(99);
        assertThat(s.percentile(100)).isEqualTo(100);
        assertThat(new Samples().percentile(50)).isNaN();
    }
}
