package io.github.requestmerge.enrich;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals for the geo-enrichment hot path: parsing that can never turn into a DNS
 * lookup, and the test whether an address can have geo data at all.
 *
 * <p>{@link InetAddress#getByName} resolves anything it does not recognise as a literal, which on the
 * hot path would stall the task for a resolver timeout and send record content to a DNS server.
 * This parser only ever builds the address bytes itself and hands them to
 * {@link InetAddress#getByAddress(byte[])}. It uses no regular expressions and no exceptions for
 * control flow, and allocates nothing but the result for valid input (and, for input containing a
 * ':', one 16-byte array). Stateless and thread-safe.
 */
public final class IpAddresses {

    private IpAddresses() {
    }

    /**
     * Parses an IPv4 or IPv6 address literal. Never resolves a host name.
     *
     * <p>Accepted, after stripping surrounding white space (as {@link String#strip()} does):
     * <ul>
     *   <li>IPv4: a strict dotted quad - exactly four parts of 1 to 3 ASCII digits, each at most 255.
     *     <b>Leading zeros are read as decimal</b> ({@code 010.0.0.1} is 10.0.0.1), as Java itself
     *     reads them; the octal reading of BSD {@code inet_aton} is never applied. Hex parts
     *     ({@code 0x7f}), fewer parts ({@code 127.1}, {@code 1.2.3}), a single number, signs and
     *     empty parts are rejected.</li>
     *   <li>IPv6: eight groups of 1 to 4 hex digits (either case), or fewer with exactly one
     *     {@code ::} standing for at least one zero group; the last two groups may be written as a
     *     dotted quad ({@code ::ffff:1.2.3.4}, {@code 64:ff9b::1.2.3.4}) with the IPv4 rules above.
     *     The address may be wrapped in brackets ({@code [2001:db8::1]}) and may carry a zone id
     *     ({@code fe80::1%eth0}, also inside the brackets), which must be non-empty, contain no
     *     white space, brackets or '%', and is ignored. Brackets around an IPv4 address are
     *     rejected, as are ports.</li>
     * </ul>
     *
     * <p>Like {@code InetAddress.getByName}, an IPv4-mapped IPv6 literal ({@code ::ffff:1.2.3.4})
     * yields an {@link java.net.Inet4Address}.
     *
     * @param text the text, may be null
     * @return the address, or null when {@code text} is null or not such a literal
     */
    public static InetAddress parse(String text) {
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
        if (start == end) {
            return null;
        }
        byte[] bytes;
        if (text.charAt(start) == '[') {
            if (text.charAt(end - 1) != ']') {
                return null;
            }
            bytes = parseIpv6(text, start + 1, end - 1);
        } else if (contains(text, start, end, ':')) {
            bytes = parseIpv6(text, start, end);
        } else {
            long value = parseIpv4(text, start, end);
            if (value < 0) {
                return null;
            }
            // Allocated only now, so the common miss (a host name, a "-") costs no garbage.
            bytes = new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        }
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e); // only for other lengths
        }
    }

    private static boolean contains(String text, int start, int end, char c) {
        for (int i = start; i < end; i++) {
            if (text.charAt(i) == c) {
                return true;
            }
        }
        return false;
    }

    /** @return the 32-bit address of a strict dotted quad in {@code text[start, end)}, or -1 */
    private static long parseIpv4(String text, int start, int end) {
        long address = 0;
        int parts = 0;
        int value = 0;
        int digits = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > 3) {
                    return -1;
                }
                value = value * 10 + (c - '0');
            } else if (c == '.' && digits > 0 && value <= 255 && parts < 3) {
                address = address << 8 | value;
                parts++;
                value = 0;
                digits = 0;
            } else {
                return -1;
            }
        }
        if (parts != 3 || digits == 0 || value > 255) {
            return -1;
        }
        return address << 8 | value;
    }

    /** @return the 16 bytes of the IPv6 literal (zone allowed) in {@code text[start, end)}, or null */
    private static byte[] parseIpv6(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (text.charAt(i) == '%') {
                if (!isZone(text, i + 1, end)) {
                    return null;
                }
                end = i;
                break;
            }
        }
        if (end - start < 2) {
            return null; // the shortest literal is "::"
        }
        byte[] bytes = new byte[16];
        int groups = 0;      // 16-bit groups written to bytes so far, left-aligned
        int gap = -1;        // the group index where "::" stands
        int i = start;
        if (text.charAt(i) == ':') {
            if (text.charAt(i + 1) != ':') {
                return null;
            }
            gap = 0;
            i += 2;
            if (i == end) {
                return bytes;
            }
        }
        while (true) {
            int groupStart = i;
            int value = 0;
            for (int digit; i < end && (digit = hexDigit(text.charAt(i))) >= 0; i++) {
                if (i - groupStart == 4) {
                    return null;
                }
                value = value << 4 | digit;
            }
            if (i < end && text.charAt(i) == '.') {
                // What looked like a group is the start of a dotted-quad tail filling the last two groups.
                long ipv4 = groups <= 6 ? parseIpv4(text, groupStart, end) : -1;
                if (ipv4 < 0) {
                    return null;
                }
                bytes[groups * 2] = (byte) (ipv4 >>> 24);
                bytes[groups * 2 + 1] = (byte) (ipv4 >>> 16);
                bytes[groups * 2 + 2] = (byte) (ipv4 >>> 8);
                bytes[groups * 2 + 3] = (byte) ipv4;
                groups += 2;
                break;
            }
            if (i == groupStart || groups == 8) {
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
                if (gap >= 0) {
                    return null;
                }
                gap = groups;
                i++;
                if (i == end) {
                    break;
                }
            } else if (i == end) {
                return null; // a single trailing ':'
            }
        }
        if (gap < 0) {
            return groups == 8 ? bytes : null;
        }
        if (groups == 8) {
            return null; // "::" must stand for at least one group
        }
        // Move the groups after "::" to the end; the gap becomes zeros.
        int tailBytes = (groups - gap) * 2;
        System.arraycopy(bytes, gap * 2, bytes, 16 - tailBytes, tailBytes);
        for (int b = gap * 2; b < 16 - tailBytes; b++) {
            bytes[b] = 0;
        }
        return bytes;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isZone(String text, int start, int end) {
        if (start == end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '%' || c == '[' || c == ']' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code address} can have geo data at all, so a database lookup is worth doing.
     *
     * <p>False for:
     * <ul>
     *   <li>IPv4: 0.0.0.0/8 ("this network", including 0.0.0.0), 10/8, 172.16/12 and 192.168/16
     *     (private), 100.64/10 (carrier-grade NAT), 127/8 (loopback), 169.254/16 (link-local),
     *     192.0.2/24, 198.51.100/24 and 203.0.113/24 (documentation), 198.18/15 (benchmarking),
     *     224/4 (multicast), 240/4 (reserved, including the broadcast address 255.255.255.255).</li>
     *   <li>IPv6: :: (unspecified), ::1 (loopback), fc00::/7 (unique local), fe80::/10
     *     (link-local), fec0::/10 (site-local), ff00::/8 (multicast), 2001:db8::/32 and 3fff::/20
     *     (documentation, RFC 3849 and RFC 9637).</li>
     *   <li>IPv4-mapped ({@code ::ffff:a.b.c.d}) and IPv4-compatible ({@code ::a.b.c.d}) IPv6
     *     addresses whose IPv4 address is one of the above: MaxMind databases answer both with
     *     the data of {@code a.b.c.d}, so they must be judged the same way.</li>
     *   <li>null.</li>
     * </ul>
     * True for everything else.
     */
    public static boolean isPublic(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return isPublicIpv4(b, 0);
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (isZero(b, 0, 10) && (b[10] == b[11]) && (b[10] == 0 || b[10] == (byte) 0xff)) {
            // ::ffff:0:0/96 and ::/96. The unspecified :: and the loopback ::1 need no rule of their
            // own: as IPv4 they are 0.0.0.0 and 0.0.0.1, in 0.0.0.0/8.
            return isPublicIpv4(b, 12);
        }
        return !(first == 0xff                                          // ff00::/8 multicast
            || (first & 0xfe) == 0xfc                                   // fc00::/7 unique local
            || first == 0xfe && (second & 0x80) != 0                    // fe80::/10 link-local, fec0::/10 site-local
            || first == 0x20 && second == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8   // 2001:db8::/32
            || first == 0x3f && second == 0xff && (b[2] & 0xf0) == 0);  // 3fff::/20
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPublicIpv4(byte[] bytes, int at) {
        int a = bytes[at] & 0xff;
        int b = bytes[at + 1] & 0xff;
        int c = bytes[at + 2] & 0xff;
        return !(a == 0                                  // 0.0.0.0/8 "this network"
            || a == 10                                   // private
            || a == 100 && (b & 0xc0) == 64              // 100.64.0.0/10 carrier-grade NAT
            || a == 127                                  // loopback
            || a == 169 && b == 254                      // link-local
            || a == 172 && (b & 0xf0) == 16              // private
            || a == 192 && b == 168                      // private
            || a == 192 && b == 0 && c == 2              // TEST-NET-1
            || a == 198 && (b & 0xfe) == 18              // 198.18.0.0/15 benchmarking
            || a == 198 && b == 51 && c == 100           // TEST-NET-2
            || a == 203 && b == 0 && c == 113            // TEST-NET-3
            || a >= 224);                                // multicast 224/4, reserved 240/4, broadcast
    }
}
