package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class IpAddressesTest {

    /** getByName does no DNS for these: every one is a literal Java accepts. */
    private static InetAddress javaLiteral(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static void assertParsesAsJavaDoes(String literal) throws Exception {
        assertEquals(javaLiteral(literal), IpAddresses.parse(literal), literal);
    }

    @Test
    void ipv4LiteralsParseAsInetAddressDoes() throws Exception {
        for (String literal : List.of("1.2.3.4", "0.0.0.0", "255.255.255.255", "81.2.69.142", "8.8.8.8",
            "127.0.0.1", "10.0.0.255", "192.168.1.1", "100.64.0.1", "224.0.0.1", "9.99.199.249")) {
            assertParsesAsJavaDoes(literal);
            assertInstanceOf(Inet4Address.class, IpAddresses.parse(literal), literal);
        }
    }

    @Test
    void ipv6LiteralsParseAsInetAddressDoes() throws Exception {
        for (String literal : List.of("::", "::1", "1::", "1::8", "2001:db8::1", "fe80::1:2:3:4",
            "2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8:0:0:0:ff00:42:8329", "2001:db8::ff00:42:8329",
            "1:2:3:4:5:6:7:8", "1:2:3:4:5:6::8", "1::3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
            "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01::", "AbCd:eF01::1", "a:b:c:d:e:f:0:1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0:0:0:0:0:0:0:0", "0:0:0:0:0:0:0:1", "2a02:cf40::",
            "ff02::1:ff00:1", "0000:0000:0000:0000:0000:0000:0000:0001")) {
            assertParsesAsJavaDoes(literal);
            assertInstanceOf(Inet6Address.class, IpAddresses.parse(literal), literal);
        }
    }

    @Test
    void ipv6WithEmbeddedIpv4Parses() throws Exception {
        for (String literal : List.of("::1.2.3.4", "::ffff:1.2.3.4", "::FFFF:81.2.69.142", "64:ff9b::192.0.2.33",
            "64:ff9b::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5::1.2.3.4", "::2:3:4:5:6:1.2.3.4",
            "0:0:0:0:0:ffff:10.0.0.1", "2001:db8:122:344::192.0.2.33", "::0.0.0.0", "::255.255.255.255")) {
            assertParsesAsJavaDoes(literal);
        }
        assertArrayEquals(new byte[] {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4},
            IpAddresses.parse("64:ff9b::1.2.3.4").getAddress());
    }

    @Test
    void ipv4MappedIpv6BecomesIpv4AsWithInetAddress() throws Exception {
        InetAddress mapped = IpAddresses.parse("::ffff:81.2.69.142");
        assertInstanceOf(Inet4Address.class, mapped);
        assertEquals(IpAddresses.parse("81.2.69.142"), mapped);
        assertEquals(IpAddresses.parse("81.2.69.142"), IpAddresses.parse("::ffff:5102:458e"));
    }

    @Test
    void surroundingWhitespaceIsIgnored() throws Exception {
        assertEquals(javaLiteral("1.2.3.4"), IpAddresses.parse("  1.2.3.4\t"));
        assertEquals(javaLiteral("1.2.3.4"), IpAddresses.parse("\n1.2.3.4\r\n"));
        assertEquals(javaLiteral("2001:db8::1"), IpAddresses.parse(" 2001:db8::1 "));
        assertEquals(javaLiteral("2001:db8::1"), IpAddresses.parse("\u2003[2001:db8::1]\u2003"));
        assertNull(IpAddresses.parse("1.2. 3.4"));
        assertNull(IpAddresses.parse("2001:db8:: 1"));
        assertNull(IpAddresses.parse("[ ::1 ]"));
    }

    @Test
    void bracketsAreAcceptedAroundIpv6Only() throws Exception {
        assertEquals(javaLiteral("2001:db8::1"), IpAddresses.parse("[2001:db8::1]"));
        assertEquals(javaLiteral("::"), IpAddresses.parse("[::]"));
        assertEquals(javaLiteral("::ffff:1.2.3.4"), IpAddresses.parse("[::ffff:1.2.3.4]"));
        for (String text : List.of("[1.2.3.4]", "[]", "[", "]", "[::1", "::1]", "[[::1]]", "[::1]:443", "[::1]x")) {
            assertNull(IpAddresses.parse(text), text);
        }
    }

    @Test
    void zoneIdsAreIgnored() throws Exception {
        assertEquals(javaLiteral("fe80::1"), IpAddresses.parse("fe80::1%eth0"));
        assertEquals(javaLiteral("fe80::1"), IpAddresses.parse("[fe80::1%eth0]"));
        assertEquals(javaLiteral("fe80::1"), IpAddresses.parse("fe80::1%25"));
        assertEquals(javaLiteral("::ffff:1.2.3.4"), IpAddresses.parse("::ffff:1.2.3.4%1"));
        assertEquals(javaLiteral("::"), IpAddresses.parse("::%lo"));
        for (String text : List.of("fe80::1%", "[fe80::1%]", "fe80::1%eth 0", "fe80::1%a%b", "%eth0", "::%",
            "1.2.3.4%eth0", "fe80::1%[eth0]", "[fe80::1]%eth0")) {
            assertNull(IpAddresses.parse(text), text);
        }
    }

    @Test
    void leadingZerosInIpv4AreDecimal() throws Exception {
        assertEquals(javaLiteral("10.0.0.8"), IpAddresses.parse("010.000.000.008"));
        assertEquals(javaLiteral("17.0.0.1"), IpAddresses.parse("017.0.0.1"));
        assertEquals(javaLiteral("::ffff:10.0.0.8"), IpAddresses.parse("::ffff:010.0.0.008"));
        assertNull(IpAddresses.parse("0177.0.0.1"), "four digits are rejected even with a leading zero");
    }

    @Test
    void ipv4ShorthandHexOctalAndSignedFormsAreRejected() {
        for (String text : List.of("1.2.3", "127.1", "1", "2130706433", "0x7f.0.0.1", "0x7f000001", "0X7F.0.0.1",
            "0177.0.0.01.1", "+1.2.3.4", "-1.2.3.4", "1.+2.3.4", "1.2.3.-4", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4.",
            ".1.2.3.4", "1.2.3.4.5", "256.1.1.1", "1.256.1.1", "1.1.1.256", "999.1.1.1", "1234.1.1.1", "1.2.3.4a",
            "a1.2.3.4", "1,2,3,4", "1.2.3.4/24", "1.2.3.4:80", "1 .2.3.4", "١.٢.٣.٤", "１.２.３.４", "1.2.3.4\u0000")) {
            assertNull(IpAddresses.parse(text), text);
        }
    }

    @Test
    void malformedIpv6IsRejected() {
        for (String text : List.of(":", ":::", "::::", "1:::2", "1::2::3", "::1::", "12345::", "1:23456::",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", ":1::", "1::2:", "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8", "g::1", "::g", "1:2:3:4:5:6:7:g", "fffff::", "::-1", "::+1",
            "::1.2.3", "::1.2.3.4:5", "::1.2.3.4.5", "::256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3.4::",
            "1.2.3.4::", "::ffff:0x7f.0.0.1", "::ffff:a.b.c.d", "::ffff:1.2.3.04a", "::1:2:3:4:5:6:1.2.3.4",
            "2001:db8::١", "2001:db8::１", "2001:db8::ｆ", "0x1::", "::1/128", "1:2:3:4:5:6:7:8/64", ":1.2.3.4")) {
            assertNull(IpAddresses.parse(text), text);
        }
    }

    @Test
    void nullAndEmptyAndGarbageAreRejected() {
        for (String text : new String[] {null, "", " ", "\t\n", "-", "unknown", "null", "n/a", "...", "::.", "..::",
            "[]", "%", "\u0000", "😀", "1.2.3.4 5.6.7.8", "1.2.3.4,5.6.7.8", "::1 ::2"}) {
            assertNull(IpAddresses.parse(text), String.valueOf(text));
        }
    }

    @Test
    void hostNameIsNeverResolved() throws Exception {
        // Resolvable without any network (the hosts file), so getByName answers and parse must not.
        assertNotNull(InetAddress.getByName("localhost"));
        List<String> names = new ArrayList<>(List.of("localhost", "example.com", "www.example.com", "ip6-localhost",
            "host.invalid", "abc", "cafe", "dead.beef", "1.2.3.4.example.com", "fe80.local", "a.b.c.d", "face:b00c.com"));
        for (int i = 0; i < 2_000; i++) {
            // Never seen before, so no JVM or OS cache could answer a lookup; a resolver would take far longer.
            names.add("never-resolved-" + i + ".invalid");
        }
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (String name : names) {
                assertNull(IpAddresses.parse(name), name);
            }
        });
    }

    @Test
    void randomAddressesRoundTripInEveryNotation() throws Exception {
        Random random = new Random(20_240_611L);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            // Zero runs of random length and place, so "::" lands everywhere.
            int zerosFrom = random.nextInt(16);
            int zerosTo = zerosFrom + random.nextInt(17 - zerosFrom);
            for (int i = zerosFrom; i < zerosTo; i++) {
                bytes[i] = 0;
            }
            InetAddress expected = InetAddress.getByAddress(bytes);
            for (String text : List.of(full(bytes, random), compressed(bytes, random), withIpv4Tail(bytes, random))) {
                assertEquals(expected, IpAddresses.parse(text), text);
            }

            byte[] ipv4 = {bytes[0], bytes[1], bytes[2], bytes[3]};
            String dotted = (ipv4[0] & 0xff) + "." + (ipv4[1] & 0xff) + "." + (ipv4[2] & 0xff) + "." + (ipv4[3] & 0xff);
            assertEquals(InetAddress.getByAddress(ipv4), IpAddresses.parse(dotted), dotted);
        }
    }

    @Test
    void randomTextIsNeverAcceptedUnlessJavaReadsTheSameLiteral() throws Exception {
        Random random = new Random(7L);
        String alphabet = "0123456789abcdefABCDEFxg:::...%[] ";
        int accepted = 0;
        for (int n = 0; n < 200_000; n++) {
            char[] chars = new char[1 + random.nextInt(20)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String text = new String(chars);
            InetAddress parsed = IpAddresses.parse(text); // must never throw
            if (parsed != null) {
                accepted++;
                // Java's literal parser is more lenient than ours, so whatever we accept it reads the same.
                String literal = text.strip();
                int zone = literal.indexOf('%');
                if (zone >= 0) {
                    literal = literal.substring(0, zone) + (literal.startsWith("[") ? "]" : "");
                }
                assertTrue(literal.indexOf(':') >= 0 || literal.indexOf('.') > 0, literal);
                assertEquals(javaLiteral(literal), parsed, text);
            }
        }
        assertTrue(accepted > 100, "the alphabet should produce some literals, got " + accepted);
    }

    @Test
    void privateAndSpecialAddressesAreNotPublic() {
        for (String text : List.of(
            "0.0.0.0", "0.1.2.3", "0.255.255.255",                          // 0.0.0.0/8
            "10.0.0.0", "10.1.2.3", "10.255.255.255",                       // 10/8
            "100.64.0.0", "100.64.0.1", "100.100.100.100", "100.127.255.255", // 100.64/10
            "127.0.0.1", "127.255.255.254",                                  // loopback
            "169.254.0.1", "169.254.255.255",                                // link-local
            "172.16.0.1", "172.20.1.1", "172.31.255.255",                    // 172.16/12
            "192.168.0.1", "192.168.255.255",                                // 192.168/16
            "192.0.2.0", "192.0.2.10", "198.51.100.7", "203.0.113.9", "203.0.113.255", // documentation
            "198.18.0.1", "198.19.255.255",                                  // benchmarking
            "224.0.0.1", "239.255.255.255",                                  // multicast
            "240.0.0.1", "250.1.2.3", "255.255.255.254", "255.255.255.255",  // reserved, broadcast
            "::", "::1",                                                     // unspecified, loopback
            "fe80::1", "febf:ffff::1",                                       // link-local
            "fec0::1", "feff::1",                                            // site-local
            "fc00::1", "fd12:3456::1", "fdff:ffff::1",                       // unique local
            "ff02::1", "ff0e::1", "ffff::1",                                 // multicast
            "2001:db8::1", "2001:db8:ffff::1", "3fff::1", "3fff:fff::1",     // documentation
            "::ffff:10.0.0.1", "::ffff:192.168.1.1", "::ffff:127.0.0.1", "::ffff:0.0.0.0", "::ffff:255.255.255.255",
            "::10.0.0.1", "::192.168.1.1", "::0.0.0.2")) {
            assertFalse(IpAddresses.isPublic(IpAddresses.parse(text)), text);
        }
    }

    @Test
    void publicAddressesArePublic() {
        for (String text : List.of("1.1.1.1", "8.8.8.8", "81.2.69.142", "1.0.0.0", "9.255.255.255", "11.0.0.0",
            "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0",
            "172.15.255.255", "172.32.0.0", "192.0.1.255", "192.0.3.0", "192.167.255.255", "192.169.0.0",
            "198.17.255.255", "198.20.0.0", "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0",
            "223.255.255.255", "2001:4860:4860::8888", "2a02:cf40::1", "2001:218::1", "2001:db7:ffff::1",
            "2001:db9::1", "fbff::1", "fe7f::1", "fe00::1", "3ffe::1", "3fff:1000::1", "4000::1", "2002:c000:0201::1",
            "64:ff9b::8.8.8.8", "::ffff:8.8.8.8", "::8.8.8.8", "::2:0:0", "1::")) {
            assertTrue(IpAddresses.isPublic(IpAddresses.parse(text)), text);
        }
    }

    @Test
    void ipv4MappedInet6AddressIsJudgedByItsIpv4Address() throws Exception {
        // Inet6Address.getByAddress keeps the IPv6 form that getByAddress(byte[]) would turn into IPv4.
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        assertFalse(IpAddresses.isPublic(Inet6Address.getByAddress(null, mapped, -1)));
        mapped[12] = 8;
        mapped[13] = 8;
        mapped[14] = 8;
        mapped[15] = 8;
        assertTrue(IpAddresses.isPublic(Inet6Address.getByAddress(null, mapped, -1)));
    }

    @Test
    void nullIsNotPublic() {
        assertFalse(IpAddresses.isPublic(null));
    }

    private static String full(byte[] bytes, Random random) {
        StringBuilder text = new StringBuilder();
        for (int group = 0; group < 8; group++) {
            if (group > 0) {
                text.append(':');
            }
            text.append(hex(bytes, group, random));
        }
        return decorate(text.toString(), random);
    }

    /** The longest run of zero groups (or a random one) as "::", when there is one. */
    private static String compressed(byte[] bytes, Random random) {
        int bestStart = -1;
        int bestLength = 0;
        for (int group = 0; group < 8; ) {
            int length = 0;
            while (group + length < 8 && groupValue(bytes, group + length) == 0) {
                length++;
            }
            if (length > bestLength || length > 0 && random.nextInt(4) == 0) {
                bestStart = group;
                bestLength = length;
            }
            group += Math.max(length, 1);
        }
        if (bestStart < 0) {
            return full(bytes, random);
        }
        StringBuilder text = new StringBuilder();
        for (int group = 0; group < bestStart; group++) {
            text.append(group > 0 ? ":" : "").append(hex(bytes, group, random));
        }
        text.append("::");
        for (int group = bestStart + bestLength; group < 8; group++) {
            text.append(group > bestStart + bestLength ? ":" : "").append(hex(bytes, group, random));
        }
        return decorate(text.toString(), random);
    }

    private static String withIpv4Tail(byte[] bytes, Random random) {
        StringBuilder text = new StringBuilder();
        for (int group = 0; group < 6; group++) {
            text.append(hex(bytes, group, random)).append(':');
        }
        text.append(bytes[12] & 0xff).append('.').append(bytes[13] & 0xff).append('.')
            .append(bytes[14] & 0xff).append('.').append(bytes[15] & 0xff);
        return decorate(text.toString(), random);
    }

    private static int groupValue(byte[] bytes, int group) {
        return (bytes[group * 2] & 0xff) << 8 | bytes[group * 2 + 1] & 0xff;
    }

    /** Lower or upper case, with or without leading zeros. */
    private static String hex(byte[] bytes, int group, Random random) {
        String hex = Integer.toHexString(groupValue(bytes, group));
        if (random.nextBoolean()) {
            hex = "0".repeat(4 - hex.length()) + hex;
        }
        return random.nextBoolean() ? hex.toUpperCase(java.util.Locale.ROOT) : hex;
    }

    private static String decorate(String literal, Random random) {
        switch (random.nextInt(5)) {
            case 0:
                return "[" + literal + "]";
            case 1:
                return literal + "%eth" + random.nextInt(4);
            case 2:
                return " " + literal + "\t";
            default:
                return literal;
        }
    }
}
