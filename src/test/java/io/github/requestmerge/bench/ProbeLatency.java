package io.github.requestmerge.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * End-to-end latency as a user of the index sees it: every {@code probeMs} a probe event adds 1 to
 * the counter of one dedicated document, and its send time is kept; a poller reads that document
 * with realtime GETs every {@code pollMs} and notes when the counter reaches each value. Latency of
 * probe n = when the document first showed a counter of at least n, minus when probe n was sent
 * (both on this JVM's monotonic clock).
 *
 * <p>Thread-safety: one scheduler thread sends, one poller thread reads; the caller's thread starts,
 * stops and reads the results.
 */
final class ProbeLatency {

    static final String FIELD = "probe";

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final String id;
    private final BenchIndex index;
    private final long probeMs;
    private final long pollNanos;
    private final AtomicLongArray sentNanos;
    private final AtomicLongArray seenNanos;
    private final AtomicInteger sent = new AtomicInteger();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
        runnable -> new Thread(runnable, "probe-sender"));
    private final Thread poller;
    private volatile boolean polling = true;
    private volatile int seen;
    private volatile long polls;
    private volatile long pollErrors;
    private volatile String lastPollError;

    ProbeLatency(KafkaProducer<String, String> producer, String topic, String id, BenchIndex index, int probeMs,
                 int pollMs, int capacity) {
        this.producer = producer;
        this.topic = topic;
        this.id = id;
        this.index = index;
        this.probeMs = probeMs;
        this.pollNanos = TimeUnit.MILLISECONDS.toNanos(pollMs);
        this.sentNanos = new AtomicLongArray(capacity + 1);
        this.seenNanos = new AtomicLongArray(capacity + 1);
        this.poller = new Thread(this::poll, "probe-poller");
        this.poller.setDaemon(true);
    }

    void start() {
        poller.start();
        sender.scheduleAtFixedRate(this::send, 0, probeMs, TimeUnit.MILLISECONDS);
    }

    private void send() {
        int n = sent.get() + 1;
        if (n >= sentNanos.length()) {
            return;
        }
        sentNanos.set(n, System.nanoTime());
        sent.set(n);
        producer.send(new ProducerRecord<>(topic, id, "{\"id\":\"" + id + "\",\"" + FIELD + "\":\"+1\"}"));
    }

    private void poll() {
        while (polling) {
            try {
                long value = index.realtimeValue(id, FIELD);
                long now = System.nanoTime();
                polls++;
                int top = (int) Math.min(value, sentNanos.length() - 1);
                for (int n = seen + 1; n <= top; n++) {
                    seenNanos.set(n, now);
                }
                if (top > seen) {
                    seen = top;
                }
            } catch (RuntimeException e) {
                pollErrors++;
                lastPollError = e.toString();
            }
            LockSupport.parkNanos(pollNanos);
        }
    }

    /** Stops sending probes; the poller goes on until {@link #awaitAllSeen} or {@link #stop}. */
    void stopSending() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(10, TimeUnit.SECONDS);
        producer.flush();
    }

    /** @return true when the document shows every probe sent, within the timeout */
    boolean awaitAllSeen(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen < sent.get()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    void stop() throws InterruptedException {
        polling = false;
        poller.join(5_000);
        sender.shutdownNow();
    }

    int sent() {
        return sent.get();
    }

    int seen() {
        return seen;
    }

    long polls() {
        return polls;
    }

    long pollErrors() {
        return pollErrors;
    }

    String lastPollError() {
        return lastPollError;
    }

    /** @return latency of probe {@code n} (1-based) in milliseconds, or -1 while not seen */
    double latencyMs(int n) {
        long seenAt = seenNanos.get(n);
        return seenAt == 0 ? -1 : (seenAt - sentNanos.get(n)) / 1e6;
    }

    /** @return the latencies of the probes seen so far, in milliseconds, sorted */
    double[] sortedLatenciesMs() {
        int count = seen;
        double[] latencies = new double[count];
        for (int n = 1; n <= count; n++) {
            latencies[n - 1] = latencyMs(n);
        }
        Arrays.sort(latencies);
        return latencies;
    }

    /** @return the nearest-rank percentile (0-100) of sorted values, NaN when there are none */
    static double percentile(double[] sorted, double percentile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
