package io.github.requestmerge.quickstart;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.traffic.LeadTraffic;

/**
 * Lead traffic produced in real time, each event when it is due, with its send time as the record
 * timestamp (the event time the sink measures its reporting lag from). About once a second one
 * good event just sent is a probe: a poller reads its request's document with realtime GETs until
 * the document's {@code updated_at} reaches the event's time, and notes how long that took, which is
 * the reporting delay a reader of the index sees now, measured without adding documents of its own.
 *
 * <p>Thread-safety: a sender thread iterates the traffic and a poller thread reads the index; the
 * caller's thread starts, reads the counters and the delays, and closes. The traffic's totals may
 * be read once {@link #awaitDone} returned.
 */
final class LiveTraffic implements AutoCloseable {

    private static final long PROBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A probe's delay, taken {@code atSecond} seconds after the traffic started. */
    record Delay(double atSecond, long millis) {
    }

    private record Probe(String id, long timestampMillis, long sentNanos) {
    }

    private final LeadTraffic traffic;
    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final Documents elasticsearch;
    private final String index;
    private final AtomicLong sent = new AtomicLong();
    private final List<Delay> delays = new ArrayList<>();
    private final Thread sender;
    private final Thread poller;
    private volatile Probe probe;
    private volatile long startNanos;
    private volatile boolean closed;
    private volatile long lastDelayMillis = -1;
    private volatile Throwable failure;

    LiveTraffic(LeadTraffic traffic, KafkaProducer<String, String> producer, String topic, Documents elasticsearch,
                String index) {
        this.traffic = traffic;
        this.producer = producer;
        this.topic = topic;
        this.elasticsearch = elasticsearch;
        this.index = index;
        sender = new Thread(this::send, "quickstart-traffic");
        poller = new Thread(this::poll, "quickstart-probe");
        sender.setDaemon(true);
        poller.setDaemon(true);
    }

    void start() {
        startNanos = System.nanoTime();
        sender.start();
        poller.start();
    }

    private void send() {
        try {
            long nextProbe = startNanos;
            while (traffic.hasNext() && !closed) {
                LeadTraffic.Event event = traffic.next();
                long due = startNanos + TimeUnit.MILLISECONDS.toNanos(event.atMillis());
                long now = System.nanoTime();
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                long timestamp = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(topic, null, timestamp, event.key(), event.json()));
                sent.incrementAndGet();
                if (!event.isBad() && probe == null && now >= nextProbe) {
                    probe = new Probe(event.key(), timestamp, now);
                    nextProbe = now + PROBE_EVERY_NANOS;
                }
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void poll() {
        while (!closed) {
            Probe current = probe;
            if (current != null) {
                try {
                    JsonNode document = elasticsearch.get(index, current.id());
                    if (document != null && Instant.parse(document.path("updated_at").asText("1970-01-01T00:00:00Z"))
                        .toEpochMilli() >= current.timestampMillis()) {
                        long now = System.nanoTime();
                        lastDelayMillis = TimeUnit.NANOSECONDS.toMillis(now - current.sentNanos());
                        synchronized (delays) {
                            delays.add(new Delay((now - startNanos) / 1e9, lastDelayMillis));
                        }
                        probe = null;
                    }
                } catch (RuntimeException e) {
                    // Elasticsearch busy or the index not there yet: the probe's delay simply grows.
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** @return events handed to the producer so far */
    long sent() {
        return sent.get();
    }

    /** @return the last probe's delay in ms, or the age of the probe in flight if that is longer; -1 before any */
    long delayNowMillis() {
        Probe current = probe;
        long inFlight = current == null ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - current.sentNanos());
        return Math.max(lastDelayMillis, inFlight);
    }

    List<Delay> delays() {
        synchronized (delays) {
            return List.copyOf(delays);
        }
    }

    double secondsSinceStart() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Waits until every event was sent and acknowledged by the broker; the traffic's totals are final then. */
    void awaitDone(long timeoutMillis) throws InterruptedException {
        sender.join(timeoutMillis);
        if (sender.isAlive()) {
            throw new IllegalStateException("producing took over " + timeoutMillis + " ms; " + sent() + " events sent");
        }
        if (failure != null) {
            throw new IllegalStateException("producing to " + topic + " failed", failure);
        }
    }

    /** Stops sending, and lets the last probe in flight finish within a few seconds. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (probe != null && System.nanoTime() < deadline && !sender.isAlive()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        closed = true;
        try {
            sender.join(10_000);
            poller.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
