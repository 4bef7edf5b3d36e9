package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import io.github.requestmerge.TestData;
import io.github.requestmerge.testing.UserAgentCorpus;
import ua_parser.Client;
import ua_parser.Device;
import ua_parser.OS;
import ua_parser.Parser;
import ua_parser.UserAgent;

/**
 * The prefiltered parser gives exactly uap-java's output, for the bundled regexes (uap-core 0.18.0) and for another
 * uap-core regexes.yaml, over real user agents (browsers, bots, tools), hand-written in-app
 * webviews and HTTP clients, garbage, mutations of real user agents and very long strings. The
 * prefilter's soundness is also checked directly: every match of every regex contains a literal
 * of each of its clauses.
 */
class PrefilteredUserAgentParserEquivalenceTest {

    private static final long SEED = 20261127L;
    private static final String[] SECTIONS = {"user_agent_parsers", "os_parsers", "device_parsers"};

    /** In-app browsers, HTTP clients and oddities the real corpora lack. */
    private static final List<String> HAND_WRITTEN = List.of(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "[FBAN/FBIOS;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.0;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/442.0.0.33.113;]",
        "Mozilla/5.0 (Linux; Android 12; SM-G991B Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/118.0.5993.111 Mobile Safari/537.36 [FB_IAB/Orca-Android;FBAV/430.0.0.23.113;]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "Instagram 302.0.0.23.114 (iPhone14,5; iOS 16_6; en_US; en; scale=3.00; 1170x2532; 522681398)",
        "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/116.0.5845.163 Mobile Safari/537.36 Instagram 298.0.0.31.110 Android (33/13; 420dpi; "
            + "1080x2400; Google/google; Pixel 7; panther; panther; en_US; 509948124)",
        "Mozilla/5.0 (Linux; Android 12; Pixel 6 Build/SQ3A.220705.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/115.0.5790.166 Mobile Safari/537.36 trill_300204 JsSdk/1.0 NetType/WIFI Channel/googleplay "
            + "AppName/musical_ly app_version/30.2.4 ByteLocale/en ByteFullLocale/en Region/US",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "musical_ly_30.1.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN",
        "Mozilla/5.0 (Linux; Android 10; V2002A Build/QP1A.190711.020; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220805 Mobile Safari/537.36 MMWEBID/6170 "
            + "MicroMessenger/8.0.27.2220(0x28001B53) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 15_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "Safari Line/13.1.0",
        "Mozilla/5.0 (Linux; Android 11; SM-A515F Build/RP1A.200720.012; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 Line/13.6.1/IAB",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "Snapchat/12.60.0.43 (like Safari/8617.1.17.10.9, panda)",
        "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Mobile "
            + "Safari/537.36 [Pinterest/Android]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "[LinkedInApp]/9.27.1021",
        "Mozilla/5.0 (Linux; Android 11; Redmi Note 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 "
            + "Mobile Safari/537.36 Twitter for Android",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 "
            + "Mobile Safari/537.36",
        "curl/8.4.0", "curl/7.68.0", "Wget/1.21.3", "Wget/1.20.3 (linux-gnu)", "python-requests/2.31.0",
        "Python-urllib/3.11", "Go-http-client/1.1", "Go-http-client/2.0", "okhttp/4.12.0", "okhttp/3.14.9",
        "Java/17.0.8", "Java/1.8.0_381", "Apache-HttpClient/4.5.14 (Java/17.0.8)",
        "Apache-HttpClient/5.2.1 (Java/11.0.20)", "PostmanRuntime/7.35.0", "axios/1.6.2", "node-fetch/1.0",
        "Dalvik/2.1.0 (Linux; U; Android 13; SM-A536B Build/TP1A.220624.014)", "HTTPie/3.2.2",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0 A", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)",
        "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36",
        "Roku/DVP-12.0 (12.0.0.4182-88)", "", " ", "   \t ", "\n", "-", "null", "Mozilla", "Mozilla/5.0", "()", "((((",
        "))))", "\u0000\u0001\u0002", "Ünïcödé Browser/1.0 (ÄÖÜ)", "浏览器/1.0 (中文)",
        "MOZILLA/5.0 (WINDOWS NT 10.0) CHROME/99.0", "Mozilla/5.0 (\uD83D\uDE00; Emoji OS 1.0) Browser\uD83D\uDE00/2.0");

    private static List<String> real;
    private static List<String> corpus;

