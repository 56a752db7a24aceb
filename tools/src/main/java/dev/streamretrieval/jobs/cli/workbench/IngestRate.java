package dev.streamretrieval.jobs.cli.workbench;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Documents per second from successive readings of a growing count (the job's applied upserts and deletes):
 *
 * <pre>
 *   rate = (count_newest − count_oldest) / (t_newest − t_oldest)
 * </pre>
 *
 * over the readings of the last {@code window} nanoseconds, so the page shows the current pace rather than the
 * average since start. A count that goes down (the job restarted from older state) starts the window afresh.
 */
final class IngestRate {
    private record Reading(long nanos, long count) {}

    private final long window;
    private final Deque<Reading> readings = new ArrayDeque<>();

    IngestRate(long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.window = windowNanos;
    }

    synchronized void add(long nanos, long count) {
        Reading last = readings.peekLast();
        if (last != null && (count < last.count || nanos <= last.nanos)) {
            if (count < last.count) {
                readings.clear();
            } else {
                return; // same instant: keep the first reading
            }
        }
        readings.addLast(new Reading(nanos, count));
        // keep one reading at or before the window's start, so the span covers the whole window
        while (readings.size() > 2) {
            Iterator<Reading> it = readings.iterator();
            it.next();
            Reading second = it.next();
            if (nanos - second.nanos >= window) {
                readings.removeFirst();
            } else {
                break;
            }
        }
    }

    /** Documents per second over the window; 0 with fewer than two readings. */
    synchronized double perSecond() {
        if (readings.size() < 2) {
            return 0;
        }
        Reading first = readings.peekFirst();
        Reading last = readings.peekLast();
        return (last.count - first.count) * 1e9 / (last.nanos - first.nanos);
    }
}
