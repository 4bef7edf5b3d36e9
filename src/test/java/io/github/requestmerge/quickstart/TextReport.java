package io.github.requestmerge.quickstart;

import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.github.requestmerge.quickstart.QuickstartReport.Breakdown;
import io.github.requestmerge.quickstart.QuickstartReport.Bucket;
import io.github.requestmerge.quickstart.QuickstartReport.Percentiles;
import io.github.requestmerge.quickstart.QuickstartReport.Reason;
import io.github.requestmerge.traffic.LeadTraffic;

/** The quickstart's report for the terminal. */
final class TextReport {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TextReport() {
    }

    static String render(QuickstartReport report) {
        StringBuilder out = new StringBuilder();
        LeadTraffic.Totals produced = report.produced();
        line(out, "\n== What happened");
        line(out, String.format(Locale.ROOT, "  produced        %,d events (%,d good, %,d bad) of %,d requests in %.0f s (%,.0f events/s)",
            produced.events(), produced.goodEvents(), produced.badEvents(), produced.requests(), report.trafficSeconds(),
            produced.events() / Math.max(1e-9, report.trafficSeconds())));
        line(out, String.format(Locale.ROOT, "  merged          %,d documents in index %s; every good event in it %.1f s after the last was sent",
            report.documents(), report.settings().index(), report.catchUpSeconds()));
        line(out, "  geo             " + report.geo());
        line(out, "  reporting delay " + delay(report));

        line(out, "\n== Two merged documents");
        for (JsonNode document : report.examples()) {
            line(out, indent(pretty(document)));
        }
        for (Breakdown breakdown : report.breakdowns()) {
            line(out, "\n== Clicks and impressions by " + breakdown.title() + " (" + breakdown.field() + ")");
            line(out, String.format(Locale.ROOT, "  %-32s %10s %10s %12s", "", "documents", "clicks", "impressions"));
            for (Bucket bucket : breakdown.top()) {
                bucket(out, bucket);
            }
            if (breakdown.others().documents() > 0) {
                bucket(out, breakdown.others());
            }
            bucket(out, breakdown.total());
        }

        line(out, "\n== Dead letter queue " + report.deadLetters().topic() + ": " + report.deadLetters().distinct()
            + " bad records" + redelivered(report.deadLetters()) + " (" + produced.badEvents() + " bad ones produced: "
            + bad(produced.bad()) + ")");
        for (Reason reason : report.deadLetters().reasons()) {
            line(out, String.format(Locale.ROOT, "  %5d  %s  (e.g. %s)", reason.count(), reason.reason(), reason.example()));
        }
        line(out, String.format(Locale.ROOT, "\n== Archive: %,d objects, %.1f MiB in s3://%s/%s", report.archive().objects(),
            report.archive().bytes() / 1048576.0, report.archive().bucket(), report.archive().prefix()));
        QuickstartReport.Verify verify = report.verify();
        line(out, String.format(Locale.ROOT, "\n== request-merge verify: exit %d (%s): %,d documents compared, %,d equal, %,d different, "
            + "%,d missing, %,d extra, %,d not yet archived", verify.exitCode(), verify.exitCode() == 0
            ? "the index agrees with the archive" : "see below", verify.compared(), verify.equal(), verify.different(),
            verify.missing(), verify.extra(), verify.notYetArchived()));
        line(out, "   " + verify.command());
        if (verify.exitCode() != 0) {
            line(out, indent(verify.output()));
        }
        return out.toString();
    }

    static String delay(QuickstartReport report) {
        Percentiles lag = report.lag();
        Percentiles probes = report.probes();
        String sink = lag == null ? "sink's JMX metrics not available"
            : String.format(Locale.ROOT, "sink (event to Elasticsearch ack, JMX) p50 %s, p95 %s, p99 %s, max %s", ms(lag.p50()),
                ms(lag.p95()), ms(lag.p99()), ms(lag.max()));
        String reader = probes.count() == 0 ? "no probe measured"
            : String.format(Locale.ROOT, "reader (sent to visible in a realtime GET, %d probes) p50 %s, p95 %s, p99 %s, max %s",
                probes.count(), ms(probes.p50()), ms(probes.p95()), ms(probes.p99()), ms(probes.max()));
        return sink + "; " + reader;
    }

    static String ms(long millis) {
        return millis < 0 ? "-" : millis + " ms";
    }

    static String bad(Map<LeadTraffic.Bad, Long> bad) {
        StringBuilder text = new StringBuilder();
        for (LeadTraffic.Bad kind : LeadTraffic.Bad.values()) {
            text.append(text.length() == 0 ? "" : ", ").append(bad.getOrDefault(kind, 0L)).append(' ')
                .append(kind.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        return text.toString();
    }

    private static void bucket(StringBuilder out, Bucket bucket) {
        line(out, String.format(Locale.ROOT, "  %-32s %,10d %,10d %,12d", bucket.key(), bucket.documents(), bucket.clicks(),
            bucket.impressions()));
    }

    static String pretty(JsonNode document) {
        try {
            return PRETTY.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            return document.toString();
        }
    }

    private static String indent(String text) {
        return "  " + text.replace("\n", "\n  ");
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append('\n');
    }

    /** @return how many records of the queue are a bad record reported again, said as a clause; empty when none */
    static String redelivered(QuickstartReport.DeadLetters deadLetters) {
        long again = deadLetters.records() - deadLetters.distinct();
        return again == 0 ? "" : String.format(Locale.ROOT, ", %,d of them reported twice after a redelivery (the queue is "
            + "at least once)", again);
    }
}
