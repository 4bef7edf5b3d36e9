package io.github.requestmerge.quickstart;

import java.io.PrintStream;
import java.util.Locale;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The quickstart's progress line: a bar over the events to send, with merged documents, events/s,
 * the reporting delay now and the dead letters so far beside it; on a terminal redrawn in place
 * (progressbar), elsewhere (a test, a log) printed as a plain line every ten seconds. Used by the
 * sampling thread only.
 */
final class LiveProgress implements AutoCloseable {

    private final ProgressBar bar;
    private final PrintStream out;
    private final long events;
    private double lastPrinted = -10;

    LiveProgress(boolean terminal, PrintStream out, long events) {
        this.out = out;
        this.events = events;
        bar = !terminal ? null : new ProgressBarBuilder().setTaskName("Leads").setInitialMax(events).setUnit(" events", 1)
            .setMaxRenderedLength(150).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
            .setConsumer(new ConsoleProgressBarConsumer(System.err)).hideEta().build();
    }

    void update(QuickstartReport.Sample sample) {
        String message = String.format(Locale.ROOT, "%,d docs | %,.0f events/s | delay %s | DLQ %d", sample.documents(),
            sample.eventsPerSecond(), TextReport.ms(sample.delayMillis()), sample.deadLetters());
        if (bar != null) {
            bar.stepTo(sample.sent());
            bar.setExtraMessage(message);
        } else if (sample.second() - lastPrinted >= 10) {
            lastPrinted = sample.second();
            out.printf(Locale.ROOT, "%5.0f s  %,d of %,d events sent | %s%n", sample.second(), sample.sent(), events, message);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
