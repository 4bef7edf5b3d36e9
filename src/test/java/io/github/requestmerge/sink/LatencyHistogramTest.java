package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentilesAreTheUpperBoundOfTheirPowerOfTwoBucket() {
        LatencyHistogram histogram = new LatencyHistogram();
        assertEquals(0, histogram.percentile(50));
        for (int i = 0; i < 90; i++) {
            histogram.record(30);
        }
        for (int i = 0; i < 10; i++) {
            histogram.record(900);
        }
        assertEquals(32, histogram.percentile(50));
        assertEquals(32, histogram.percentile(90));
        assertEquals(1024, histogram.percentile(95));
        assertEquals(900, histogram.max());
    }

    @Test
    void negativeLatenciesFromSkewedClocksCountAsZero() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(-5);
        assertEquals(0, histogram.percentile(99));
    }
}
