package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import io.github.requestmerge.TestData;
import io.github.requestmerge.testing.UserAgentCorpus;
import ua_parser.Client;
import ua_parser.Parser;

/**
 * The prefiltered parser gives exactly uap-java's output, for the bundled regexes and for a newer
 * uap-core regexes.yaml, over real user agents (browsers, in-app webviews, bots, tools) plus
 * garbage, mutations and very long strings.
 */
class PrefilteredUserAgentParserEquivalenceTest {

    private static final List<String> HAND_WRITTEN = List.of(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "[FBAN/FBIOS;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.0;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/442.0.0.33.113;]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "Instagram 302.0.0.23.114 (iPhone14,5; iOS 16_6; en_US; en; scale=3.00; 1170x2532; 522681398)",
        "Mozilla/5.0 (Linux; Android 12; Pixel 6 Build/SQ3A.220705.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Version/4.0 Chrome/115.0.5790.166 Mobile Safari/537.36 trill_300204 JsSdk/1.0 NetType/WIFI Channel/googleplay "
            + "AppName/musical_ly app_version/30.2.4 ByteLocale/en ByteFullLocale/en Region/US",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 15_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
            + "Safari Line/13.1.0",
        "Mozilla/5.0 (Linux; Android 11; Redmi Note 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 "
            + "Mobile Safari/537.36 Twitter for Android",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 "
            + "Mobile Safari/537.36",
        "curl/8.4.0", "curl/7.68.0", "Wget/1.21.3", "Wget/1.20.3 (linux-gnu)", "python-requests/2.31.0",
        "Python-urllib/3.11", "Go-http-client/1.1", "Go-http-client/2.0", "okhttp/4.12.0", "Java/17.0.8",
        "Apache-HttpClient/4.5.14 (Java/17.0.8)", "PostmanRuntime/7.35.0", "axios/1.6.2", "node-fetch/1.0",
        "Dalvik/2.1.0 (Linux; U; Android 13; SM-A536B Build/TP1A.220624.014)", "HTTPie/3.2.2",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0 A", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)",
        "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36",
        "Roku/DVP-12.0 (12.0.0.4182-88)", "", " ", "-", "null", "Mozilla", "Mozilla/5.0", "()", "((((", "))))",
        "\u0000\u0001\u0002", "Ünïcödé Browser/1.0 (ÄÖÜ)", "浏览器/1.0 (中文)", "MOZILLA/5.0 (WINDOWS NT 10.0) CHROME/99.0");

    private static List<String> corpus;

    @BeforeAll
    static void buildCorpus() {
        List<String> real = UserAgentCorpus.real();
        SplittableRandom random = new SplittableRandom(20261127L);
        List<String> all = new ArrayList<>(real);
        all.addAll(HAND_WRITTEN);
        for (int i = 0; i < 300; i++) {
            all.add(randomString(random, 1 + random.nextInt(200), false));
            all.add(randomString(random, 1 + random.nextInt(100), true));
        }
        for (int i = 0; i < 1500; i++) {
            String agent = real.get(random.nextInt(real.size()));
            switch (i % 5) {
                case 0:
                    all.add(agent.toUpperCase(java.util.Locale.ROOT));
                    break;
                case 1:
                    all.add(agent.substring(0, random.nextInt(agent.length() + 1)));
                    break;
                case 2:
                    all.add(agent + " " + real.get(random.nextInt(real.size())));
                    break;
                case 3:
                    List<String> tokens = new ArrayList<>(List.of(agent.split(" ")));
                    Collections.shuffle(tokens, new java.util.Random(random.nextLong()));
                    all.add(String.join(" ", tokens));
                    break;
                default:
                    all.add(agent.toLowerCase(java.util.Locale.ROOT));
                    break;
            }
        }
        for (int i = 0; i < 4; i++) {
            StringBuilder longAgent = new StringBuilder();
            while (longAgent.length() < 10_000 + i * 3_000) {
                String agent = real.get(random.nextInt(real.size()));
                longAgent.append(agent, 0, random.nextInt(agent.length() + 1)).append(' ');
            }
            all.add(longAgent.toString());
        }
        corpus = List.copyOf(new java.util.LinkedHashSet<>(all));
    }

