package io.github.requestmerge.enrich;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address literals without ever resolving a host name: {@code InetAddress.getByName}
 * does a DNS lookup for anything that is not a literal, which on the hot path of a transform would
 * stall the task and leak record content to a DNS server. Stateless and thread-safe.
 */
final class IpAddresses {

    private IpAddresses() {
    }

    /**
     * Parses an IPv4 dotted quad ({@code 1.2.3.4}; each part 1-3 decimal digits up to 255, leading
     * zeros read as decimal) or an IPv6 address (full or {@code ::}-compressed, optional embedded
     * IPv4 tail, optional brackets and {@code %zone}), ignoring surrounding white space.
     *
     * @return the address, or null when the text is not such a literal
     */
    static InetAddress parse(String text) {
        if (text == null) {
            return null;
        }
        int start = 0;
        int end = text.length();
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        if (end - start >= 2 && text.charAt(start) == '[' && text.charAt(end - 1) == ']') {
            start++;
            end--;
        }
        if (start == end) {
            return null;
        }
        byte[] bytes = text.indexOf(':', start) >= 0 && text.indexOf(':', start) < end
            ? parseIpv6(text, start, end)
            : parseIpv4(text, start, end, new byte[4], 0);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null; // only thrown for a wrong array length, which cannot happen here
        }
    }

    /** Writes four bytes at {@code into[at]}; returns {@code into}, or null when the text is not a dotted quad. */
    private static byte[] parseIpv4(String text, int start, int end, byte[] into, int at) {
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > 3) {
                    return null;
                }
                value = value * 10 + (c - '0');
            } else if (c == '.') {
                if (digits == 0 || value > 255 || part == 3) {
                    return null;
                }
                into[at + part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        if (part != 3 || digits == 0 || value > 255) {
            return null;
        }
        into[at + 3] = (byte) value;
        return into;
    }

    private static byte[] parseIpv6(String text, int start, int end) {
        int zone = text.indexOf('%', start);
        if (zone >= 0 && zone < end) {
            if (zone == end - 1) {
                return null;
            }
            end = zone;
        }
        byte[] bytes = new byte[16];
        int groups = 0;          // 16-bit groups written so far
        int compressedAt = -1;   // group index where "::" stands
        int i = start;
        if (i + 1 < end && text.charAt(i) == ':' && text.charAt(i + 1) == ':') {
            compressedAt = 0;
            i += 2;
        } else if (text.charAt(i) == ':') {
            return null;
        }
        while (i < end) {
            int groupStart = i;
            int value = 0;
            while (i < end && i - groupStart < 5) {
                int digit = Character.digit(text.charAt(i), 16);
                if (digit < 0 || text.charAt(i) > 'f') {
                    break;
                }
                value = (value << 4) | digit;
                i++;
            }
            int length = i - groupStart;
            if (i < end && text.charAt(i) == '.') {
                // An embedded IPv4 tail takes the last two groups.
                if (groups > 6 || parseIpv4(text, groupStart, end, bytes, groups * 2) == null) {
                    return null;
                }
                groups += 2;
                i = end;
                break;
            }
            if (length == 0 || length > 4 || groups == 8) {
                return null;
            }
            bytes[groups * 2] = (byte) (value >>> 8);
            bytes[groups * 2 + 1] = (byte) value;
            groups++;
            if (i == end) {
                break;
            }
            if (text.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < end && text.charAt(i) == ':') {
                if (compressedAt >= 0) {
                    return null;
                }
                compressedAt = groups;
                i++;
            } else if (i == end) {
                return null; // a trailing single ':'
            }
        }
        if (compressedAt < 0) {
            return groups == 8 ? bytes : null;
        }
        if (groups == 8) {
            return null; // "::" must stand for at least one group
        }
        int tail = groups - compressedAt;
        System.arraycopy(bytes, compressedAt * 2, bytes, 16 - tail * 2, tail * 2);
        java.util.Arrays.fill(bytes, compressedAt * 2, 16 - tail * 2, (byte) 0);
        return bytes;
    }

    /**
     * @return false for addresses no geo database can place: unspecified, loopback, link-local,
     *     private (RFC 1918), carrier-grade NAT, unique-local, site-local, multicast, broadcast,
     *     documentation, benchmarking and reserved ranges; IPv4-mapped IPv6 addresses are judged by
     *     their IPv4 address
     */
    static boolean isPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16 && isIpv4Mapped(b)) {
            return isPublicIpv4(b[12] & 0xff, b[13] & 0xff, b[14] & 0xff, b[15] & 0xff);
        }
        if (b.length == 4) {
            return isPublicIpv4(b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff);
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isMulticastAddress()) {
            return false;
        }
        if ((first & 0xfe) == 0xfc) {
            return false; // fc00::/7 unique local
        }
        if (first == 0xfe && (second & 0xc0) == 0x80 || first == 0xfe && (second & 0xc0) == 0xc0) {
            return false; // fe80::/10 link-local, fec0::/10 site-local
        }
        return !(first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8); // 2001:db8::/32
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static boolean isPublicIpv4(int a, int b, int c, int d) {
        return !(a == 0                                  // 0.0.0.0/8 "this network"
            || a == 10                                   // private
            || a == 127                                  // loopback
            || a == 100 && (b & 0xc0) == 64              // 100.64.0.0/10 carrier-grade NAT
            || a == 169 && b == 254                      // link-local
            || a == 172 && (b & 0xf0) == 16              // private
            || a == 192 && b == 168                      // private
            || a == 192 && b == 0 && (c == 0 || c == 2)  // IETF protocol assignments, TEST-NET-1
            || a == 198 && (b & 0xfe) == 18              // benchmarking
            || a == 198 && b == 51 && c == 100           // TEST-NET-2
            || a == 203 && b == 0 && c == 113            // TEST-NET-3
            || a >= 224);                                // multicast, reserved, broadcast
    }
}
