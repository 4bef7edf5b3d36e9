package io.github.requestmerge.enrich;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
 * it finds literal text that every match of a regex contains. One {@link LiteralScanner} pass over
 * the user agent finds which of those literals occur, and only the regexes whose requirements are
 * met (or that have none) are tried, still in file order and with uap-java's own per-regex
 * matching code (its pattern classes, reached by subclassing). A skipped regex is one whose
 * {@code find()} would have failed, so the first regex to yield a result is the one uap-java's
 * loop would reach, and the result is built by the same code.
 *
 * <p>Immutable after construction and safe for concurrent use. It never logs user agents.
 */
public final class PrefilteredUserAgentParser {

    private static final String BUNDLED_REGEXES = "/ua_parser/regexes.yaml";

    private final LiteralScanner scanner;
    private final AgentList agents;
    private final OsList systems;
    private final DeviceList devices;

    private PrefilteredUserAgentParser(Map<?, ?> config) {
        Map<String, Integer> literalIds = new LinkedHashMap<>();
        // Same order as uap-java, so a file broken in several places fails on the same section.
        agents = new AgentList(section(config, "user_agent_parsers"), literalIds);
        systems = new OsList(section(config, "os_parsers"), literalIds);
        devices = new DeviceList(section(config, "device_parsers"), literalIds);
        scanner = new LiteralScanner(new ArrayList<>(literalIds.keySet()));
    }

