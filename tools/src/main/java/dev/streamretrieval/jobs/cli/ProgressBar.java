package dev.streamretrieval.jobs.cli;

import java.io.PrintStream;

/** A one-line progress bar on stderr: label, bar, count/total, rate. Redraws at most 10 times a second. */
public final class ProgressBar implements AutoCloseable {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long current;

    public ProgressBar(String label, long total) {
        this(label, total, System.err);
    }

    public ProgressBar(String label, long total, PrintStream out) {
        this.label = label;
        this.total = Math.max(total, 1);
        this.out = out;
    }

    public void step() {
        set(current + 1);
    }

    public void set(long value) {
        current = value;
        long now = System.nanoTime();
        if (now - lastDraw > 100_000_000L || current >= total) {
            lastDraw = now;
            draw();
        }
    }

    private void draw() {
        int width = 30;
        int filled = (int) Math.min(width, width * current / total);
        double secs = (System.nanoTime() - start) / 1e9;
        out.printf("\r%-12s [%s%s] %d/%d %6.0f/s", label, "#".repeat(filled), ".".repeat(width - filled),
                current, total, secs > 0 ? current / secs : 0.0);
        out.flush();
    }

    @Override
    public void close() {
        draw();
        out.println();
    }
}
