package io.github.requestmerge.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The command line of {@code bin/bench-e2e}: sizes, rates, which phases run, connector overrides. */
final class BenchOptions {

    static final String USAGE = String.join("\n",
        "usage: bin/bench-e2e [options]",
        "  --backlog SHAPE     catch-up: the backlog's shape (default uniform):",
        "                        uniform    synthetic requests (--ids, --window), as many events each",
        "                        sessions   the quickstart's lead traffic: sessions over 1-5 min, in time order",
        "                        scattered  the same events, each id's scattered over the whole backlog",
        "  --events N          catch-up: events pre-produced before the connector starts (default 1m)",
        "  --ids N             catch-up, uniform: distinct request ids they belong to (default 100k)",
        "  --window N          catch-up, uniform: requests open at once; a request's events are spread over the",
        "                      events of the others that are open (default 10k)",
        "  --backlog-minutes M catch-up: the backlog's traffic took M minutes, ending when it is produced (its",
        "                      record timestamps; default 10)",
        "  --read-ceiling      catch-up: first time a no-op sink through the same worker, converters and",
        "                      consumer settings on the backlog (the worker must have the stack's test plugin)",
        "  --partitions P      partitions of the topic (default 4)",
        "  --tasks T           tasks.max (default: the number of partitions)",
        "  --enrich            run the Enrich SMT in the connector (the test GeoLite2 City database)",
        "  --rate R            live: events/s produced at a steady rate (default 5000)",
        "  --seconds S         live: how long (default 60)",
        "  --live-window N     live: requests open at once (default 5000)",
        "  --warmup S          live: produce at the rate for S seconds before measuring (default 0)",
        "  --probe-ms MS       live: one probe event every MS ms (default 100)",
        "  --poll-ms MS        live: realtime GET of the probe document every MS ms (default 5)",
        "  --only catchup|live run one phase (live alone starts the connector on an empty topic)",
        "  --set KEY=VALUE     override a connector setting (repeatable), e.g. --set flush.linger.ms=50",
        "  --timeout S         give up waiting for the catch-up after S seconds (default 600)",
        "  --seed N            workload seed (default 42)",
        "  --keep              keep the connector, topic and index afterwards (default: delete them)",
        "  --out FILE          JSON results (default target/bench-e2e.json)",
        "Numbers take k and m suffixes and underscores: 1m, 100k, 1_000_000.");

    Backlog.Shape backlog = Backlog.Shape.UNIFORM;
    int backlogMinutes = 10;
    boolean readCeiling;
    long events = 1_000_000;
    int ids = 100_000;
    int window = 10_000;
    int partitions = 4;
    int tasks = -1;
    boolean enrich;
    int rate = 5_000;
    int seconds = 60;
    int liveWindow = 5_000;
    int warmupSeconds;
    int probeMs = 100;
    int pollMs = 5;
    boolean catchUp = true;
    boolean live = true;
    final Map<String, String> overrides = new LinkedHashMap<>();
    int timeoutSeconds = 600;
    long seed = 42;
    boolean keep;
    Path out = Paths.get("target/bench-e2e.json");

    static BenchOptions parse(String[] args) {
        BenchOptions options = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--enrich")) {
                options.enrich = true;
                continue;
            }
            if (arg.equals("--read-ceiling")) {
                options.readCeiling = true;
                continue;
            }
            if (arg.equals("--keep")) {
                options.keep = true;
                continue;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            String value = args[++i];
            switch (arg) {
                case "--backlog": options.backlog = Backlog.Shape.parse(value); break;
                case "--backlog-minutes": options.backlogMinutes = (int) number(arg, value, 1); break;
                case "--events": options.events = number(arg, value, 1); break;
                case "--ids": options.ids = (int) number(arg, value, 1); break;
                case "--window": options.window = (int) number(arg, value, 1); break;
                case "--partitions": options.partitions = (int) number(arg, value, 1); break;
                case "--tasks": options.tasks = (int) number(arg, value, 1); break;
                case "--rate": options.rate = (int) number(arg, value, 1); break;
                case "--seconds": options.seconds = (int) number(arg, value, 1); break;
                case "--live-window": options.liveWindow = (int) number(arg, value, 1); break;
                case "--warmup": options.warmupSeconds = (int) number(arg, value, 0); break;
                case "--probe-ms": options.probeMs = (int) number(arg, value, 1); break;
                case "--poll-ms": options.pollMs = (int) number(arg, value, 0); break;
                case "--timeout": options.timeoutSeconds = (int) number(arg, value, 1); break;
                case "--seed": options.seed = number(arg, value, 0); break;
                case "--out": options.out = Paths.get(value); break;
                case "--only":
                    options.catchUp = value.equals("catchup");
                    options.live = value.equals("live");
                    if (!options.catchUp && !options.live) {
                        throw new IllegalArgumentException("--only takes catchup or live, not " + value);
                    }
                    break;
                case "--set":
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set takes KEY=VALUE, not " + value);
                    }
                    options.overrides.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (options.tasks < 0) {
            options.tasks = options.partitions;
        }
        if (options.backlog == Backlog.Shape.UNIFORM && options.events < options.ids) {
            throw new IllegalArgumentException("--events (" + options.events + ") must be at least --ids (" + options.ids
                + "): every id gets a first event");
        }
        return options;
    }

    /** @return events of each request id: the catch-up's average, rounded down (the live phase uses it too) */
    int eventsPerId() {
        return (int) Math.max(1, events / ids);
    }

    static long number(String option, String text, long min) {
        String digits = text.replace("_", "").replace(",", "").toLowerCase(Locale.ROOT);
        long factor = 1;
        if (digits.endsWith("k")) {
            factor = 1_000;
        } else if (digits.endsWith("m")) {
            factor = 1_000_000;
        }
        if (factor > 1) {
            digits = digits.substring(0, digits.length() - 1);
        }
        long value;
        try {
            value = Long.parseLong(digits) * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not " + text);
        }
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", not " + text);
        }
        return value;
    }
}
