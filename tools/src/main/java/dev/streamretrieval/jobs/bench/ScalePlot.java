package dev.streamretrieval.jobs.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The {@code scale} plot: one log-log panel per cost, each cost against the number of documents N, one line per
 * series (a straight line of slope 1 is linear growth, slope 0 constant). Headless AWT as {@link ParetoPlot}.
 * Values that are missing, zero or negative are left out (they have no place on a log axis).
 */
final class ScalePlot {
    /** One panel: series name → one value per size (NaN when not measured). */
    record Panel(String title, Map<String, double[]> series) {
        Panel(String title) {
            this(title, new LinkedHashMap<>());
        }

        Panel add(String name, double[] values) {
            series.put(name, values);
            return this;
        }
    }

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b)
    };
    private static final int COLUMNS = 3;
    private static final int PANEL_W = 420;
    private static final int PANEL_H = 320;
    private static final int TITLE_H = 50;

    private ScalePlot() {}

    static void write(long[] sizes, List<Panel> panels, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int rows = (panels.size() + COLUMNS - 1) / COLUMNS;
        int w = COLUMNS * PANEL_W;
        int h = TITLE_H + rows * PANEL_H;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, 30);
        for (int i = 0; i < panels.size(); i++) {
            int x0 = (i % COLUMNS) * PANEL_W;
            int y0 = TITLE_H + (i / COLUMNS) * PANEL_H;
            panel(g, sizes, panels.get(i), x0, y0);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void panel(Graphics2D g, long[] sizes, Panel p, int x0, int y0) {
        int left = x0 + 60;
        int top = y0 + 30;
        int pw = PANEL_W - 60 - 35;
        int ph = PANEL_H - 30 - 100;
        double xLo = Math.floor(Math.log10(sizes[0]));
        double xHi = Math.ceil(Math.log10(sizes[sizes.length - 1]));
        if (xHi <= xLo) {
            xHi = xLo + 1;
        }
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (double[] v : p.series().values()) {
            for (double y : v) {
                if (y > 0 && Double.isFinite(y)) {
                    yMin = Math.min(yMin, y);
                    yMax = Math.max(yMax, y);
                }
            }
        }
        if (yMin > yMax) { // nothing to draw
            yMin = 1;
            yMax = 10;
        }
        double yLo = Math.floor(Math.log10(yMin));
        double yHi = Math.ceil(Math.log10(yMax));
        if (yHi <= yLo) {
            yHi = yLo + 1;
        }
        final double xl = xLo;
        final double xh = xHi;
        final double yl = yLo;
        final double yh = yHi;
        java.util.function.DoubleUnaryOperator sx = x -> left + (Math.log10(x) - xl) / (xh - xl) * pw;
        java.util.function.DoubleUnaryOperator sy = y -> top + ph - (Math.log10(y) - yl) / (yh - yl) * ph;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(new Color(0xf0f0f0)); // minor grid at 2× and 5× of each decade
        for (double d = yLo; d < yHi; d++) {
            for (double f : new double[] {2, 5}) {
                int py = (int) sy.applyAsDouble(f * Math.pow(10, d));
                g.drawLine(left, py, left + pw, py);
            }
        }
        for (double d = xLo; d < xHi; d++) {
            for (double f : new double[] {2, 5}) {
                int px = (int) sx.applyAsDouble(f * Math.pow(10, d));
                g.drawLine(px, top, px, top + ph);
            }
        }
        for (double d = xLo; d <= xHi; d++) {
            int px = (int) sx.applyAsDouble(Math.pow(10, d));
            g.setColor(new Color(0xdddddd));
            g.drawLine(px, top, px, top + ph);
            g.setColor(Color.DARK_GRAY);
            String t = power(d);
            g.drawString(t, px - g.getFontMetrics().stringWidth(t) / 2, top + ph + 15);
        }
        for (double d = yLo; d <= yHi; d++) {
            int py = (int) sy.applyAsDouble(Math.pow(10, d));
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, py, left + pw, py);
            g.setColor(Color.DARK_GRAY);
            String t = power(d);
            g.drawString(t, left - 6 - g.getFontMetrics().stringWidth(t), py + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString("documents N", left + pw / 2 - 30, top + ph + 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(p.title(), left, y0 + 20);

        int ly = top + ph + 50;
        int lx = left;
        int c = 0;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (Map.Entry<String, double[]> e : p.series().entrySet()) {
            Color color = PALETTE[c++ % PALETTE.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2f));
            int prevX = -1;
            int prevY = -1;
            double[] v = e.getValue();
            for (int i = 0; i < sizes.length && i < v.length; i++) {
                if (!(v[i] > 0) || !Double.isFinite(v[i])) {
                    prevX = -1;
                    continue;
                }
                int px = (int) sx.applyAsDouble(sizes[i]);
                int py = (int) sy.applyAsDouble(v[i]);
                g.fillOval(px - 4, py - 4, 8, 8);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, px, py);
                }
                prevX = px;
                prevY = py;
            }
            g.setStroke(new BasicStroke(1f));
            String label = e.getKey() + " (" + last(v) + ")";
            int width = g.getFontMetrics().stringWidth(label) + 24;
            if (lx + width > x0 + PANEL_W - 10) {
                lx = left;
                ly += 16;
            }
            g.fillOval(lx, ly - 8, 8, 8);
            g.setColor(Color.BLACK);
            g.drawString(label, lx + 12, ly);
            lx += width;
        }
    }

    /** The last measured value, for the legend. */
    private static String last(double[] v) {
        for (int i = v.length - 1; i >= 0; i--) {
            if (v[i] > 0 && Double.isFinite(v[i])) {
                return v[i] >= 100 ? String.format(Locale.ROOT, "%.0f", v[i]) : String.format(Locale.ROOT, "%.3g", v[i]);
            }
        }
        return "–";
    }

    private static String power(double d) {
        int e = (int) d;
        return switch (e) {
            case 0 -> "1";
            case 1 -> "10";
            case 2 -> "100";
            case 3 -> "1k";
            case 4 -> "10k";
            case 5 -> "100k";
            case 6 -> "1M";
            case 7 -> "10M";
            case -1 -> "0.1";
            case -2 -> "0.01";
            case -3 -> "0.001";
            default -> "1e" + e;
        };
    }
}
