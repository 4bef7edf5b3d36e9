package io.github.requestmerge.enrich;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import ua_parser.Client;
import ua_parser.Device;
import ua_parser.DeviceParser;
import ua_parser.OS;
import ua_parser.OSParser;
import ua_parser.Parser;
import ua_parser.UserAgent;
import ua_parser.UserAgentParser;

/**
 * A user-agent parser whose output is identical to uap-java's {@link Parser}, at a fraction of
 * its cost for a user agent it has not seen.
 *
 * <p>uap-java tries up to hundreds of regexes per list (user agent, OS, device) in file order
 * until one yields a result. Most of them cannot match, and {@link RegexLiterals} can tell which:
 * it finds literal text every match of a regex contains. One {@link LiteralScanner} pass over the
 * user agent finds which of those literals occur, and only the regexes whose literals occur (or
 * that have none) are tried, still in file order and with uap-java's own per-regex matching code
 * (its pattern classes, reached by subclassing). So the first regex to yield a result is the same
 * one uap-java's loop would reach, and the result is built the same way.
 *
 * <p>Immutable after construction and safe for concurrent use.
 */
public final class PrefilteredUserAgentParser {

    private static final String BUNDLED_REGEXES = "/ua_parser/regexes.yaml";

    private final LiteralScanner scanner;
    private final AgentList agents;
    private final OsList systems;
    private final DeviceList devices;

    private PrefilteredUserAgentParser(Map<String, List<Map<String, String>>> config) {
        Map<String, Integer> literalIds = new LinkedHashMap<>();
        agents = new AgentList(section(config, "user_agent_parsers"), literalIds);
        systems = new OsList(section(config, "os_parsers"), literalIds);
        devices = new DeviceList(section(config, "device_parsers"), literalIds);
        scanner = new LiteralScanner(new ArrayList<>(literalIds.keySet()));
    }

