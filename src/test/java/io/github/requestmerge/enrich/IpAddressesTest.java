package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class IpAddressesTest {

    @Test
    void literalsParseAsInetAddressDoes() throws Exception {
        for (String literal : List.of("1.2.3.4", "0.0.0.0", "255.255.255.255", "81.2.69.142", "::", "::1", "1::",
            "2001:db8::1", "2001:0db8:0000:0000:0000:ff00:0042:8329", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6::8", "1::8", "::ffff:1.2.3.4", "64:ff9b::192.0.2.33", "::1.2.3.4", "ABCD:EF01::", "a:b:c:d:e:f:0:1")) {
            assertEquals(InetAddress.getByName(literal), IpAddresses.parse(literal), literal);
        }
    }

    @Test
    void surroundingSpaceBracketsAndZonesAreAccepted() throws Exception {
        assertEquals(InetAddress.getByName("1.2.3.4"), IpAddresses.parse("  1.2.3.4\t"));
        assertEquals(InetAddress.getByName("2001:db8::1"), IpAddresses.parse("[2001:db8::1]"));
        assertEquals(InetAddress.getByName("fe80::1"), IpAddresses.parse("fe80::1%eth0"));
    }

    @Test
    void leadingZerosAreDecimal() throws Exception {
        assertEquals(InetAddress.getByName("10.0.0.8"), IpAddresses.parse("010.000.000.008"));
    }

    @Test
    void nonLiteralsAreRejected() {
        for (String text : new String[] {null, "", " ", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1",
            "1.2.3.-4", "+1.2.3.4", "0x7f.0.0.1", "1..2.3", "1.2.3.", ".1.2.3", "1234.1.1.1", ":::", "1:::2",
            "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
            "::1.2.3", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "g::1", "fe80::1%", "[1.2.3.4", "١.٢.٣.٤",
            "2001:db8::١"}) {
            assertNull(IpAddresses.parse(text), String.valueOf(text));
        }
    }

    @Test
    void hostNameIsNeverResolved() {
        // A resolver would answer for these; the parser must not even ask.
        assertNull(IpAddresses.parse("localhost"));
        assertNull(IpAddresses.parse("ip6-localhost"));
        assertNull(IpAddresses.parse("host.invalid"));
    }

    @Test
    void privateAndSpecialAddressesAreNotPublic() {
        for (String text : List.of("0.1.2.3", "10.1.2.3", "127.0.0.1", "100.64.0.1", "100.127.255.254", "169.254.1.1",
            "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.0.2.10", "198.18.0.1", "198.19.255.255",
            "198.51.100.7", "203.0.113.9", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::", "::1", "fe80::1",
            "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1", "::ffff:192.168.1.1")) {
            assertFalse(IpAddresses.isPublic(IpAddresses.parse(text)), text);
        }
    }

    @Test
    void publicAddressesArePublic() {
        for (String text : List.of("1.1.1.1", "8.8.8.8", "81.2.69.142", "100.63.255.255", "100.128.0.1", "172.15.0.1",
            "172.32.0.1", "192.0.3.1", "198.17.0.1", "198.20.0.1", "223.255.255.254", "2001:4860:4860::8888",
            "2a02:cf40::1", "::ffff:8.8.8.8")) {
            assertTrue(IpAddresses.isPublic(IpAddresses.parse(text)), text);
        }
    }
}
