package io.github.requestmerge.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.github.requestmerge.quickstart.QuickstartReport.Breakdown;
import io.github.requestmerge.quickstart.QuickstartReport.Bucket;
import io.github.requestmerge.quickstart.QuickstartReport.Sample;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.traffic.LeadTraffic;

class HtmlReportTest {

    @Test
    void niceCeilingsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen() {
        assertEquals(1, SvgCharts.niceCeiling(0));
        assertEquals(1, SvgCharts.niceCeiling(0.9));
        assertEquals(1, SvgCharts.niceCeiling(1));
        assertEquals(2.5, SvgCharts.niceCeiling(2.1));
        assertEquals(1000, SvgCharts.niceCeiling(737));
        assertEquals(250, SvgCharts.niceCeiling(201));
        assertEquals(500, SvgCharts.niceCeiling(500));
        assertEquals(20_000, SvgCharts.niceCeiling(12_345));
        assertEquals(1000.0, SvgCharts.ticks(1000)[4]);
        assertEquals(250.0, SvgCharts.ticks(1000)[1]);
    }

    @Test
    void aLineRunsFromTheLeftOfThePlotAndGapsWhereNothingWasMeasured() {
        SvgCharts.Series series = new SvgCharts.Series("delay", "#000", new double[] {0, 1, 2, 3, 4}, new double[] {0, 100, -1,
            200, 200});
        List<String> lines = SvgCharts.polylines(series, 4, 200, 400, 100);
        assertEquals(2, lines.size(), "a gap at the unmeasured point");
        // x from 64 (the left margin) over 400 px for 0..4; y from 128 (bottom: top margin 28 + 100) up to 28
        assertEquals("64.0,128.0 164.0,78.0", lines.get(0));
        assertEquals("364.0,28.0 464.0,28.0", lines.get(1));
    }

    @Test
    void barsAreAsLongAsTheirValueAgainstTheLongest() {
        String svg = SvgCharts.bars("Clicks", List.of(new SvgCharts.Bar("Sweden", 200, "200 clicks"),
            new SvgCharts.Bar("Chile <&>", 50, "50 clicks")), "#123456");
        assertTrue(svg.contains("width=\"400.0\""), svg);
        assertTrue(svg.contains("width=\"100.0\""), svg);
        assertTrue(svg.contains("Chile &lt;&amp;&gt;"), "labels escaped: " + svg);
    }

    @Test
    void thePageIsSelfContainedWithItsChartsAndEscapesWhatItShows() throws Exception {
        LeadTraffic traffic = LeadTraffic.withTestData(2, LeadTraffic.Shape.over(Duration.ofSeconds(10), 100));
        traffic.forEachRemaining(event -> { });
        Bucket total = new Bucket("all", 10, 20, 30);
        Breakdown byCountry = new Breakdown("country", "geo.country_name", List.of(new Bucket("Sweden", 6, 12, 18),
            new Bucket("<script>alert(1)</script>", 4, 8, 12)), new Bucket("others", 0, 0, 0), total);
        List<Sample> samples = List.of(new Sample(1, 100, 100, -1, 3, -1, -1, 0), new Sample(2, 200, 100, 90, 8, 180, 256, 1),
            new Sample(3, 300, 100, 110, 10, 150, 256, 1));
        QuickstartReport report = new QuickstartReport(new QuickstartReport.Settings(0.05, 100, 2, "requests", "requests"),
            "GeoLite2 City database /tmp/x.mmdb", traffic.totals(), 3, 1.5, 10,
            List.of(Documents.JSON.readTree("{\"id\":\"a\",\"domain\":\"<b>\"}"), Documents.JSON.readTree("{\"id\":\"b\"}")),
            List.of(byCountry, byCountry, byCountry), new QuickstartReport.Percentiles(128, 256, 256, 300, 1000),
            Quickstart.percentiles(List.of(new LiveTraffic.Delay(2, 180), new LiveTraffic.Delay(3, 150))),
            new QuickstartReport.DeadLetters("requests-dlq", 1, 1, List.of(new QuickstartReport.Reason("field 'domain': delta +1 "
                + "on a field holding a string, not a number", 1, "requests/0 offset 7"))),
            new QuickstartReport.Archive("request-archive", "topics/", 4, 12_345),
            new QuickstartReport.Verify(0, 10, 10, 0, 0, 0, 0, "bin/request-merge verify ...", "documents compared 10"),
            samples, List.of("Elasticsearch http://127.0.0.1:9200"));

        String html = HtmlReport.render(report);
        String lower = html.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<script") || lower.contains("<link") || lower.contains("<img")
            || Pattern.compile("(src|href)\\s*=").matcher(lower).find(), "nothing loaded from anywhere");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("&quot;&lt;b&gt;&quot;"), "documents escaped");
        assertEquals(5, Pattern.compile("<svg ").matcher(html).results().count(), "two line charts and three bar charts");
        assertTrue(html.contains("<polyline"));
        assertTrue(html.contains("<style>"));
        assertTrue(html.contains("agrees"));
        String text = TextReport.render(report);
        assertTrue(text.contains("request-merge verify: exit 0"), text);
        assertTrue(text.contains("p50 128 ms, p95 256 ms, p99 256 ms"), text);
        assertTrue(text.contains("p50 150 ms, p95 180 ms"), "probe percentiles by nearest rank: " + text);
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertEquals(50, Quickstart.rank(sorted, 50));
        assertEquals(99, Quickstart.rank(sorted, 99));
        assertEquals(100, Quickstart.rank(sorted, 100));
        assertEquals(7, Quickstart.rank(new long[] {7}, 99));
    }
}