    /** @return a parser over the regexes.yaml bundled with uap-java (what {@code new Parser()} uses) */
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
     * Reads a uap-core regexes.yaml the way uap-java does (SnakeYAML's safe constructor with
     * {@link Parser#getDefaultLoaderOptions()}).
     *
     * @param yaml the file's content; the caller closes it
     * @throws IllegalArgumentException when it is not valid YAML, lacks a section, or has an entry
     *     without a valid regex (the message names the section and entry)
     */
    public static PrefilteredUserAgentParser fromYaml(InputStream yaml) {
        Object loaded;
        try {
            loaded = new Yaml(new SafeConstructor(Parser.getDefaultLoaderOptions())).load(yaml);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid YAML file: " + e.getMessage(), e);
        }
        if (!(loaded instanceof Map)) {
            throw new IllegalArgumentException(
                "expected a YAML mapping with user_agent_parsers, os_parsers and device_parsers");
        }
        return new PrefilteredUserAgentParser((Map<?, ?>) loaded);
    }

    /**
     * @return the same as uap-java's {@code Parser.parse(userAgent)} with the same regexes: a
     *     client of nulls for null, {@code Other} for what no regex recognises
     */
    public Client parse(String userAgent) {
        if (userAgent == null) {
            return new Client(null, null, null);
        }
        long[] found = scanner.scan(userAgent);
        return new Client(agents.parse(userAgent, found), systems.parse(userAgent, found),
            devices.parse(userAgent, found));
    }

    /** @return how many regexes there are in all three lists */
    public int patternCount() {
        return agents.prefilter.size() + systems.prefilter.size() + devices.prefilter.size();
    }

    /** @return how many regexes got a literal requirement (so can be skipped), per list */
    public Stats stats() {
        return new Stats(agents.prefilter.size(), agents.prefilter.filtered(), systems.prefilter.size(),
            systems.prefilter.filtered(), devices.prefilter.size(), devices.prefilter.filtered(),
            scanner.literalCount());
    }

    /**
     * How much of the regexes the prefilter covers: per list, the number of regexes and how many
     * of them have a literal requirement (the others are tried on every user agent), and the
     * number of distinct literals scanned for.
     */
    public record Stats(int userAgentPatterns, int userAgentFiltered, int osPatterns, int osFiltered,
                        int devicePatterns, int deviceFiltered, int literals) {

        @Override
        public String toString() {
            return "user agent " + userAgentFiltered + "/" + userAgentPatterns + ", os " + osFiltered + "/"
                + osPatterns + ", device " + deviceFiltered + "/" + devicePatterns + " regexes prefiltered, "
                + literals + " literals";
        }
    }

    private static List<Map<String, String>> section(Map<?, ?> config, String name) {
        Object section = config.get(name);
        if (section == null) {
            throw new IllegalArgumentException(name + " is missing from yaml");
        }
        if (!(section instanceof List)) {
            throw new IllegalArgumentException(name + " is not a list");
        }
        List<Map<String, String>> entries = new ArrayList<>();
        int index = 0;
        for (Object entry : (List<?>) section) {
            if (!(entry instanceof Map)) {
                throw new IllegalArgumentException(name + "[" + index + "] is not a mapping");
            }
            @SuppressWarnings("unchecked")
            Map<String, String> strings = (Map<String, String>) entry;
            entries.add(strings);
            index++;
        }
        return entries;
    }

    /** Calls uap-java's pattern factory, naming the entry when it rejects it. */
    private static <P> P pattern(String section, int index, Map<String, String> config,
                                 Function<Map<String, String>, P> factory) {
        try {
            return factory.apply(config);
        } catch (IllegalArgumentException e) {
            // A PatternSyntaxException is one; its message quotes the regex (never a user agent).
            throw new IllegalArgumentException(section + "[" + index + "]: " + e.getMessage(), e);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException(section + "[" + index + "]: a field is not a string", e);
        }
    }

    /** Each regex's requirement, as literal ids in the shared scanner. */
    private static final class Prefilter {
        /** Per regex: clauses, each an array of literal ids; null when the regex is always tried. */
        private final int[][][] clauses;

        Prefilter(List<Map<String, String>> configs, Map<String, Integer> literalIds) {
            clauses = new int[configs.size()][][];
            for (int i = 0; i < clauses.length; i++) {
                List<List<String>> required = RegexLiterals.clauses(configs.get(i).get("regex"));
                if (required.isEmpty()) {
                    continue;
                }
                int[][] ids = new int[required.size()][];
                for (int c = 0; c < ids.length; c++) {
                    List<String> literals = required.get(c);
                    ids[c] = new int[literals.size()];
                    for (int l = 0; l < literals.size(); l++) {
                        ids[c][l] = literalIds.computeIfAbsent(literals.get(l), key -> literalIds.size());
                    }
                }
                clauses[i] = ids;
            }
        }

        /** @return whether regex {@code i} can match a text in which exactly the {@code found} literals occur */
        boolean candidate(int i, long[] found) {
            int[][] required = clauses[i];
            if (required == null) {
                return true;
            }
            for (int[] clause : required) {
                if (!any(clause, found)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean any(int[] clause, long[] found) {
            for (int id : clause) {
                if (LiteralScanner.contains(found, id)) {
                    return true;
                }
            }
            return false;
        }

        int size() {
            return clauses.length;
        }

        int filtered() {
            int count = 0;
            for (int[][] required : clauses) {
                if (required != null) {
                    count++;
                }
            }
            return count;
        }
    }

    /** Subclassed only to reach uap-java's per-regex matching code ({@code UAPattern}). */
    private static final class AgentList extends UserAgentParser {
        private final UAPattern[] patterns;
        private final Prefilter prefilter;

        AgentList(List<Map<String, String>> configs, Map<String, Integer> literalIds) {
            super(List.of());
            patterns = new UAPattern[configs.size()];
            for (int i = 0; i < patterns.length; i++) {
                patterns[i] = pattern("user_agent_parsers", i, configs.get(i), UserAgentParser::patternFromMap);
            }
            prefilter = new Prefilter(configs, literalIds);
        }

        UserAgent parse(String agent, long[] found) {
            for (int i = 0; i < patterns.length; i++) {
                if (prefilter.candidate(i, found)) {
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
        private final Prefilter prefilter;

        OsList(List<Map<String, String>> configs, Map<String, Integer> literalIds) {
            super(List.of());
            patterns = new OSPattern[configs.size()];
            for (int i = 0; i < patterns.length; i++) {
                patterns[i] = pattern("os_parsers", i, configs.get(i), OSParser::patternFromMap);
            }
            prefilter = new Prefilter(configs, literalIds);
        }

        OS parse(String agent, long[] found) {
            for (int i = 0; i < patterns.length; i++) {
                if (prefilter.candidate(i, found)) {
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
        private final Prefilter prefilter;

        DeviceList(List<Map<String, String>> configs, Map<String, Integer> literalIds) {
            super(List.of());
            patterns = new DevicePattern[configs.size()];
            for (int i = 0; i < patterns.length; i++) {
                patterns[i] = pattern("device_parsers", i, configs.get(i), DeviceParser::patternFromMap);
            }
            prefilter = new Prefilter(configs, literalIds);
        }

        Device parse(String agent, long[] found) {
            for (int i = 0; i < patterns.length; i++) {
                if (prefilter.candidate(i, found)) {
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