    private static String randomString(SplittableRandom random, int length, boolean unicode) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(unicode ? (char) (0x20 + random.nextInt(0x3000)) : (char) (0x20 + random.nextInt(0x5f)));
        }
        return text.toString();
    }

    @Test
    void matchesUapJavaWithTheBundledRegexes() {
        assertSameOutput(new Parser(), PrefilteredUserAgentParser.bundled(), "bundled regexes");
    }

    @Test
    void matchesUapJavaWithANewerUapCoreRegexesFile() throws IOException {
        Parser reference;
        try (InputStream in = Files.newInputStream(TestData.file("uap-core/regexes.yaml"))) {
            reference = new Parser(in);
        }
        PrefilteredUserAgentParser parser;
        try (InputStream in = Files.newInputStream(TestData.file("uap-core/regexes.yaml"))) {
            parser = PrefilteredUserAgentParser.fromYaml(in);
        }
        assertSameOutput(reference, parser, "uap-core 0.18.0 regexes");
    }

    private static void assertSameOutput(Parser reference, PrefilteredUserAgentParser parser, String what) {
        assertTrue(corpus.size() > 5_000, "corpus of " + corpus.size());
        List<String> mismatches = new ArrayList<>();
        int other = 0;
        for (String agent : corpus) {
            Client expected = reference.parse(agent);
            Client actual = parser.parse(agent);
            if (!expected.equals(actual)) {
                mismatches.add(agent + "\n  uap-java:    " + expected + "\n  prefiltered: " + actual);
            }
            if ("Other".equals(expected.userAgent.family)) {
                other++;
            }
        }
        assertEquals(List.of(), mismatches.subList(0, Math.min(10, mismatches.size())),
            mismatches.size() + " of " + corpus.size() + " user agents differ with the " + what);
        assertTrue(other < corpus.size() / 2, "the corpus is mostly recognisable: " + other + " parse as Other");
        assertEquals(new Client(null, null, null), parser.parse(null), "null in, nulls out, as uap-java");
    }

    @Test
    void everyMatchContainsARequiredLiteral() throws IOException {
        List<String> sample = new ArrayList<>(corpus);
        Collections.shuffle(sample, new java.util.Random(7));
        sample = sample.subList(0, 2500);
        int checked = 0;
        for (Supplier<InputStream> yaml : List.<Supplier<InputStream>>of(
            () -> Parser.class.getResourceAsStream("/ua_parser/regexes.yaml"),
            () -> {
                try {
                    return Files.newInputStream(TestData.file("uap-core/regexes.yaml"));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })) {
            Map<String, List<Map<String, String>>> config;
            try (InputStream in = yaml.get()) {
                config = new Yaml(new SafeConstructor(Parser.getDefaultLoaderOptions())).load(in);
            }
            for (List<Map<String, String>> section : config.values()) {
                for (Map<String, String> entry : section) {
                    String regex = entry.get("regex");
                    List<String> literals = RegexLiterals.requiredLiterals(regex);
                    if (literals.isEmpty()) {
                        continue;
                    }
                    Pattern pattern = Pattern.compile(regex, "i".equals(entry.get("regex_flag")) ? Pattern.CASE_INSENSITIVE : 0);
                    for (String agent : sample) {
                        if (pattern.matcher(agent).find()) {
                            String folded = fold(agent);
                            assertTrue(literals.stream().anyMatch(folded::contains),
                                "regex " + regex + " matches '" + agent + "' but none of " + literals + " occurs in it");
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked > 1000, "only " + checked + " matches checked");
    }

    @Test
    void mostRegexesGetALiteralRequirement() {
        PrefilteredUserAgentParser parser = PrefilteredUserAgentParser.bundled();
        int[] all = parser.regexCounts();
        int[] filtered = parser.filteredRegexCounts();
        for (int i = 0; i < all.length; i++) {
            assertTrue(filtered[i] * 10 >= all[i] * 7, "list " + i + ": " + filtered[i] + " of " + all[i] + " filtered");
        }
    }

    private static String fold(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            folded.append(RegexLiterals.fold(text.charAt(i)));
        }
        return folded.toString();
    }
}
