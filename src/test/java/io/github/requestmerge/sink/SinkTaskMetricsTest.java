package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.requestmerge.merge.MergedState;
import io.github.requestmerge.retry.Availability;

class SinkTaskMetricsTest {

    /**
     * A JMX scraper reads every attribute, often: none may walk the cached documents. The documents' states
     * are taken away after they are cached, so an attribute that touched any of them would fail.
     */
    @Test
    void readingEveryAttributeTouchesNoCachedDocument() throws Exception {
        StateCache cache = new StateCache(10_000, 64L << 20, Duration.ofHours(1));
        List<CachedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            CachedDocument doc = new CachedDocument(new MergedState(), 1, 1);
            cache.put(new DocKey("requests", "id-" + i), doc);
            docs.add(doc);
        }
        docs.forEach(doc -> doc.state = null);

        SinkTaskMetrics metrics = new SinkTaskMetrics();
        metrics.bind(() -> 0, () -> 0, cache, Availability.of("test", "Elasticsearch"), () -> false);
        int read = 0;
        for (Method getter : SinkTaskMetricsMBean.class.getMethods()) {
            if (getter.getParameterCount() == 0) {
                getter.invoke(metrics);
                read++;
            }
        }
        assertEquals(SinkTaskMetricsMBean.class.getMethods().length, read);
        assertTrue(metrics.getCacheBytes() > 0, "the cache's weight, kept by Caffeine");
    }
}
