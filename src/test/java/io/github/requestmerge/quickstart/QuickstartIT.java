package io.github.requestmerge.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.github.requestmerge.TestData;
import io.github.requestmerge.quickstart.QuickstartReport.Breakdown;
import io.github.requestmerge.quickstart.QuickstartReport.Bucket;
import io.github.requestmerge.stack.S3Server;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.traffic.LeadTraffic;

/**
 * {@code bin/quickstart}'s run, short and at a modest rate, on the real stack: both shipped connectors
 * created from {@code config/}, lead traffic with planted bad records, then the report checked against
 * what the traffic produced (documents, clicks and impressions by domain exactly, by country and
 * browser in sum), the dead letter queue's reasons against the planted records, the archive, verify's
 * exit code, and the HTML page (self-contained, with its charts).
 */
@ExtendWith(Stack.class)
class QuickstartIT {

    private static final String PREFIX = "quickstart-it-";

    @TempDir
    Path dir;

    @Test
    void theQuickstartMergesLeadTrafficAndReportsWhatWasProduced() throws Exception {
        S3Server s3 = Stack.s3();
        StackEndpoints stack = new StackEndpoints(Stack.elasticsearch().url(), Stack.kafka().bootstrapServers(),
            Stack.connect().restUrl(), Stack.connect().pid(), s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region(),
            s3.bucket());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        QuickstartReport report;
        try {
            report = Quickstart.run(new Quickstart.Options(0.4, 300, 11, 0.005, TestData.geoLite2City(), dir, PREFIX, false),
                stack, Paths.get(System.getProperty("project.basedir", ".")), new PrintStream(printed, true, StandardCharsets.UTF_8));
        } finally {
            System.out.println(printed.toString(StandardCharsets.UTF_8));
            ConnectRest connect = new ConnectRest(Stack.connect().restUrl());
            connect.delete(PREFIX + "request-merge");
            connect.delete(PREFIX + "request-archive");
        }

        LeadTraffic.Totals produced = report.produced();
        assertEquals(7_200, produced.events());
        assertEquals(produced.requests(), report.documents(), "one document per request");
        Breakdown byDomain = report.breakdowns().get(0);
        assertEquals(new Bucket("all", produced.requests(), produced.clicks(), produced.impressions()), byDomain.total());
        assertEquals(0, byDomain.others().documents(), "ten domains, all shown");
        for (Bucket bucket : byDomain.top()) {
            long[] sums = produced.byDomain().get(bucket.key());
            assertEquals(Arrays.toString(sums), Arrays.toString(new long[] {bucket.documents(), bucket.clicks(),
                bucket.impressions()}), bucket.key());
        }
        for (Breakdown breakdown : report.breakdowns().subList(1, 3)) {
            assertFalse(breakdown.top().isEmpty(), breakdown.title());
            assertTrue(breakdown.top().stream().anyMatch(bucket -> !bucket.key().equals(Bucket.MISSING)), breakdown.title()
                + " values found: " + breakdown.top());
            assertEquals(byDomain.total(), breakdown.total(), breakdown.title());
            assertEquals(produced.clicks(), breakdown.top().stream().mapToLong(Bucket::clicks).sum() + breakdown.others().clicks());
            assertEquals(produced.impressions(),
                breakdown.top().stream().mapToLong(Bucket::impressions).sum() + breakdown.others().impressions());
        }
        assertEquals(2, report.examples().size());

        // Connect's dead letter queue is at least once: a bad record redelivered after a rebalance (the tasks join one
        // after another at start-up) is reported again. Each one must be there, and nothing else.
        assertEquals(produced.badEvents(), report.deadLetters().distinct(), "every bad record in the dead letter queue");
        assertTrue(report.deadLetters().records() >= report.deadLetters().distinct());
        for (Map.Entry<LeadTraffic.Bad, Long> bad : produced.bad().entrySet()) {
            long withReason = report.deadLetters().reasons().stream()
                .filter(reason -> reason.reason().contains(bad.getKey().reason())).mapToLong(QuickstartReport.Reason::count).sum();
            assertEquals(bad.getValue().longValue(), withReason, bad.getKey() + " in " + report.deadLetters().reasons());
        }
        assertEquals(3, produced.bad().size(), "every kind planted: " + produced.bad());

        assertTrue(report.archive().objects() > 0, "archive objects");
        assertEquals(0, report.verify().exitCode(), report.verify().output());
        assertEquals(produced.requests(), report.verify().equal(), report.verify().output());
        assertFalse(report.samples().isEmpty());

        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertEquals(5, Pattern.compile("<svg ").matcher(html).results().count(), "two line charts and three bar charts");
        assertTrue(html.contains("<polyline"), "the line charts have lines");
        String lower = html.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<script") || lower.contains("<link") || lower.contains("<img")
            || Pattern.compile("(src|href)\\s*=\\s*\"?https?:").matcher(lower).find(), "nothing loaded from anywhere");
        assertTrue(html.contains(String.format(Locale.ROOT, "%,d", produced.requests())), "the document count is shown");
        assertTrue(Files.readString(dir.resolve("report.txt")).contains("request-merge verify: exit 0"));
    }
}
