package io.github.requestmerge.enrich;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.testing.Traffic;

/**
 * A reproducible stream of request events for the enrichment benchmark, shaped like real traffic:
 * IP addresses and user agents repeat with Zipf-like popularity (a few very common, a long tail),
 * and a configurable share of events carries a user agent never seen before (a real one with a
 * new build number, as new browser releases and device models appear in real traffic).
 */
final class RequestStream {

    private static final int EVENTS = 1 << 20;

    private final String[] ips;
    private final String[] agents;
    private final String[] agentPrefixes;
    private final String[] agentSuffixes;
    private final int[] ipOfEvent = new int[EVENTS];
    private final int[] agentOfEvent = new int[EVENTS];
    private final boolean[] newAgent = new boolean[EVENTS];
    private long newAgentCounter = 1_000_000L;
    private long offset;
    private int position;

    RequestStream(List<String> agents, int distinctIps, double newAgentRate, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ips = new String[distinctIps];
        for (int i = 0; i < distinctIps; i++) {
            ips[i] = i % 10 == 9 ? randomIpv6(random) : Traffic.publicIpv4(random);
        }
        this.agents = agents.toArray(new String[0]);
        agentPrefixes = new String[agents.size()];
        agentSuffixes = new String[agents.size()];
        for (int i = 0; i < agents.size(); i++) {
            String agent = agents.get(i);
            int end = agent.length();
            while (end > 0 && !Character.isDigit(agent.charAt(end - 1))) {
                end--;
            }
            int start = end;
            while (start > 0 && Character.isDigit(agent.charAt(start - 1))) {
                start--;
            }
            // Replace the last number (usually a build or patch number) to make a new but realistic user agent.
            agentPrefixes[i] = start == end ? agent + " " : agent.substring(0, start);
            agentSuffixes[i] = agent.substring(end);
        }
        double[] ipCdf = Traffic.zipfCdf(distinctIps);
        double[] agentCdf = Traffic.zipfCdf(agents.size());
        for (int i = 0; i < EVENTS; i++) {
            ipOfEvent[i] = Traffic.zipfSample(ipCdf, random.nextDouble());
            agentOfEvent[i] = Traffic.zipfSample(agentCdf, random.nextDouble());
            newAgent[i] = random.nextDouble() < newAgentRate;
        }
    }

    /** @return the next event as a schemaless sink record (what JsonConverter with schemas.enable=false gives) */
    SinkRecord next() {
        int i = position;
        position = (position + 1) & (EVENTS - 1);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "r" + (offset & 0xffff));
        event.put("ipaddress", ips[ipOfEvent[i]]);
        event.put("useragent", userAgent(i));
        event.put("clicks", "+1");
        return new SinkRecord("requests", 0, null, null, null, event, offset++);
    }

    /** @return a user agent no earlier call returned (for measuring cache misses) */
    String unseenUserAgent() {
        int i = position;
        position = (position + 1) & (EVENTS - 1);
        int agent = agentOfEvent[i];
        return agentPrefixes[agent] + (newAgentCounter++) + agentSuffixes[agent];
    }

    String ip() {
        int i = position;
        position = (position + 1) & (EVENTS - 1);
        return ips[ipOfEvent[i]];
    }

    private String userAgent(int i) {
        int agent = agentOfEvent[i];
        if (newAgent[i]) {
            return agentPrefixes[agent] + (newAgentCounter++) + agentSuffixes[agent];
        }
        return agents[agent];
    }


    private static String randomIpv6(SplittableRandom random) {
        return String.format("2a0%x:%x:%x::%x", 1 + random.nextInt(9), random.nextInt(0x10000), random.nextInt(0x10000),
            1 + random.nextInt(0xffff));
    }
}