    @BeforeAll
    static void buildCorpus() {
        real = UserAgentCorpus.real();
        SplittableRandom random = new SplittableRandom(SEED);
        Set<String> all = new LinkedHashSet<>(real);
        all.addAll(HAND_WRITTEN);
        for (int i = 0; i < 150; i++) {
            all.add(randomAscii(random, random.nextInt(201)));
            all.add(randomUnicode(random, 1 + random.nextInt(100)));
        }
        for (int i = 0; i < 2100; i++) {
            all.add(mutate(random, i % 7));
        }
        // Long enough to show the cost stays linear, short enough to keep the test quick.
        for (int length = 10_000; length <= 50_000; length += 10_000) {
            StringBuilder longAgent = new StringBuilder(length + 1_000);
            while (longAgent.length() < length) {
                String agent = pick(random);
                int from = random.nextInt(agent.length() + 1);
                longAgent.append(agent, from, from + random.nextInt(agent.length() - from + 1)).append(' ');
            }
            all.add(longAgent.toString());
        }
        corpus = List.copyOf(all);
    }

    private static String mutate(SplittableRandom random, int kind) {
        String agent = pick(random);
        switch (kind) {
            case 0:
                return agent.toUpperCase(Locale.ROOT);
            case 1:
                return agent.toLowerCase(Locale.ROOT);
            case 2: {
                StringBuilder flipped = new StringBuilder(agent);
                for (int i = 0; i < flipped.length(); i++) {
                    char c = flipped.charAt(i);
                    if (random.nextBoolean() && Character.isLetter(c)) {
                        flipped.setCharAt(i, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
                    }
                }
                return flipped.toString();
            }
            case 3:
                return agent.substring(0, random.nextInt(agent.length() + 1));
            case 4:
                return agent + (random.nextBoolean() ? " " : "") + pick(random);
            case 5: {
                List<String> tokens = new ArrayList<>(List.of(agent.split(" ")));
                java.util.Collections.shuffle(tokens, new Random(random.nextLong()));
                return String.join(" ", tokens);
            }
            default: {
                StringBuilder edited = new StringBuilder(agent);
                int at = random.nextInt(edited.length() + 1);
                char c = (char) (0x20 + random.nextInt(0x5f));
                if (at < edited.length() && random.nextBoolean()) {
                    edited.setCharAt(at, c);
                } else {
                    edited.insert(at, c);
                }
                return edited.toString();
            }
        }
    }

    private static String pick(SplittableRandom random) {
        return real.get(random.nextInt(real.size()));
    }

    private static String randomAscii(SplittableRandom random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (0x20 + random.nextInt(0x5f)));
        }
        return text.toString();
    }

    private static String randomUnicode(SplittableRandom random, int length) {
        StringBuilder text = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind == 0) {
                text.append((char) (0xD800 + random.nextInt(0x800))); // a lone surrogate
            } else if (kind < 3) {
                text.appendCodePoint(0x10000 + random.nextInt(0x10000));
            } else {
                int c = random.nextInt(0xD800);
                text.append((char) c);
            }
        }
        return text.toString();
    }

    @Test
    void matchesUapJavaOnTheCorpusWithItsBundledRegexes() {
        assertSameAsUapJava(new Parser(), PrefilteredUserAgentParser.bundled(), "uap-java's bundled regexes");
    }

    @Test
    void matchesUapJavaOnTheCorpusWithAnotherUapCoreRegexesFile() throws IOException {
        Parser reference;
        try (InputStream in = Files.newInputStream(TestData.file("uap-core-0.16.0/regexes.yaml"))) {
            reference = new Parser(in);
        }
        PrefilteredUserAgentParser parser;
        try (InputStream in = Files.newInputStream(TestData.file("uap-core-0.16.0/regexes.yaml"))) {
            parser = PrefilteredUserAgentParser.fromYaml(in);
        }
        assertSameAsUapJava(reference, parser, "uap-core's regexes.yaml");
    }

    private static void assertSameAsUapJava(Parser reference, PrefilteredUserAgentParser parser, String regexes) {
        assertTrue(corpus.size() > 5_000 && real.size() > 2_500,
            "corpus of " + corpus.size() + " user agents, " + real.size() + " of them real");
        List<String> mismatches = new ArrayList<>();
        int other = 0;
        Set<String> families = new HashSet<>();
        for (String agent : corpus) {
            Client expected = reference.parse(agent);
            Client actual = parser.parse(agent);
            if (!expected.equals(actual)) {
                mismatches.add(show(agent) + "\n  uap-java:    " + expected + "\n  prefiltered: " + actual);
            }
            if (UserAgent.OTHER.equals(expected.userAgent)) {
                other++;
            }
            families.add("ua " + expected.userAgent.family);
            families.add("os " + expected.os.family);
            families.add("device " + expected.device.family);
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + corpus.size() + " user agents parse differently "
            + "with " + regexes + ", the first ones:\n" + String.join("\n", mismatches.subList(0, Math.min(10,
                mismatches.size()))));
        assertTrue(other < corpus.size() / 2 && families.size() > 500, "a corpus that exercises the regexes: "
            + other + " of " + corpus.size() + " have user agent Other, " + families.size() + " distinct families");
        assertEquals(reference.parse(null), parser.parse(null), "null gives a client of nulls, as in uap-java");
    }

    @Test
    void everyRegexMatchContainsALiteralOfEachClause() throws IOException {
        // Both files share most regexes; each distinct regex (with its flag) is checked once.
        Set<List<String>> distinct = new LinkedHashSet<>();
        int total = 0;
        for (String source : List.of("bundled", "uap-core")) {
            Map<String, List<Map<String, String>>> config = loadYaml(source);
            for (String section : SECTIONS) {
                for (Map<String, String> entry : config.get(section)) {
                    distinct.add(List.of(entry.get("regex"), "i".equals(entry.get("regex_flag")) ? "i" : ""));
                    total++;
                }
            }
        }
        List<List<String>> regexes = new ArrayList<>(distinct);
        List<String> folded = new ArrayList<>(corpus.size());
        for (String agent : corpus) {
            folded.add(RegexLiterals.fold(agent));
        }
        LongAdder regexesWithClauses = new LongAdder();
        LongAdder matchesChecked = new LongAdder();
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        IntStream.range(0, regexes.size()).parallel().forEach(i -> {
            String regex = regexes.get(i).get(0);
            List<List<String>> clauses = RegexLiterals.clauses(regex);
            if (clauses.isEmpty()) {
                return;
            }
            regexesWithClauses.increment();
            Pattern pattern = Pattern.compile(regex, regexes.get(i).get(1).isEmpty() ? 0 : Pattern.CASE_INSENSITIVE);
            for (int a = 0; a < corpus.size(); a++) {
                if (pattern.matcher(corpus.get(a)).find()) {
                    matchesChecked.increment();
                    String text = folded.get(a);
                    for (List<String> clause : clauses) {
                        if (clause.stream().noneMatch(text::contains)) {
                            violations.add("/" + regex + "/" + regexes.get(i).get(1) + " finds a match in "
                                + show(corpus.get(a)) + " which has none of " + clause);
                        }
                    }
                }
            }
        });
        assertTrue(violations.isEmpty(), violations.size() + " unsound clauses:\n"
            + String.join("\n", new ArrayList<>(violations).subList(0, Math.min(10, violations.size()))));
        assertTrue(regexesWithClauses.sum() * 100 >= regexes.size() * 95L && matchesChecked.sum() > 20_000,
            regexesWithClauses.sum() + " of " + regexes.size() + " distinct regexes (" + total + " in both files) have "
                + "clauses; " + matchesChecked.sum() + " matches checked over " + corpus.size() + " user agents");
    }

    @Test
    void nearlyEveryRegexGetsALiteralRequirement() throws IOException {
        PrefilteredUserAgentParser bundled = PrefilteredUserAgentParser.bundled();
        PrefilteredUserAgentParser other;
        try (InputStream in = Files.newInputStream(TestData.file("uap-core-0.16.0/regexes.yaml"))) {
            other = PrefilteredUserAgentParser.fromYaml(in);
        }
        for (PrefilteredUserAgentParser parser : List.of(bundled, other)) {
            PrefilteredUserAgentParser.Stats stats = parser.stats();
            assertEquals(stats.userAgentPatterns() + stats.osPatterns() + stats.devicePatterns(), parser.patternCount());
            assertTrue(stats.userAgentPatterns() > 300 && stats.osPatterns() > 150 && stats.devicePatterns() > 500,
                stats.toString());
            assertTrue(stats.userAgentFiltered() * 100 >= stats.userAgentPatterns() * 95
                && stats.osFiltered() * 100 >= stats.osPatterns() * 95
                && stats.deviceFiltered() * 100 >= stats.devicePatterns() * 95, stats.toString());
        }
    }

    @Test
    void givesTheSameResultsWhenSharedAcrossThreads() throws Exception {
        PrefilteredUserAgentParser parser = PrefilteredUserAgentParser.bundled();
        List<String> sample = corpus.subList(0, 1_500);
        List<Client> expected = new ArrayList<>();
        for (String agent : sample) {
            expected.add(parser.parse(agent));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Client>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 97;
                results.add(pool.submit(() -> {
                    List<Client> actual = new ArrayList<>(sample.size());
                    for (int i = 0; i < sample.size(); i++) {
                        actual.add(null);
                    }
                    for (int i = 0; i < sample.size(); i++) {
                        int at = (i + offset) % sample.size();
                        actual.set(at, parser.parse(sample.get(at)));
                    }
                    return actual;
                }));
            }
            for (Future<List<Client>> result : results) {
                assertEquals(expected, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void emptyListsParseEverythingAsOtherLikeUapJava() {
        String yaml = "user_agent_parsers: []\nos_parsers: []\ndevice_parsers: []\n";
        PrefilteredUserAgentParser parser = PrefilteredUserAgentParser.fromYaml(stream(yaml));
        Client expected = new Client(UserAgent.OTHER, OS.OTHER, Device.OTHER);
        assertEquals(expected, new Parser(stream(yaml)).parse("curl/8.4.0"));
        assertEquals(expected, parser.parse("curl/8.4.0"));
        assertEquals(0, parser.patternCount());
    }

    @Test
    void aMissingSectionIsRejectedWithUapJavasMessage() {
        String yaml = "user_agent_parsers: []\nos_parsers: []\n";
        IllegalArgumentException uapJava = assertThrows(IllegalArgumentException.class, () -> new Parser(stream(yaml)));
        IllegalArgumentException ours = assertThrows(IllegalArgumentException.class,
            () -> PrefilteredUserAgentParser.fromYaml(stream(yaml)));
        assertEquals(uapJava.getMessage(), ours.getMessage());
        assertEquals("device_parsers is missing from yaml", ours.getMessage());
    }

    @Test
    void anInvalidRegexIsRejectedNamingItsEntry() {
        String yaml = "user_agent_parsers:\n  - regex: 'Chrome/(\\d+)'\n  - regex: '(Broken'\nos_parsers: []\n"
            + "device_parsers: []\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PrefilteredUserAgentParser.fromYaml(stream(yaml)));
        assertTrue(e.getMessage().startsWith("user_agent_parsers[1]: ") && e.getMessage().contains("(Broken"),
            e.getMessage());
    }

    @Test
    void anEntryWithoutARegexIsRejectedNamingItsEntry() {
        String yaml = "user_agent_parsers: []\nos_parsers:\n  - os_replacement: 'X'\ndevice_parsers: []\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PrefilteredUserAgentParser.fromYaml(stream(yaml)));
        assertEquals("os_parsers[0]: OS is missing regex", e.getMessage());
    }

    @Test
    void malformedYamlIsRejectedWithAClearMessage() {
        for (String yaml : List.of("user_agent_parsers: [unclosed", "- just\n- a list\n", "",
            "user_agent_parsers: 5\nos_parsers: []\ndevice_parsers: []\n",
            "user_agent_parsers: [5]\nos_parsers: []\ndevice_parsers: []\n",
            "user_agent_parsers:\n  - regex: 5\nos_parsers: []\ndevice_parsers: []\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrefilteredUserAgentParser.fromYaml(stream(yaml)), yaml);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), yaml);
        }
    }

    private static Map<String, List<Map<String, String>>> loadYaml(String source) throws IOException {
        try (InputStream in = "bundled".equals(source) ? Parser.class.getResourceAsStream("/ua_parser/regexes.yaml")
            : Files.newInputStream(TestData.file("uap-core-0.16.0/regexes.yaml"))) {
            return new Yaml(new SafeConstructor(Parser.getDefaultLoaderOptions())).load(in);
        }
    }

    private static InputStream stream(String yaml) {
        return new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
    }

    /** The user agent for a failure message, shortened when it is one of the very long ones. */
    private static String show(String agent) {
        return agent.length() <= 400 ? "'" + agent + "'"
            : "'" + agent.substring(0, 400) + "...' (" + agent.length() + " chars)";
    }
}
