package io.github.requestmerge.quickstart;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.producer.KafkaProducer;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.TestData;
import io.github.requestmerge.archive.S3Clients;
import io.github.requestmerge.archive.S3Settings;
import io.github.requestmerge.bench.WorkerJmx;
import io.github.requestmerge.cli.RequestMergeCli;
import io.github.requestmerge.enrich.EnrichConfig;
import io.github.requestmerge.quickstart.QuickstartReport.Breakdown;
import io.github.requestmerge.quickstart.QuickstartReport.Bucket;
import io.github.requestmerge.quickstart.QuickstartReport.Percentiles;
import io.github.requestmerge.quickstart.QuickstartReport.Sample;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.testing.Waits;
import io.github.requestmerge.traffic.LeadTraffic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code bin/quickstart}: the whole product on a running stack. Creates, over the Connect REST API and
 * from the files in {@code config/}, the merging sink (with the Enrich SMT) and the raw archive; streams
 * lead traffic ({@link LeadTraffic}) at a steady rate with a progress line; waits until the index holds
 * every good event; then reports what a user would look at: merged documents, clicks and impressions by
 * domain, country and browser, the reporting delay, the dead letter queue and its reasons, the archive,
 * and {@code request-merge verify} of the live index against the archive. The report is printed and
 * written as {@code report.txt} and a self-contained {@code report.html}.
 *
 * <p>{@link #run} is the same run for a test on the {@code Stack} extension's parts, with a prefix for
 * its names.
 */
@Command(name = "bin/quickstart", mixinStandardHelpOptions = true,
    description = "Streams lead traffic through the merging sink and the raw archive on the local stack, and reports.")
public final class Quickstart implements Callable<Integer> {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 3;
    /** About one record in a thousand is bad: enough for the dead letter queue to show every kind of reason. */
    private static final double BAD_SHARE = 0.001;

    @Option(names = "--minutes", paramLabel = "N", defaultValue = "2", description = "How long the traffic runs (default 2; decimals allowed).")
    double minutes;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", defaultValue = "800", description = "Events per second (default 800).")
    int rate;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the traffic (default 1).")
    long seed;

    @Option(names = "--geoip", paramLabel = "FILE", description = "A GeoLite2/GeoIP2 City database (default: the test data's).")
    Path geoip;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/quickstart", description = "Where the report goes.")
    Path out;

    /**
     * One run.
     *
     * @param geoDatabase a City database, or null to run without geo
     * @param prefix put before the connectors', topics', index's and archive folder's names ("" for none)
     * @param terminal draw a progress bar (else a line every ten seconds)
     */
    public record Options(double minutes, int rate, long seed, double badShare, Path geoDatabase, Path outDir, String prefix,
                          boolean terminal) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Quickstart()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path project = Paths.get(System.getProperty("project.basedir", ".")).toAbsolutePath();
        Path stackDir = Paths.get(System.getProperty("stack.dir", project.resolve("target/stack").toString()));
        StackEndpoints stack = StackEndpoints.read(stackDir.resolve("stack.properties"));
        Path geo = geoip != null ? geoip : TestData.dir().resolve("GeoLite2-City.mmdb");
        if (!Files.isRegularFile(geo)) {
            System.out.println("No GeoLite2 City database at " + geo + ": running without geo. To add geo, get one from "
                + "MaxMind (a free GeoLite2 account, then `geoipupdate` writes GeoLite2-City.mmdb), and pass --geoip FILE "
                + "(the sink's setting is transforms.enrich." + EnrichConfig.GEOIP_DATABASE_PATH + "), or run "
                + "bin/fetch-test-data.");
            geo = null;
        }
        Options options = new Options(minutes, rate, seed, BAD_SHARE, geo, project.resolve(out), "", System.console() != null);
        QuickstartReport report = run(options, stack, project, System.out);
        return report.verify().exitCode() == 0 ? 0 : 1;
    }

    /** Runs the quickstart on the stack, prints its report and writes it to the options' folder. */
    public static QuickstartReport run(Options options, StackEndpoints stack, Path projectDir, PrintStream out)
        throws Exception {
        ShippedConnectors connectors = new ShippedConnectors(projectDir, stack, options.prefix(), options.geoDatabase());
        Path[] files = connectors.write(options.outDir());
        Documents elasticsearch = new Documents(stack.elasticsearchUrl());
        MergedIndex index = new MergedIndex(elasticsearch, connectors.index());
        ConnectRest connect = new ConnectRest(stack.connectUrl());
        try (S3Client s3 = S3Clients.open(new S3Settings(stack.s3Bucket(), stack.s3Region(), URI.create(stack.s3Endpoint()),
                 true, stack.s3AccessKey(), stack.s3SecretKey(), null))) {
            out.println("Starting clean: removing what an earlier quickstart left (connectors, topics, index, archive) ...");
            CleanSlate.prepare(stack, connectors, PARTITIONS, s3);
            out.println("Creating the connectors from config/ over " + stack.connectUrl() + " (configs as sent: "
                + files[0] + ", " + files[1] + ") ...");
            connect.putConfig(connectors.sinkName(), connectors.sink());
            connect.putConfig(connectors.archiveName(), connectors.archive());
            connect.awaitRunning(connectors.sinkName(), connectors.sinkTasks(), START_TIMEOUT);
            connect.awaitRunning(connectors.archiveName(), connectors.archiveTasks(), START_TIMEOUT);

            LeadTraffic.Shape shape = LeadTraffic.Shape.over(Duration.ofMillis((long) (options.minutes() * 60_000)), options.rate());
            LeadTraffic traffic = LeadTraffic.withTestData(options.seed(), new LeadTraffic.Shape(shape.eventsPerSecond(),
                shape.events(), shape.minSpan(), shape.maxSpan(), shape.meanEventsPerRequest(), options.badShare()));
            out.printf(Locale.ROOT, "Streaming %,d lead events at %,d/s for %.1f min to topic %s ...%n", traffic.shape().events(),
                options.rate(), options.minutes(), connectors.topic());
            List<Sample> samples = new ArrayList<>();
            double trafficSeconds;
            double catchUpSeconds;
            LiveTraffic live;
            try (WorkerJmx jmx = WorkerJmx.attach(stack.connectPid());
                 KafkaProducer<String, String> producer = new Topics(stack.kafkaBootstrapServers()).producer();
                 DeadLetterQueue deadLetters = new DeadLetterQueue(stack.kafkaBootstrapServers(), connectors.deadLetterTopic());
                 LiveProgress progress = new LiveProgress(options.terminal(), out, traffic.shape().events())) {
                live = new LiveTraffic(traffic, producer, connectors.topic(), elasticsearch, connectors.index());
                Sampler sampler = new Sampler(live, jmx, connectors.sinkName(), index, deadLetters);
                live.start();
                while (live.sent() < traffic.shape().events()) {
                    samples.add(sampler.sample());
                    progress.update(samples.get(samples.size() - 1));
                    Waits.sleep(Math.max(1, (long) (1000 * (samples.size() - live.secondsSinceStart()))));
                }
                live.awaitDone(60_000);
                trafficSeconds = live.secondsSinceStart();
                // Every good event in the index: the documents, and their clicks and impressions, are all there.
                LeadTraffic.Totals produced = traffic.totals();
                long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
                while (true) {
                    Bucket totals = index.totals();
                    if (totals.documents() == produced.requests() && totals.clicks() == produced.clicks()
                        && totals.impressions() == produced.impressions() && deadLetters.records() >= produced.badEvents()
                        && deadLetters.read(Duration.ofSeconds(10)).distinct() >= produced.badEvents()
                        || System.nanoTime() > deadline) {
                        break;
                    }
                    samples.add(sampler.sample());
                    progress.update(samples.get(samples.size() - 1));
                    Waits.sleep(Math.max(1, (long) (1000 * (samples.size() - live.secondsSinceStart()))));
                }
                catchUpSeconds = live.secondsSinceStart() - trafficSeconds;
                live.close();
                samples.add(sampler.sample());
                progress.update(samples.get(samples.size() - 1));
            }
            out.println();
            out.println("Reading the report from the index, the sink's metrics, the dead letter queue and the archive ...");
            QuickstartReport report = report(options, stack, connectors, files, traffic, trafficSeconds, catchUpSeconds, samples,
                live, index, s3, out);
            String text = TextReport.render(report);
            Files.writeString(options.outDir().resolve("report.txt"), text);
            Path html = options.outDir().resolve("report.html");
            Files.writeString(html, HtmlReport.render(report));
            out.print(text);
            out.println();
            report.endpoints().forEach(out::println);
            out.println("\nThe same report as a page: " + html);
            return report;
        }
    }

    private static QuickstartReport report(Options options, StackEndpoints stack, ShippedConnectors connectors, Path[] files,
                                           LeadTraffic traffic, double trafficSeconds, double catchUpSeconds,
                                           List<Sample> samples, LiveTraffic live, MergedIndex index, S3Client s3,
                                           PrintStream out) throws IOException {
        List<Breakdown> breakdowns = List.of(index.breakdown("domain", "domain", 10),
            index.breakdown("country", "geo.country_name", 10), index.breakdown("browser", "UA.name", 10));
        Percentiles lag = null;
        try (WorkerJmx jmx = WorkerJmx.attach(stack.connectPid())) {
            if (jmx != null) {
                Map<String, Number> totals = jmx.sinkTotals(connectors.sinkName());
                lag = new Percentiles(totals.get("ReportingLagP50Ms").longValue(), totals.get("ReportingLagP95Ms").longValue(),
                    totals.get("ReportingLagP99Ms").longValue(), totals.get("ReportingLagMaxMs").longValue(),
                    totals.get("EventsMerged").longValue());
            }
        } catch (javax.management.JMException e) {
            out.println("Could not read the sink's metrics: " + e);
        }
        QuickstartReport.DeadLetters deadLetters;
        try (DeadLetterQueue queue = new DeadLetterQueue(stack.kafkaBootstrapServers(), connectors.deadLetterTopic())) {
            deadLetters = queue.read(Duration.ofSeconds(30));
        }
        QuickstartReport.Verify verify = verify(files, options.outDir(), out);
        long objects = 0;
        long bytes = 0;
        String token = null;
        do {
            String continuation = token;
            var page = s3.listObjectsV2(list -> list.bucket(stack.s3Bucket()).prefix(connectors.archivePrefix())
                .continuationToken(continuation));
            for (S3Object object : page.contents()) {
                objects++;
                bytes += object.size();
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        List<String> endpoints = List.of(
            "The stack keeps running (stop everything with: bin/quickstart down):",
            "  Elasticsearch   " + stack.elasticsearchUrl() + "/" + connectors.index() + "/_search",
            "  Kafka           " + stack.kafkaBootstrapServers() + "  (topic " + connectors.topic() + ", dead letters "
                + connectors.deadLetterTopic() + ")",
            "  Kafka Connect   " + stack.connectUrl() + "/connectors/" + connectors.sinkName() + "/status  and  /connectors/"
                + connectors.archiveName() + "/status",
            "  S3 (s3proxy)    " + stack.s3Endpoint() + "  bucket " + stack.s3Bucket() + ", folder " + connectors.archivePrefix()
                + " (access key " + stack.s3AccessKey() + ")",
            "  Connector configs as created: " + files[0] + ", " + files[1]);
        return new QuickstartReport(new QuickstartReport.Settings(options.minutes(), options.rate(), options.seed(),
            connectors.index(), connectors.topic()),
            options.geoDatabase() == null ? "off (no GeoLite2 database; see the README's quickstart)"
                : "GeoLite2 City database " + options.geoDatabase(),
            traffic.totals(), trafficSeconds, catchUpSeconds, breakdowns.get(0).total().documents(), index.examples(), breakdowns,
            lag, percentiles(live.delays()), deadLetters, new QuickstartReport.Archive(stack.s3Bucket(),
                connectors.archivePrefix(), objects, bytes), verify, samples, endpoints);
    }

    /**
     * Runs {@code request-merge verify} on the live index until the archive has caught up (the archive
     * closes the quiet tail of each partition on its rotation schedule, and verify names documents with
     * offsets it does not have yet, without comparing them).
     */
    private static QuickstartReport.Verify verify(Path[] files, Path outDir, PrintStream out) throws IOException {
        Path summary = outDir.resolve("verify.json");
        String[] args = {"verify", "--archive", files[1].toString(), "--sink", files[0].toString(), "--no-progress",
            "--summary-json", summary.toString()};
        String command = "bin/request-merge verify --archive " + files[1] + " --sink " + files[0];
        long deadline = System.nanoTime() + VERIFY_TIMEOUT.toNanos();
        while (true) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            PrintStream stream = new PrintStream(text, true, StandardCharsets.UTF_8);
            Files.deleteIfExists(summary);
            int exit = RequestMergeCli.run(args, stream, stream);
            JsonNode json = Files.exists(summary) ? Documents.JSON.readTree(summary.toFile()) : Documents.JSON.createObjectNode();
            long notYet = json.path("not_vouched").asLong();
            // verify exits 0 while documents wait for the archive (it does not compare them): wait for those too.
            if (notYet == 0 || exit >= 2 || System.nanoTime() > deadline) {
                return new QuickstartReport.Verify(exit, json.path("compared").asLong(), json.path("equal").asLong(),
                    json.path("different").asLong(), json.path("missing").asLong(), json.path("extra").asLong(), notYet, command,
                    text.toString(StandardCharsets.UTF_8).trim());
            }
            out.println("verify: " + notYet + " documents hold events the archive does not have yet; again in "
                + ShippedConnectors.ARCHIVE_ROTATE_SCHEDULE_MS / 1000 + " s ...");
            Waits.sleep(ShippedConnectors.ARCHIVE_ROTATE_SCHEDULE_MS);
        }
    }

    static Percentiles percentiles(List<LiveTraffic.Delay> delays) {
        long[] millis = delays.stream().mapToLong(LiveTraffic.Delay::millis).sorted().toArray();
        if (millis.length == 0) {
            return new Percentiles(-1, -1, -1, -1, 0);
        }
        return new Percentiles(rank(millis, 50), rank(millis, 95), rank(millis, 99), millis[millis.length - 1], millis.length);
    }

    /** @return the nearest-rank percentile of sorted values */
    static long rank(long[] sorted, double percentile) {
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Takes one sample a second: the traffic's counters, the sink's (JMX), the index's and the dead letter queue's. */
    private static final class Sampler {
        private final LiveTraffic live;
        private final WorkerJmx jmx;
        private final String sinkName;
        private final MergedIndex index;
        private final DeadLetterQueue deadLetters;
        private long lastSent;
        private long lastMerged = -1;
        private double lastSecond;

        Sampler(LiveTraffic live, WorkerJmx jmx, String sinkName, MergedIndex index, DeadLetterQueue deadLetters) {
            this.live = live;
            this.jmx = jmx;
            this.sinkName = sinkName;
            this.index = index;
            this.deadLetters = deadLetters;
        }

        Sample sample() {
            double second = live.secondsSinceStart();
            long sent = live.sent();
            long merged = -1;
            long lagP99 = -1;
            if (jmx != null) {
                try {
                    Map<String, Number> totals = jmx.sinkTotals(sinkName);
                    if (!totals.isEmpty()) {
                        merged = totals.get("EventsMerged").longValue();
                        lagP99 = totals.get("ReportingLagP99Ms").longValue();
                    }
                } catch (IOException | javax.management.JMException e) {
                    // a sample without the sink's metrics
                }
            }
            long documents;
            try {
                documents = index.documentsNow();
            } catch (RuntimeException e) {
                documents = 0;
            }
            double elapsed = Math.max(1e-3, second - lastSecond);
            Sample sample = new Sample(second, sent, (sent - lastSent) / elapsed,
                merged < 0 || lastMerged < 0 ? -1 : (merged - lastMerged) / elapsed, documents, live.delayNowMillis(), lagP99,
                deadLetters.records());
            lastSent = sent;
            lastMerged = merged;
            lastSecond = second;
            return sample;
        }
    }
}
