package io.github.requestmerge.quickstart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.quickstart.QuickstartReport.Breakdown;
import io.github.requestmerge.quickstart.QuickstartReport.Bucket;
import io.github.requestmerge.quickstart.QuickstartReport.Reason;
import io.github.requestmerge.quickstart.QuickstartReport.Sample;
import io.github.requestmerge.traffic.LeadTraffic;

/**
 * The quickstart's report as one self-contained HTML page: inline CSS and inline SVG charts
 * ({@link SvgCharts}), no script and nothing loaded from anywhere, so it opens from disk or as a
 * mail attachment alike. Every text from the run is escaped.
 */
final class HtmlReport {

    private static final String CSS = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;margin:24px auto;max-width:980px;padding:0 16px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
        .sub{color:#5b6678;margin:0 0 16px}
        .cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#f4f6fa;border-radius:6px;padding:10px 14px;min-width:150px}
        .card b{display:block;font-size:20px}.card span{color:#5b6678;font-size:12px}
        table{border-collapse:collapse;margin:6px 0 10px}td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #eceff4}
        td:first-child,th:first-child{text-align:left}tr.sum td{font-weight:600}
        pre{background:#f4f6fa;padding:10px;border-radius:6px;overflow:auto;font-size:12px}
        .ok{color:#1a7f37;font-weight:600}.bad{color:#c62828;font-weight:600}
        svg{max-width:100%;height:auto}svg .grid{stroke:#e3e7ee}svg .frame{stroke:#9aa4b5}
        svg text{font:11px system-ui,sans-serif;fill:#3b4556}svg .axis{fill:#5b6678}svg .legend{font-weight:600}
        .two{display:grid;grid-template-columns:1fr 1fr;gap:10px}@media(max-width:800px){.two{grid-template-columns:1fr}}
        """;

    private HtmlReport() {
    }

    static String render(QuickstartReport report) {
        LeadTraffic.Totals produced = report.produced();
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            + "<title>kafka-connect-request-merge quickstart</title><style>").append(CSS).append("</style></head><body>\n");
        html.append("<h1>kafka-connect-request-merge: quickstart report</h1>");
        html.append("<p class=\"sub\">").append(escape(String.format(Locale.ROOT,
            "Lead traffic at %,d events/s for %.1f min (seed %d) into topic %s, merged into index %s. Geo: %s.",
            report.settings().rate(), report.settings().minutes(), report.settings().seed(), report.settings().topic(),
            report.settings().index(), report.geo()))).append("</p>\n");

        html.append("<div class=\"cards\">");
        card(html, String.format(Locale.ROOT, "%,d", produced.events()), "events produced");
        card(html, String.format(Locale.ROOT, "%,.0f", produced.events() / Math.max(1e-9, report.trafficSeconds())), "events/s");
        card(html, String.format(Locale.ROOT, "%,d", report.documents()), "merged documents");
        card(html, report.lag() == null ? "-" : TextReport.ms(report.lag().p99()), "reporting lag p99 (sink)");
        card(html, TextReport.ms(report.probes().p99()), "reporting delay p99 (reader)");
        card(html, String.format(Locale.ROOT, "%,d", report.deadLetters().distinct()), "dead letters");
        card(html, String.format(Locale.ROOT, "%,d", report.archive().objects()), "archive objects");
        cardHtml(html, "<span class=\"" + (report.verify().exitCode() == 0 ? "ok\">agrees" : "bad\">exit "
            + report.verify().exitCode()) + "</span>", "verify of the index against the archive");
        html.append("</div>\n");

        html.append("<h2>Over time</h2>");
        html.append(rateChart(report.samples())).append('\n');
        html.append(delayChart(report.samples())).append('\n');
        html.append("<p>").append(escape("Reporting delay: " + TextReport.delay(report))).append("</p>\n");

        html.append("<h2>Where the clicks came from</h2>");
        for (Breakdown breakdown : report.breakdowns()) {
            html.append("<h3>").append(escape("By " + breakdown.title())).append(" <small>(")
                .append(escape(breakdown.field())).append(")</small></h3><div class=\"two\"><div>");
            table(html, breakdown);
            html.append("</div><div>").append(SvgCharts.bars("Clicks by " + breakdown.title(), bars(breakdown), "#3b73b9"))
                .append("</div></div>\n");
        }

        html.append("<h2>Two merged documents</h2><div class=\"two\">");
        for (JsonNode document : report.examples()) {
            html.append("<pre>").append(escape(TextReport.pretty(document))).append("</pre>");
        }
        html.append("</div>\n");

        html.append("<h2>Dead letter queue</h2><p>").append(escape(String.format(Locale.ROOT,
            "%,d bad records in %s%s; %,d bad records were produced (%s).", report.deadLetters().distinct(),
            report.deadLetters().topic(), TextReport.redelivered(report.deadLetters()), produced.badEvents(),
            TextReport.bad(produced.bad())))).append("</p>");
        html.append("<table><tr><th>reason</th><th>records</th><th>for example</th></tr>");
        for (Reason reason : report.deadLetters().reasons()) {
            html.append("<tr><td>").append(escape(reason.reason())).append("</td><td>").append(reason.count())
                .append("</td><td>").append(escape(reason.example())).append("</td></tr>");
        }
        html.append("</table>\n");

        html.append("<h2>Raw archive</h2><p>").append(escape(String.format(Locale.ROOT, "%,d objects, %.1f MiB in s3://%s/%s",
            report.archive().objects(), report.archive().bytes() / 1048576.0, report.archive().bucket(),
            report.archive().prefix()))).append("</p>\n");

        QuickstartReport.Verify verify = report.verify();
        html.append("<h2>request-merge verify</h2><p>").append(verify.exitCode() == 0
            ? "<span class=\"ok\">Exit 0: the live index agrees with what the archive rebuilds.</span>"
            : "<span class=\"bad\">Exit " + verify.exitCode() + ".</span>").append("</p><pre>")
            .append(escape(verify.command() + "\n\n" + verify.output())).append("</pre>\n");

        html.append("<h2>The stack</h2><pre>").append(escape(String.join("\n", report.endpoints()))).append("</pre>\n");
        return html.append("</body></html>\n").toString();
    }

    static String rateChart(List<Sample> samples) {
        return SvgCharts.lines("Events per second", "seconds since the traffic started", "events/s", List.of(
            series("sent", "#3b73b9", samples, Sample::eventsPerSecond),
            series("merged by the sink", "#e07b24", samples, Sample::mergedPerSecond)));
    }

    static String delayChart(List<Sample> samples) {
        return SvgCharts.lines("Reporting delay", "seconds since the traffic started", "ms", List.of(
            series("reader: sent to visible (probe)", "#3b73b9", samples, sample -> sample.delayMillis()),
            series("sink lag p99 (JMX, last 1-2 min)", "#c62828", samples, sample -> sample.lagP99Millis())));
    }

    private static SvgCharts.Series series(String name, String color, List<Sample> samples,
                                           java.util.function.ToDoubleFunction<Sample> value) {
        double[] x = new double[samples.size()];
        double[] y = new double[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            x[i] = samples.get(i).second();
            y[i] = value.applyAsDouble(samples.get(i));
        }
        return new SvgCharts.Series(name, color, x, y);
    }

    static List<SvgCharts.Bar> bars(Breakdown breakdown) {
        List<SvgCharts.Bar> bars = new ArrayList<>();
        for (Bucket bucket : breakdown.top()) {
            bars.add(new SvgCharts.Bar(bucket.key(), bucket.clicks(), String.format(Locale.ROOT, "%,d clicks", bucket.clicks())));
        }
        return bars;
    }

    private static void table(StringBuilder html, Breakdown breakdown) {
        html.append("<table><tr><th>").append(escape(breakdown.title()))
            .append("</th><th>documents</th><th>clicks</th><th>impressions</th></tr>");
        for (Bucket bucket : breakdown.top()) {
            row(html, bucket, "");
        }
        if (breakdown.others().documents() > 0) {
            row(html, breakdown.others(), "");
        }
        row(html, breakdown.total(), " class=\"sum\"");
        html.append("</table>");
    }

    private static void row(StringBuilder html, Bucket bucket, String attributes) {
        html.append("<tr").append(attributes).append("><td>").append(escape(bucket.key())).append("</td>")
            .append(String.format(Locale.ROOT, "<td>%,d</td><td>%,d</td><td>%,d</td></tr>", bucket.documents(), bucket.clicks(),
                bucket.impressions()));
    }

    private static void card(StringBuilder html, String value, String label) {
        cardHtml(html, escape(value), label);
    }

    private static void cardHtml(StringBuilder html, String valueHtml, String label) {
        html.append("<div class=\"card\"><b>").append(valueHtml).append("</b><span>").append(escape(label)).append("</span></div>");
    }

    /** @return the text with HTML's special characters escaped, for element content and quoted attributes */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
