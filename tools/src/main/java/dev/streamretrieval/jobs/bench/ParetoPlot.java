package dev.streamretrieval.jobs.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Section 8: nDCG@10 against p50 latency, one point per mode/codec configuration, as a PNG (headless AWT). */
final class ParetoPlot {
    record Point(String config, String mode, double ndcg, double p50) {
        String label() {
            return mode + " (" + config + ")";
        }
    }

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
    };

    private ParetoPlot() {}

    /** Points not dominated by another (no other has p50 ≤ and nDCG ≥ with one strictly better), by latency. */
    static List<Point> frontier(List<Point> points) {
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(Point::p50).thenComparing(Comparator.comparingDouble(Point::ndcg).reversed()));
        List<Point> out = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : sorted) {
            if (p.ndcg() > best) {
                out.add(p);
                best = p.ndcg();
            }
        }
        return out;
    }

    static void write(List<Point> points, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 1120;
        int h = 640;
        int left = 80;
        int right = 440;
        int top = 50;
        int bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);

        double maxX = 1;
        double minY = 1;
        double maxY = 0;
        for (Point p : points) {
            maxX = Math.max(maxX, p.p50());
            minY = Math.min(minY, p.ndcg());
            maxY = Math.max(maxY, p.ndcg());
        }
        maxX = niceCeil(maxX * 1.1);
        double yLo = Math.max(0, Math.floor((minY - 0.02) * 50) / 50);
        double yHi = Math.min(1, Math.ceil((maxY + 0.02) * 50) / 50);
        if (yHi <= yLo) {
            yHi = yLo + 0.1;
        }
        int pw = w - left - right;
        int ph = h - top - bottom;
        final double xMax = maxX;
        final double y0 = yLo;
        final double y1 = yHi;
        java.util.function.DoubleUnaryOperator sx = x -> left + x / xMax * pw;
        java.util.function.DoubleUnaryOperator sy = y -> top + ph - (y - y0) / (y1 - y0) * ph;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        // grid and ticks
        for (int i = 0; i <= 5; i++) {
            double x = xMax * i / 5;
            int px = (int) sx.applyAsDouble(x);
            g.setColor(new Color(0xeeeeee));
            g.drawLine(px, top, px, top + ph);
            g.setColor(Color.DARK_GRAY);
            String t = String.format(Locale.ROOT, "%.0f", x);
            g.drawString(t, px - g.getFontMetrics().stringWidth(t) / 2, top + ph + 18);
            double y = y0 + (y1 - y0) * i / 5;
            int py = (int) sy.applyAsDouble(y);
            g.setColor(new Color(0xeeeeee));
            g.drawLine(left, py, left + pw, py);
            g.setColor(Color.DARK_GRAY);
            t = String.format(Locale.ROOT, "%.3f", y);
            g.drawString(t, left - 8 - g.getFontMetrics().stringWidth(t), py + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString("p50 end-to-end latency (ms), open loop at 50% of max throughput", left + pw / 2 - 190, h - 25);
        Graphics2D gr = (Graphics2D) g.create();
        gr.rotate(-Math.PI / 2);
        gr.drawString("nDCG@10", -(top + ph / 2) - 25, 22);
        gr.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, 30);

        // frontier
        List<Point> front = frontier(points);
        g.setColor(new Color(0x999999));
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
        for (int i = 1; i < front.size(); i++) {
            Point a = front.get(i - 1);
            Point b = front.get(i);
            g.drawLine((int) sx.applyAsDouble(a.p50()), (int) sy.applyAsDouble(a.ndcg()),
                    (int) sx.applyAsDouble(b.p50()), (int) sy.applyAsDouble(a.ndcg()));
            g.drawLine((int) sx.applyAsDouble(b.p50()), (int) sy.applyAsDouble(a.ndcg()),
                    (int) sx.applyAsDouble(b.p50()), (int) sy.applyAsDouble(b.ndcg()));
        }
        g.setStroke(new BasicStroke(1f));

        // points and legend
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int ly = top + 10;
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            Color c = PALETTE[i % PALETTE.length];
            int px = (int) sx.applyAsDouble(p.p50());
            int py = (int) sy.applyAsDouble(p.ndcg());
            g.setColor(c);
            boolean onFront = front.contains(p);
            if (onFront) {
                g.fillOval(px - 6, py - 6, 12, 12);
            } else {
                g.setStroke(new BasicStroke(2f));
                g.drawOval(px - 5, py - 5, 10, 10);
                g.setStroke(new BasicStroke(1f));
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.valueOf(i + 1), px + 7, py - 6);
            g.setColor(c);
            g.fillOval(left + pw + 20, ly - 9, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%d  %s  %.4f @ %.1f ms%s", i + 1, p.label(), p.ndcg(), p.p50(),
                    onFront ? "  *" : ""), left + pw + 36, ly);
            ly += 20;
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("* and filled: Pareto frontier (dashed)", left + pw + 20, ly + 10);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
