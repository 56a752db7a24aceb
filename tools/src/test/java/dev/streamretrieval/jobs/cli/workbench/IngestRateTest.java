package dev.streamretrieval.jobs.cli.workbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IngestRateTest {
    private static final long S = 1_000_000_000L;

    @Test
    void rateOverTheWindowNotSinceStart() {
        IngestRate r = new IngestRate(10 * S);
        assertThat(r.perSecond()).isZero();
        r.add(0, 0);
        assertThat(r.perSecond()).isZero(); // one reading: no rate yet
        for (int t = 1; t <= 10; t++) {
            r.add(t * S, t * 100L); // 100 documents per second
        }
        assertThat(r.perSecond()).isCloseTo(100, within(1e-9));
        for (int t = 11; t <= 30; t++) {
            r.add(t * S, 1000 + (t - 10) * 10L); // slows to 10 per second
        }
        // the window holds only the slow part now
        assertThat(r.perSecond()).isCloseTo(10, within(1e-9));
        for (int t = 31; t <= 45; t++) {
            r.add(t * S, 1200); // idle
        }
        assertThat(r.perSecond()).isZero();
    }

    @Test
    void aCountThatGoesDownStartsAfresh() {
        IngestRate r = new IngestRate(10 * S);
        r.add(0, 500);
        r.add(S, 600);
        r.add(2 * S, 10); // the job restarted from older state
        assertThat(r.perSecond()).isZero();
        r.add(3 * S, 40);
        assertThat(r.perSecond()).isCloseTo(30, within(1e-9));
    }
}
