package io.github.requestmerge.bench;

import static io.github.requestmerge.bench.Report.count;
import static io.github.requestmerge.bench.Report.decimal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code bin/bench}'s results as a Markdown table and as an SVG chart of reporting delay against rate. */
final class BenchTables {

    /** A sink that made no progress this long during its catch-up has it said beside its time. */
    private static final double STOP_WORTH_NOTING_S = 5;

    private BenchTables() {
    }

    static String markdown(JsonNode result) {
        StringBuilder md = new StringBuilder();
        JsonNode machine = result.path("machine");
        md.append("Machine: ").append(machine.path("cores").asInt()).append(" cores, ").append(machine.path("jdk").asText())
            .append("; Elasticsearch ").append(machine.path("elasticsearch").asText()).append(" (one node); Kafka and Connect ")
            .append(machine.path("kafka_connect").asText()).append("; worker JVM `").append(machine.path("worker_jvm").asText())
            .append("`; load average at start ").append(machine.path("load_average_at_start").asText())
            .append(". Everything on this machine.\n\n");
        if (result.has("failure")) {
            md.append("**Failed:** ").append(result.path("failure").asText()).append("\n\n");
        }
        JsonNode backlogs = result.path("backlogs");
        if (backlogs.size() > 0) {
            md.append(catchUpTable(backlogs)).append('\n').append(resourceTable(backlogs)).append('\n');
        }
        JsonNode steps = result.path("steps");
        if (steps.size() > 0) {
            md.append("| live rate (% of catch-up) | achieved events/s | delay p50 | p95 | p99 | max | exact | worker / ES cores "
                + "| worker RSS |\n|---|---|---|---|---|---|---|---|---|\n");
            for (JsonNode step : steps) {
                JsonNode cpu = step.path("cpu_cores");
                md.append("| ").append(count(step.path("rate").asLong())).append(" (").append(step.path("percent_of_catchup")
                    .asInt()).append("%) | ").append(count(Math.round(step.path("achieved_events_per_s").asDouble())))
                    .append(" | ").append(ms(step.path("p50_ms"))).append(" | ").append(ms(step.path("p95_ms")))
                    .append(" | ").append(ms(step.path("p99_ms"))).append(" | ").append(ms(step.path("max_ms")))
                    .append(" | ").append(step.has("failure") ? "failed: " + step.path("failure").asText()
                        : step.path("exact").asBoolean() ? "yes" : "NO")
                    .append(" | ").append(decimal(cpu.path("connect").asDouble(), 2)).append(" / ")
                    .append(decimal(cpu.path("elasticsearch").asDouble(), 2))
                    .append(" | ").append(mib(step.path("rss_kib").path("connect").path("after").asLong())).append(" |\n");
            }
            md.append("\nDelay: an event produced to its document visible in a realtime GET (a probe every 100 ms); rates are "
                + "shares of the ").append(result.path("live_rate_of").asText("first")).append(" catch-up's events/s.\n");
        }
        md.append(targets(result));
        if (result.path("overrides").size() > 0) {
            md.append("\nConnector settings overridden in every phase: ");
            for (JsonNode override : result.path("overrides")) {
                md.append('`').append(override.asText()).append("` ");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The table: per backlog, both ceilings, the sink's catch-up, and its work per final document. */
    private static String catchUpTable(JsonNode backlogs) {
        StringBuilder md = new StringBuilder("| backlog | events / final docs | read ceiling | write ceiling | merging sink "
            + "| index ops per doc | ids read per doc | x ideal |\n|---|---|---|---|---|---|---|---|\n");
        for (JsonNode backlog : backlogs) {
            md.append("| ").append(backlog.path("backlog").asText()).append(": ").append(backlog.path("description").asText())
                .append(" | ");
            if (backlog.has("failure")) {
                md.append("failed: ").append(backlog.path("failure").asText()).append(" | | | | | | |\n");
                continue;
            }
            JsonNode read = backlog.path("read_ceiling");
            JsonNode write = backlog.path("write_ceiling");
            JsonNode sink = backlog.path("sink");
            md.append(count(backlog.path("events").asLong())).append(" / ").append(count(backlog.path("documents").asLong()))
                .append(" | ").append(read.has("seconds") ? decimal(read.path("seconds").asDouble(), 1) + " s" : "n/a")
                .append(" | ").append(decimal(write.path("seconds").asDouble(), 1)).append(" s | ")
                .append(decimal(sink.path("seconds").asDouble(), 1)).append(" s (")
                .append(count(Math.round(sink.path("events_per_second").asDouble()))).append(" ev/s")
                .append(sink.path("longest_pause_seconds").asDouble() >= STOP_WORTH_NOTING_S ? "; stood still "
                    + decimal(sink.path("longest_pause_seconds").asDouble(), 0) + " s" : "").append(')')
                .append(sink.path("exact_in_detail").asBoolean(true) ? "" : " **NOT EXACT**")
                .append(" | ").append(decimal(sink.path("writes_per_document").asDouble(), 2))
                .append(" | ").append(decimal(sink.path("ids_read_per_document").asDouble(), 2))
                .append(" | **").append(decimal(backlog.path("x_ideal").asDouble(), 1)).append("**");
            if (backlog.has("x_ideal_target")) {
                md.append(" (target ").append(decimal(backlog.path("x_ideal_target").asDouble(), 0)).append(": ")
                    .append(backlog.path("x_ideal_target_met").asBoolean() ? "met" : "not met").append(')');
            }
            md.append(" |\n");
        }
        md.append("\nRead ceiling: a no-op sink through the same worker, converters and consumer settings, from creating it "
            + "until Connect put every event. Write ceiling: the final documents bulk-indexed once, straight into the same "
            + "node. Merging sink: from creating the connector until Elasticsearch holds the exact result. x ideal: the "
            + "sink's time over the larger ceiling. Index ops per doc: Elasticsearch's index operations over final "
            + "documents; ids read per doc: documents the sink read back (multi-get) over final documents.\n");
        return md.toString();
    }

    /** Per backlog: what the worker and Elasticsearch used during the sink's catch-up, and the checkpoints. */
    private static String resourceTable(JsonNode backlogs) {
        boolean checkpoints = false;
        for (JsonNode backlog : backlogs) {
            checkpoints |= backlog.path("sink").has("Checkpoints");
        }
        StringBuilder md = new StringBuilder("| backlog | CPU in cores during the catch-up: worker / ES / broker / machine "
            + "| read ceiling: worker cores | worker heap peak (of max) | worker RSS peak | worker GC "
            + "| consumer rebalances (longest): read / sink | longest stop: read / sink |"
            + (checkpoints ? " checkpoints / rewinds / held docs peak |" : "") + "\n|---|---|---|---|---|---|---|---|"
            + (checkpoints ? "---|" : "") + "\n");
        for (JsonNode backlog : backlogs) {
            if (backlog.has("failure")) {
                continue;
            }
            JsonNode sink = backlog.path("sink");
            JsonNode cpu = sink.path("cpu_cores");
            JsonNode read = backlog.path("read_ceiling");
            md.append("| ").append(backlog.path("backlog").asText()).append(" | ")
                .append(decimal(cpu.path("connect").asDouble(), 2)).append(" / ")
                .append(decimal(cpu.path("elasticsearch").asDouble(), 2)).append(" / ")
                .append(decimal(cpu.path("kafka").asDouble(), 2)).append(" / ")
                .append(decimal(cpu.path("machine").asDouble(), 2)).append(" | ")
                .append(read.has("cpu_cores") ? decimal(read.path("cpu_cores").path("connect").asDouble(), 2) : "n/a")
                .append(" | ").append(bytes(sink.path("worker_heap_peak_bytes").asLong(-1))).append(" (of ")
                .append(bytes(sink.path("worker_heap_max_bytes").asLong(-1))).append(") | ")
                .append(mib(sink.path("worker_rss_peak_kib").asLong(-1))).append(" | ")
                .append(decimal(sink.path("worker_gc_millis").asLong() / 1000.0, 1)).append(" s | ")
                .append(rebalances(read)).append(" / ").append(rebalances(sink)).append(" | ")
                .append(read.has("longest_pause_seconds") ? decimal(read.path("longest_pause_seconds").asDouble(), 1) + " s"
                    : "n/a").append(" / ").append(decimal(sink.path("longest_pause_seconds").asDouble(), 1)).append(" s |");
            if (checkpoints) {
                md.append(' ').append(sink.has("Checkpoints") ? count(sink.path("Checkpoints").asLong()) + " / "
                    + count(sink.path("CheckpointRewinds").asLong()) + " / " + (sink.has("held_documents_peak")
                    ? count(sink.path("held_documents_peak").asLong()) : "?") : "n/a").append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The targets, each met or not (speed is reported, never asserted). */
    private static String targets(JsonNode result) {
        StringBuilder md = new StringBuilder("\nTargets:\n");
        for (JsonNode backlog : result.path("backlogs")) {
            if (backlog.has("x_ideal_target")) {
                md.append("- ").append(backlog.path("backlog").asText()).append(": catch-up at most ")
                    .append(decimal(backlog.path("x_ideal_target").asDouble(), 0)).append("x the larger ceiling: ")
                    .append(backlog.has("x_ideal") ? decimal(backlog.path("x_ideal").asDouble(), 1) + "x, "
                        + (backlog.path("x_ideal_target_met").asBoolean() ? "**met**" : "**not met**") : "not measured")
                    .append('\n');
            }
        }
        JsonNode live = result.path("live_target");
        md.append("- live delay p99 at most ").append(decimal(Bench.LIVE_TARGET_P99_MS, 0)).append(" ms at ")
            .append(Bench.LIVE_TARGET_PERCENT).append("% of the catch-up rate: ")
            .append(live.has("met") ? ms(live.path("p99_ms")) + ", " + (live.path("met").asBoolean() ? "**met**"
                : "**not met**") : "not measured (no step at " + Bench.LIVE_TARGET_PERCENT + "%)").append('\n');
        return md.toString();
    }

    private static String rebalances(JsonNode phase) {
        return phase.has("consumer_rebalances") ? phase.path("consumer_rebalances").asLong() + " ("
            + count(phase.path("consumer_rebalance_max_ms").asLong()) + " ms)" : "n/a";
    }

    private static String bytes(long bytes) {
        return bytes < 0 ? "?" : decimal(bytes / 1048576.0, 0) + " MiB";
    }

    private static String ms(JsonNode value) {
        double ms = value.asDouble();
        return ms >= 1000 ? decimal(ms / 1000, 2) + " s" : decimal(ms, 0) + " ms";
    }

    private static String mib(long kib) {
        return kib < 0 ? "?" : decimal(kib / 1024.0, 0) + " MiB";
    }

    /** A line chart: delay p50, p95 and p99 (log scale) against the achieved rate. */
    static String delaySvg(JsonNode result) {
        int width = 640;
        int height = 360;
        int left = 70;
        int right = 130;
        int top = 30;
        int bottom = 50;
        List<double[]> points = new ArrayList<>();
        for (JsonNode step : result.path("steps")) {
            points.add(new double[] {step.path("achieved_events_per_s").asDouble(), step.path("p50_ms").asDouble(),
                step.path("p95_ms").asDouble(), step.path("p99_ms").asDouble()});
        }
        double maxRate = 1;
        double maxMs = 100;
        for (double[] point : points) {
            maxRate = Math.max(maxRate, point[0]);
            maxMs = Math.max(maxMs, point[3]);
        }
        double minMs = 10;
        double logMin = Math.log10(minMs);
        double logMax = Math.ceil(Math.log10(maxMs));
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
            .append("<text x=\"").append(left).append("\" y=\"18\" font-size=\"14\">Reporting delay against live rate")
            .append("</text>\n");
        double plotWidth = width - left - right;
        double plotHeight = height - top - bottom;
        for (double decade = logMin; decade <= logMax; decade++) {
            double y = top + plotHeight * (1 - (decade - logMin) / (logMax - logMin));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                left, y, left + plotWidth, y));
            double ms = Math.pow(10, decade);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left - 6,
                y + 4, ms >= 1000 ? decimal(ms / 1000, 0) + " s" : decimal(ms, 0) + " ms"));
        }
        for (int tick = 0; tick <= 4; tick++) {
            double rate = maxRate * tick / 4;
            double x = left + plotWidth * tick / 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                height - bottom + 18, count(Math.round(rate))));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">achieved events/s</text>%n",
            left + plotWidth / 2, height - 10));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            + "stroke=\"#888\"/>%n", left, top, plotWidth, plotHeight));
        String[] names = {"p50", "p95", "p99"};
        String[] colors = {"#2b8cbe", "#f39c12", "#c0392b"};
        for (int series = 0; series < 3; series++) {
            StringBuilder line = new StringBuilder();
            for (double[] point : points) {
                double x = left + plotWidth * point[0] / maxRate;
                double ms = Math.max(minMs, point[series + 1]);
                double y = top + plotHeight * (1 - (Math.log10(ms) - logMin) / (logMax - logMin));
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y,
                    colors[series]));
            }
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colors[series]).append("\" points=\"")
                .append(line.toString().trim()).append("\"/>\n");
            double legendY = top + 16 + series * 18;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">delay %s</text>%n", left + plotWidth + 12, legendY,
                left + plotWidth + 32, legendY, colors[series], left + plotWidth + 38, legendY + 4, names[series]));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }
}