    /** @return a parser over the regexes.yaml bundled with uap-java */
    public static PrefilteredUserAgentParser bundled() {
        try (InputStream in = Parser.class.getResourceAsStream(BUNDLED_REGEXES)) {
            if (in == null) {
                throw new IllegalStateException("uap-java's " + BUNDLED_REGEXES + " is not on the classpath");
            }
            return fromYaml(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param yaml a uap-core regexes.yaml; the caller closes it
     * @throws IllegalArgumentException when it is not valid YAML, lacks a section or has an invalid regex
     */
    public static PrefilteredUserAgentParser fromYaml(InputStream yaml) {
        Object loaded;
        try {
            loaded = new Yaml(new SafeConstructor(Parser.getDefaultLoaderOptions())).load(yaml);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid YAML file: " + e.getMessage(), e);
        }
        if (!(loaded instanceof Map)) {
            throw new IllegalArgumentException("expected a YAML mapping with user_agent_parsers, os_parsers and "
                + "device_parsers");
        }
        @SuppressWarnings("unchecked")
        Map<String, List<Map<String, String>>> config = (Map<String, List<Map<String, String>>>) loaded;
        try {
            return new PrefilteredUserAgentParser(config);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("unexpected structure: " + e.getMessage(), e);
        }
    }

    private static List<Map<String, String>> section(Map<String, List<Map<String, String>>> config, String name) {
        List<Map<String, String>> section = config.get(name);
        if (section == null) {
            throw new IllegalArgumentException(name + " is missing from yaml");
        }
        return section;
    }

    /** @return the same as {@code new Parser().parse(userAgent)} with the same regexes */
    public Client parse(String userAgent) {
        if (userAgent == null) {
            return new Client(null, null, null);
        }
        long[] found = scanner.scan(userAgent);
        return new Client(agents.parse(userAgent, found), systems.parse(userAgent, found),
            devices.parse(userAgent, found));
    }

    /** @return how many regexes there are, per list: user agent, OS, device */
    public int[] regexCounts() {
        return new int[] {agents.clauses.length, systems.clauses.length, devices.clauses.length};
    }

    /** @return how many regexes got a literal requirement (and so can be skipped), per list */
    public int[] filteredRegexCounts() {
        return new int[] {filtered(agents.clauses), filtered(systems.clauses), filtered(devices.clauses)};
    }

    private static int filtered(int[][] clauses) {
        int count = 0;
        for (int[] clause : clauses) {
            if (clause != null) {
                count++;
            }
        }
        return count;
    }

    /** @return literal ids of the regex's clause, or null when it must always be tried */
    private static int[] clause(Map<String, String> config, Map<String, Integer> literalIds) {
        String regex = config.get("regex");
        if (regex == null) {
            return null; // uap-java rejects it with its own message
        }
        List<String> literals = RegexLiterals.requiredLiterals(regex);
        if (literals.isEmpty()) {
            return null;
        }
        int[] ids = new int[literals.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = literalIds.computeIfAbsent(literals.get(i), key -> literalIds.size());
        }
        return ids;
    }

    private static boolean candidate(int[] clause, long[] found) {
        if (clause == null) {
            return true;
        }
        for (int id : clause) {
            if (LiteralScanner.contains(found, id)) {
                return true;
            }
        }
        return false;
    }

    /** Subclassed only to reach uap-java's per-regex matching code ({@code UAPattern}). */
    private static final class AgentList extends UserAgentParser {
        private final UAPattern[] patterns;
        private final int[][] clauses;

        AgentList(List<Map<String, String>> configs, Map<String, Integer> literalIds) {
            super(List.of());
            patterns = new UAPattern[configs.size()];
            clauses = new int[configs.size()][];
            for (int i = 0; i < patterns.length; i++) {
                patterns[i] = patternFromMap(configs.get(i));
                clauses[i] = clause(configs.get(i), literalIds);
            }
        }

        UserAgent parse(String agent, long[] found) {
            for (int i = 0; i < patterns.length; i++) {
                if (candidate(clauses[i], found)) {
                    UserAgent result = patterns[i].match(agent);
                    if (result != null) {
                        return result;
                    }
                }
            }
            return UserAgent.OTHER;
        }
    }

    /** Subclassed only to reach uap-java's per-regex matching code ({@code OSPattern}). */
    private static final class OsList extends OSParser {
        private final OSPattern[] patterns;
        private final int[][] clauses;

        OsList(List<Map<String, String>> configs, Map<String, Integer> literalIds) {
            super(List.of());
            patterns = new OSPattern[configs.size()];
            clauses = new int[configs.size()][];
            for (int i = 0; i < patterns.length; i++) {
                patterns[i] = patternFromMap(configs.get(i));
                clauses[i] = clause(configs.get(i), literalIds);
            }
        }

        OS parse(String agent, long[] found) {
            for (int i = 0; i < patterns.length; i++) {
                if (candidate(clauses[i], found)) {
                    OS result = patterns[i].match(agent);
                    if (result != null) {
                        return result;
                    }
                }
            }
            return OS.OTHER;
        }
    }

    /** Subclassed only to reach uap-java's per-regex matching code ({@code DevicePattern}). */
    private static final class DeviceList extends DeviceParser {
        private final DevicePattern[] patterns;
        private final int[][] clauses;

        DeviceList(List<Map<String, String>> configs, Map<String, Integer> literalIds) {
            super(List.of());
            patterns = new DevicePattern[configs.size()];
            clauses = new int[configs.size()][];
            for (int i = 0; i < patterns.length; i++) {
                patterns[i] = patternFromMap(configs.get(i));
                clauses[i] = clause(configs.get(i), literalIds);
            }
        }

        Device parse(String agent, long[] found) {
            for (int i = 0; i < patterns.length; i++) {
                if (candidate(clauses[i], found)) {
                    String family = patterns[i].match(agent);
                    if (family != null) {
                        return new Device(family);
                    }
                }
            }
            return Device.OTHER;
        }
    }
}
