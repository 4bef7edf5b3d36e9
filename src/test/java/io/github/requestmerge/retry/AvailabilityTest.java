package io.github.requestmerge.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class AvailabilityTest {

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final Availability availability = new Availability("task-0", "Elasticsearch", Duration.ofSeconds(30), clock::get);

    @Test
    void anOutageRunsFromTheFirstFailureToTheNextSuccess() {
        assertTrue(availability.available());
        assertEquals("", availability.unavailableSince());
        availability.failed("bulk request of 3 documents", "java.net.ConnectException: Connection refused",
            Duration.ofMillis(100));
        clock.addAndGet(45_000);
        availability.failed("bulk request of 3 documents", "HTTP 503 cluster_block_exception: state not recovered",
            Duration.ofMillis(200));

        assertFalse(availability.available());
        assertEquals("2023-11-14T22:13:20Z", availability.unavailableSince());
        assertEquals(45_000, availability.unavailableMillis());
        assertEquals("bulk request of 3 documents: HTTP 503 cluster_block_exception: state not recovered",
            availability.lastError());

        availability.succeeded();
        assertTrue(availability.available());
        assertEquals(0, availability.unavailableMillis());
        assertEquals(2, availability.retries());
        assertEquals(1, availability.outages());
    }

    @Test
    void eachOutageIsCountedOnceHoweverManyRetriesItTakes() {
        for (int outage = 0; outage < 3; outage++) {
            for (int retry = 0; retry < 10; retry++) {
                availability.failed("multi-get", "timeout", Duration.ZERO);
                clock.addAndGet(1_000);
            }
            availability.succeeded();
        }
        assertEquals(3, availability.outages());
        assertEquals(30, availability.retries());
        assertTrue(availability.available());
    }
}
