package io.github.requestmerge.quickstart;

import java.util.List;
import java.util.Locale;

/**
 * Small charts as inline SVG, drawn here so that the report page needs nothing from the network: a
 * line chart of series over time, and horizontal bars. Pure functions of their input.
 */
final class SvgCharts {

    static final int WIDTH = 720;
    static final int HEIGHT = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 36;

    /** A line of points (x ascending); negative y values are gaps (nothing measured then). */
    record Series(String name, String color, double[] x, double[] y) {
    }

    /** One bar: a label and its value, with the text shown at its end. */
    record Bar(String label, double value, String text) {
    }

    private SvgCharts() {
    }

    /** @return the line chart, with the y axis from 0 to a round value above the highest point */
    static String lines(String title, String xLabel, String yLabel, List<Series> series) {
        double xMax = 1;
        double yMax = 0;
        for (Series one : series) {
            for (int i = 0; i < one.x().length; i++) {
                xMax = Math.max(xMax, one.x()[i]);
                yMax = Math.max(yMax, one.y()[i]);
            }
        }
        double yTop = niceCeiling(yMax);
        double xRight = niceCeiling(xMax);
        StringBuilder svg = open(title, WIDTH, HEIGHT);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        for (double tick : ticks(yTop)) {
            double y = TOP + plotHeight - tick / yTop * plotHeight;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                + "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>", LEFT, y, WIDTH - RIGHT, y, LEFT - 6,
                y + 4, number(tick)));
        }
        for (double tick : ticks(xRight)) {
            double x = LEFT + tick / xRight * plotWidth;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", x,
                HEIGHT - BOTTOM + 16, number(tick)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>",
            LEFT + plotWidth / 2, HEIGHT - 4, HtmlReport.escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"axis\">%s</text>", 4, TOP - 10,
            HtmlReport.escape(yLabel)));
        int legendX = WIDTH - RIGHT;
        for (int s = series.size() - 1; s >= 0; s--) {
            Series one = series.get(s);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"legend\" text-anchor=\"end\" fill=\"%s\">%s</text>",
                legendX, TOP - 10, one.color(), HtmlReport.escape(one.name())));
            legendX -= 12 + 7 * one.name().length();
        }
        for (Series one : series) {
            for (String points : polylines(one, xRight, yTop, plotWidth, plotHeight)) {
                svg.append("<polyline fill=\"none\" stroke=\"").append(one.color()).append("\" stroke-width=\"1.5\" points=\"")
                    .append(points).append("\"/>");
            }
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"frame\"/>", LEFT,
            TOP + plotHeight, WIDTH - RIGHT, TOP + plotHeight));
        return svg.append("</svg>").toString();
    }

    /** @return the points of each unbroken stretch of the series (negative values break it), in plot coordinates */
    static List<String> polylines(Series series, double xRight, double yTop, int plotWidth, int plotHeight) {
        List<String> lines = new java.util.ArrayList<>();
        StringBuilder points = new StringBuilder();
        for (int i = 0; i <= series.x().length; i++) {
            if (i == series.x().length || series.y()[i] < 0) {
                if (points.length() > 0) {
                    lines.add(points.toString().trim());
                    points.setLength(0);
                }
                continue;
            }
            double x = LEFT + series.x()[i] / xRight * plotWidth;
            double y = TOP + plotHeight - series.y()[i] / yTop * plotHeight;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return lines;
    }

    /** @return horizontal bars, the longest for the highest value, each labelled and with its text */
    static String bars(String title, List<Bar> bars, String color) {
        int row = 22;
        int labelWidth = 170;
        int textWidth = 150;
        int height = TOP + Math.max(1, bars.size()) * row + 8;
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
        StringBuilder svg = open(title, WIDTH, height);
        int barSpace = WIDTH - labelWidth - textWidth;
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int y = TOP + i * row;
            double width = max <= 0 ? 0 : bar.value() / max * barSpace;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"end\">%s</text>",
                labelWidth - 8, y + 15, HtmlReport.escape(bar.label())));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", labelWidth,
                y + 3, width, row - 6, color));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"value\">%s</text>", labelWidth + width + 6,
                y + 15, HtmlReport.escape(bar.text())));
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(String title, int width, int height) {
        return new StringBuilder(String.format(Locale.ROOT, "<svg viewBox=\"0 0 %d %d\" "
            + "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\"><title>%s</title>", width, height, width, height,
            HtmlReport.escape(title), HtmlReport.escape(title)));
    }

    /** @return the smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code value} (1 for 0 or less) */
    static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * power >= value * (1 - 1e-12)) {
                return step * power;
            }
        }
        return 10 * power;
    }

    /** @return 0 and four more evenly spaced ticks up to {@code top} */
    static double[] ticks(double top) {
        double[] ticks = new double[5];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = top * i / 4;
        }
        return ticks;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,d", (long) value)
            : String.format(Locale.ROOT, "%,.1f", value);
    }
}
