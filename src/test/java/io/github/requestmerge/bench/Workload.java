package io.github.requestmerge.bench;

import java.util.List;
import java.util.SplittableRandom;

import io.github.requestmerge.testing.Traffic;

/**
 * A reproducible stream of request events shaped like the product's traffic: each request id
 * starts with a full event (source, a public IPv4 address, a common user agent, domain, counters,
 * price) followed by small delta events ({@code "clicks":"+3","impressions":"+2"}). A fixed number of
 * requests are open at once; each event belongs to one of them at random, so the events of one
 * request are interleaved with those of the others, and a finished request makes room for a new one.
 * The totals of the counters are kept, so what Elasticsearch holds can be checked exactly.
 *
 * <p>Not thread-safe: one producing thread draws from it. Public for the archive's benchmarks, which
 * archive the same events.
 */
public final class Workload {

    /** One event: the record key (the request id) and the JSON value. */
    public record Event(String id, String json) {
    }

    private static final String[] DOMAINS = {"somewhere.net", "example.org", "leads.example.com", "shop.example",
        "news.example.net", "travel.example"};

    private final String prefix;
    private final long idLimit;
    private final int eventsPerId;
    private final long idsWithOneMore;
    private final List<String> userAgents;
    private final SplittableRandom random;

    private final String[] openId;
    private final int[] left;
    private final boolean[] started;
    private int open;
    private long nextId;

    private long events;
    private long clicks;
    private long impressions;

    /**
     * @param prefix starts every id, so workloads never share ids
     * @param ids how many request ids, or -1 for as many as the caller draws events
     * @param totalEvents with {@code ids}: the events to spread over them (the first ids get one more
     *     when they do not divide); ignored when {@code ids} is -1
     * @param eventsPerIdWhenUnbounded events of each id when {@code ids} is -1
     * @param window requests open at once
     */
    public Workload(String prefix, long ids, long totalEvents, int eventsPerIdWhenUnbounded, int window,
             List<String> userAgents, long seed) {
        this.prefix = prefix;
        this.idLimit = ids;
        this.eventsPerId = ids < 0 ? eventsPerIdWhenUnbounded : (int) (totalEvents / ids);
        this.idsWithOneMore = ids < 0 ? 0 : totalEvents % ids;
        this.userAgents = List.copyOf(userAgents);
        this.random = new SplittableRandom(seed);
        int slots = (int) (ids < 0 ? window : Math.min(window, ids));
        openId = new String[slots];
        left = new int[slots];
        started = new boolean[slots];
        while (open < slots) {
            openNext(open++);
        }
    }

    public boolean hasNext() {
        return open > 0;
    }

    /** @return the next event; each id's first one is full, the rest are deltas */
    public Event next() {
        int slot = random.nextInt(open);
        String id = openId[slot];
        String json;
        if (!started[slot]) {
            started[slot] = true;
            long c = random.nextInt(3);
            long i = 1 + random.nextInt(9);
            int cents = 50 + random.nextInt(950);
            json = "{\"id\":\"" + id + "\",\"source\":" + (1 + random.nextInt(5)) + ",\"ipaddress\":\"" + Traffic.publicIpv4(random)
                + "\",\"useragent\":\"" + escape(userAgents.get(random.nextInt(userAgents.size()))) + "\",\"domain\":\""
                + DOMAINS[random.nextInt(DOMAINS.length)] + "\",\"clicks\":\"+" + c + "\",\"impressions\":\"+" + i
                + "\",\"price\":" + cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100 + "}";
            clicks += c;
            impressions += i;
        } else {
            long c = random.nextInt(4);
            long i = random.nextInt(6);
            json = "{\"id\":\"" + id + "\",\"clicks\":\"+" + c + "\",\"impressions\":\"+" + i + "\"}";
            clicks += c;
            impressions += i;
        }
        events++;
        if (--left[slot] == 0) {
            if (idLimit < 0 || nextId < idLimit) {
                openNext(slot);
            } else {
                open--;
                openId[slot] = openId[open];
                left[slot] = left[open];
                started[slot] = started[open];
            }
        }
        return new Event(id, json);
    }

    private void openNext(int slot) {
        long n = nextId++;
        openId[slot] = prefix + "-" + n;
        left[slot] = eventsPerId + (n < idsWithOneMore ? 1 : 0);
        started[slot] = false;
    }

    /** @return ids that got at least their first event */
    long ids() {
        long openNotStarted = 0;
        for (int slot = 0; slot < open; slot++) {
            openNotStarted += started[slot] ? 0 : 1;
        }
        return nextId - openNotStarted;
    }

    long events() {
        return events;
    }

    long clicks() {
        return clicks;
    }

    long impressions() {
        return impressions;
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
