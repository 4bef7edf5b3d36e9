package io.github.requestmerge.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.github.requestmerge.enrich.IpAddresses;

/**
 * Writes small MaxMind DB files with exact, known content for tests: the real GeoLite2 data changes
 * from release to release, and no Java writer is published where this project builds. Written from
 * the public MaxMind DB format specification, version 2.0 (https://maxmind.github.io/MaxMind-DB/).
 *
 * <pre>{@code
 * new MmdbWriter("GeoLite2-City")
 *     .languages("en", "de")
 *     .insert("81.2.69.0/24", Map.of(
 *         "country", Map.of("iso_code", "GB", "geoname_id", 2635167L, "names", Map.of("en", "United Kingdom")),
 *         "location", Map.of("latitude", 51.5142, "longitude", -0.0931, "accuracy_radius", 100)))
 *     .insert("2001:218::/32", Map.of(...))
 *     .write(file);
 * }</pre>
 *
 * <p><b>Layout.</b> Always an IPv6 tree ({@code ip_version} 6), like the GeoIP2/GeoLite2 databases;
 * an IPv4 network {@code a.b.c.d/n} is stored at {@code ::a.b.c.d/(96+n)}, where readers look for
 * IPv4 addresses. Records are 28 bits unless {@link #recordSize(int)} says otherwise. The most
 * specific network containing an address wins whatever the insertion order; inserting the same
 * network again replaces its data. Equal values are stored once and shared through pointers (map
 * keys included), as MaxMind's own databases do. Map keys are written in sorted order, so with a
 * fixed {@link #buildEpoch(long)} the same inserts always produce the same bytes.
 *
 * <p><b>Value types.</b> The MaxMind reader gives back the Java type that was inserted, which is
 * what the geoip2 model classes need (their constructors take exactly {@code Integer},
 * {@code Long}, {@code Double}, ... and a mismatch fails the lookup):
 * <table>
 *   <caption>Java type to MaxMind DB type</caption>
 *   <tr><th>Java value</th><th>stored as</th><th>read back as</th><th>geoip2 fields</th></tr>
 *   <tr><td>String</td><td>utf8_string</td><td>String</td><td>iso_code, names, time_zone, code</td></tr>
 *   <tr><td>Integer 0..65535</td><td>uint16</td><td>Integer</td><td>accuracy_radius, metro_code, confidence</td></tr>
 *   <tr><td>other Integer</td><td>int32</td><td>Integer</td><td></td></tr>
 *   <tr><td>Long 0..2<sup>32</sup>-1</td><td>uint32</td><td>Long</td>
 *       <td>geoname_id, autonomous_system_number - pass these as {@code Long} ({@code 2635167L})</td></tr>
 *   <tr><td>Long from 2<sup>32</sup></td><td>uint64</td><td>BigInteger</td><td></td></tr>
 *   <tr><td>BigInteger up to 64 bits</td><td>uint64</td><td>BigInteger</td><td></td></tr>
 *   <tr><td>BigInteger of 65 to 128 bits</td><td>uint128</td><td>BigInteger</td><td></td></tr>
 *   <tr><td>Double</td><td>double</td><td>Double</td><td>latitude, longitude</td></tr>
 *   <tr><td>Float</td><td>float</td><td>Float</td><td></td></tr>
 *   <tr><td>Boolean</td><td>boolean</td><td>Boolean</td><td>is_in_european_union, is_anycast</td></tr>
 *   <tr><td>byte[]</td><td>bytes</td><td>byte[]</td><td></td></tr>
 *   <tr><td>Map with String keys</td><td>map</td><td>Map</td><td>country, location, names, ...</td></tr>
 *   <tr><td>List</td><td>array</td><td>List</td><td>subdivisions</td></tr>
 * </table>
 * Anything else (null, negative Long or BigInteger, BigInteger over 128 bits, Short, ...) is rejected
 * by {@link #insert}, which copies the data, so later changes to the caller's maps have no effect.
 *
 * <p>Not thread-safe.
 */
public final class MmdbWriter {

    private static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
        'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};
    private static final int DATA_SECTION_SEPARATOR = 16;

    // MaxMind DB data types.
    private static final int POINTER = 1;
    private static final int UTF8_STRING = 2;
    private static final int DOUBLE = 3;
    private static final int BYTES = 4;
    private static final int UINT16 = 5;
    private static final int UINT32 = 6;
    private static final int MAP = 7;
    private static final int INT32 = 8;
    private static final int UINT64 = 9;
    private static final int UINT128 = 10;
    private static final int ARRAY = 11;
    private static final int BOOLEAN = 14;
    private static final int FLOAT = 15;

    /** The largest size the control byte can express: 65,821 plus three size bytes. */
    private static final int MAX_SIZE = 65_821 + 0xFF_FFFF;

    private final String databaseType;
    private final List<String> languages = new ArrayList<>(List.of("en"));
    private final Map<String, String> description = new TreeMap<>();
    private final List<Network> networks = new ArrayList<>();
    private int recordSize = 28;
    private long buildEpoch = Instant.now().getEpochSecond();

    /**
     * @param databaseType the {@code database_type} metadata, which the geoip2 reader checks against
     *     the lookup method: for example {@code GeoLite2-City}, {@code GeoLite2-Country},
     *     {@code GeoLite2-ASN}
     */
    public MmdbWriter(String databaseType) {
        this.databaseType = Objects.requireNonNull(databaseType, "databaseType");
    }

    /** Sets the {@code languages} metadata (default: {@code en}). */
    public MmdbWriter languages(String... languages) {
        List<String> list = List.of(languages); // rejects nulls
        this.languages.clear();
        this.languages.addAll(list);
        return this;
    }

    /**
     * Adds a {@code description} metadata entry. Without any, the description is
     * {@code {"en": "<database type> test database"}}.
     */
    public MmdbWriter description(String language, String text) {
        description.put(Objects.requireNonNull(language, "language"), Objects.requireNonNull(text, "text"));
        return this;
    }

    /**
     * Sets the record size: 24, 28 (the default, as in GeoLite2) or 32 bits. {@link #toBytes()}
     * fails when a record does not fit, which only a data section beyond 16 MiB (24 bits) or
     * 256 MiB (28 bits) can cause here.
     */
    public MmdbWriter recordSize(int bits) {
        if (bits != 24 && bits != 28 && bits != 32) {
            throw new IllegalArgumentException("record size must be 24, 28 or 32, not " + bits);
        }
        recordSize = bits;
        return this;
    }

    /** Sets the {@code build_epoch} metadata in seconds (default: when this writer was created). */
    public MmdbWriter buildEpoch(long epochSecond) {
        if (epochSecond < 0) {
            throw new IllegalArgumentException("build epoch must not be negative: " + epochSecond);
        }
        buildEpoch = epochSecond;
        return this;
    }

    /**
     * Stores {@code data} for every address in {@code network}.
     *
     * @param network a CIDR network such as {@code 81.2.69.0/24} or {@code 2001:218::/32}, without
     *     host bits; a bare address means a single host (/32 or /128)
     * @param data the record; see the class documentation for the value types
     * @throws IllegalArgumentException for a malformed network or an unsupported value
     */
    public MmdbWriter insert(String network, Map<String, ?> data) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(data, "data");
        networks.add(parseNetwork(network, copy(data, network, "")));
        return this;
    }

    /**
     * Writes the database to {@code file}, replacing it.
     *
     * @return {@code file}
     */
    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    /** @return the database file's content */
    public byte[] toBytes() {
        Node root = buildTree();

        List<Node> nodes = new ArrayList<>();
        IdentityHashMap<Network, Boolean> referenced = new IdentityHashMap<>();
        nodes.add(root);
        for (int i = 0; i < nodes.size(); i++) { // breadth first: the root must be node 0
            for (Object child : nodes.get(i).children) {
                if (child instanceof Node) {
                    ((Node) child).number = nodes.size();
                    nodes.add((Node) child);
                } else if (child != null) {
                    referenced.put((Network) child, Boolean.TRUE);
                }
            }
        }
        long nodeCount = nodes.size();

        // The data section follows insertion order, which keeps offsets easy to reason about in tests.
        Encoder data = new Encoder(true);
        IdentityHashMap<Network, Integer> offsets = new IdentityHashMap<>();
        for (Network network : networks) {
            if (referenced.containsKey(network)) {
                offsets.put(network, data.offsetOf(network.data));
            }
        }

        Buffer out = new Buffer();
        long maxRecord = (1L << recordSize) - 1;
        long[] records = new long[2];
        for (Node node : nodes) {
            for (int side = 0; side < 2; side++) {
                Object child = node.children[side];
                long record;
                if (child == null) {
                    record = nodeCount; // no data
                } else if (child instanceof Node) {
                    record = ((Node) child).number;
                } else {
                    record = nodeCount + DATA_SECTION_SEPARATOR + offsets.get((Network) child);
                }
                if (record > maxRecord) {
                    throw new IllegalStateException("record " + record + " does not fit " + recordSize
                        + " bits; use a larger recordSize");
                }
                records[side] = record;
            }
            writeNode(out, records[0], records[1]);
        }
        out.write(new byte[DATA_SECTION_SEPARATOR], 0, DATA_SECTION_SEPARATOR);
        out.write(data.buffer.bytes, 0, data.buffer.size);
        out.write(METADATA_MARKER, 0, METADATA_MARKER.length);

        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", nodeCount);                       // uint32
        metadata.put("record_size", recordSize);                     // uint16
        metadata.put("ip_version", 6);                               // uint16
        metadata.put("database_type", databaseType);
        metadata.put("languages", List.copyOf(languages));
        metadata.put("binary_format_major_version", 2);              // uint16
        metadata.put("binary_format_minor_version", 0);              // uint16
        metadata.put("build_epoch", BigInteger.valueOf(buildEpoch)); // uint64
        metadata.put("description", description.isEmpty()
            ? Map.of("en", databaseType + " test database") : new TreeMap<>(description));
        // No pointers: in the metadata they would be relative to the metadata start, a rarely tested path.
        Encoder encodedMetadata = new Encoder(false);
        encodedMetadata.encode(metadata);
        out.write(encodedMetadata.buffer.bytes, 0, encodedMetadata.buffer.size);
        return Arrays.copyOf(out.bytes, out.size);
    }

    private Node buildTree() {
        Node root = new Node();
        List<Network> byPrefix = new ArrayList<>(networks);
        // Broader networks first (a stable sort keeps the last insert of a network last), so a more
        // specific network only ever overwrites part of a broader one, never the reverse.
        byPrefix.sort(Comparator.comparingInt(network -> network.prefix));
        for (Network network : byPrefix) {
            if (network.prefix == 0) {
                root.children[0] = network;
                root.children[1] = network;
                continue;
            }
            Node node = root;
            for (int depth = 0; depth < network.prefix - 1; depth++) {
                int bit = bit(network.bits, depth);
                Object child = node.children[bit];
                if (!(child instanceof Node)) {
                    // The broader network (or nothing) that covered this half now covers both of its halves.
                    Node split = new Node();
                    split.children[0] = child;
                    split.children[1] = child;
                    node.children[bit] = split;
                    child = split;
                }
                node = (Node) child;
            }
            node.children[bit(network.bits, network.prefix - 1)] = network;
        }
        return root;
    }

    private void writeNode(Buffer out, long left, long right) {
        switch (recordSize) {
            case 24:
                out.writeUnsigned(left, 3);
                out.writeUnsigned(right, 3);
                break;
            case 28:
                // The middle byte holds the top nibble of the left record, then that of the right one.
                out.writeUnsigned(left & 0xFF_FFFF, 3);
                out.write((int) ((left >>> 24) << 4 | right >>> 24));
                out.writeUnsigned(right & 0xFF_FFFF, 3);
                break;
            default:
                out.writeUnsigned(left, 4);
                out.writeUnsigned(right, 4);
                break;
        }
    }

    private static int bit(byte[] address, int index) {
        return address[index >>> 3] >>> (7 - (index & 7)) & 1;
    }

    private static Network parseNetwork(String network, Object data) {
        int slash = network.indexOf('/');
        String addressText = slash < 0 ? network : network.substring(0, slash);
        // The project's own parser: it never resolves names, and rejects brackets around IPv4.
        InetAddress address = addressText.indexOf('[') >= 0 || addressText.indexOf('%') >= 0
            || !addressText.strip().equals(addressText) ? null : IpAddresses.parse(addressText);
        if (address == null) {
            throw new IllegalArgumentException("not an IP network: " + network);
        }
        boolean ipv6 = addressText.indexOf(':') >= 0;
        byte[] raw = address.getAddress();
        byte[] bits = new byte[16];
        System.arraycopy(raw, 0, bits, 16 - raw.length, raw.length);
        if (ipv6 && raw.length == 4) {
            // ::ffff:a.b.c.d came back as IPv4; keep it where it was written.
            bits[10] = (byte) 0xff;
            bits[11] = (byte) 0xff;
        }
        int maxPrefix = ipv6 ? 128 : 32;
        int prefix = maxPrefix;
        if (slash >= 0) {
            String digits = network.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(digits) > maxPrefix) {
                throw new IllegalArgumentException("bad prefix length in " + network);
            }
            prefix = Integer.parseInt(digits);
        }
        int treePrefix = prefix + 128 - maxPrefix;
        for (int i = treePrefix; i < 128; i++) {
            if (bit(bits, i) != 0) {
                throw new IllegalArgumentException("host bits set in " + network);
            }
        }
        return new Network(bits, treePrefix, data);
    }

    /**
     * A validated deep copy, with maps sorted by key so the output does not depend on map order.
     *
     * @param path where {@code value} is inside the record, for error messages
     */
    private static Object copy(Object value, String network, String path) {
        if (value instanceof String || value instanceof Integer || value instanceof Double
            || value instanceof Float || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Long) {
            if ((Long) value < 0) {
                throw new IllegalArgumentException(at(network, path) + "the format has no signed 64-bit type for " + value);
            }
            return value;
        }
        if (value instanceof BigInteger) {
            BigInteger big = (BigInteger) value;
            if (big.signum() < 0 || big.bitLength() > 128) {
                throw new IllegalArgumentException(at(network, path) + big + " is not an unsigned 128-bit integer");
            }
            return value;
        }
        if (value instanceof byte[]) {
            return ((byte[]) value).clone();
        }
        if (value instanceof Map) {
            Map<String, Object> copy = new TreeMap<>();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!(entry.getKey() instanceof String)) {
                    throw new IllegalArgumentException(at(network, path) + "map keys must be strings, not " + entry.getKey());
                }
                String key = (String) entry.getKey();
                copy.put(key, copy(entry.getValue(), network, path.isEmpty() ? key : path + "." + key));
            }
            return copy;
        }
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            List<Object> copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copy.add(copy(list.get(i), network, path + "[" + i + "]"));
            }
            return copy;
        }
        throw new IllegalArgumentException(at(network, path) + "cannot store "
            + (value == null ? "null" : value.getClass().getName()));
    }

    private static String at(String network, String path) {
        return "at " + (path.isEmpty() ? "the top" : path) + " in " + network + ": ";
    }

    /** Encodes values in the MaxMind DB data format, optionally sharing equal values through pointers. */
    private static final class Encoder {
        final Buffer buffer = new Buffer();
        /** offset and length of the first, complete encoding of each value; null: no pointers */
        private final Map<Object, int[]> written;

        Encoder(boolean pointers) {
            written = pointers ? new HashMap<>() : null;
        }

        /** @return the offset of a complete encoding of {@code value}, never of a pointer */
        int offsetOf(Object value) {
            int[] prior = written == null ? null : written.get(value);
            if (prior != null) {
                return prior[0];
            }
            int start = buffer.size;
            encode(value);
            return start;
        }

        void encode(Object value) {
            // byte[] has identity equality, and a boolean is never longer than a pointer.
            boolean shareable = written != null && !(value instanceof byte[]) && !(value instanceof Boolean);
            if (shareable) {
                int[] prior = written.get(value);
                if (prior != null) {
                    // A pointer must point at a value, never at another pointer: prior is always a value.
                    if (pointerLength(prior[0]) < prior[1]) {
                        writePointer(prior[0]);
                    } else {
                        buffer.copyWithin(prior[0], prior[1]);
                    }
                    return;
                }
            }
            int start = buffer.size;
            encodeValue(value);
            if (shareable) {
                written.put(value, new int[] {start, buffer.size - start});
            }
        }

        private void encodeValue(Object value) {
            if (value instanceof String) {
                byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
                control(UTF8_STRING, utf8.length);
                buffer.write(utf8, 0, utf8.length);
            } else if (value instanceof Double) {
                control(DOUBLE, 8);
                buffer.writeUnsigned(Double.doubleToLongBits((Double) value), 8);
            } else if (value instanceof Float) {
                control(FLOAT, 4);
                buffer.writeUnsigned(Float.floatToIntBits((Float) value) & 0xFFFF_FFFFL, 4);
            } else if (value instanceof byte[]) {
                byte[] bytes = (byte[]) value;
                control(BYTES, bytes.length);
                buffer.write(bytes, 0, bytes.length);
            } else if (value instanceof Integer) {
                int number = (Integer) value;
                // Both decode to Integer; int32 as its 32-bit pattern, so a negative number takes all 4 bytes.
                unsigned(number >= 0 && number <= 0xFFFF ? UINT16 : INT32, number & 0xFFFF_FFFFL);
            } else if (value instanceof Long) {
                long number = (Long) value;
                unsigned(number >= 0 && number <= 0xFFFF_FFFFL ? UINT32 : UINT64, number);
            } else if (value instanceof BigInteger) {
                BigInteger number = (BigInteger) value;
                byte[] bytes = number.toByteArray();
                int skip = 0;
                while (skip < bytes.length && bytes[skip] == 0) {
                    skip++; // the sign byte, and zero which takes no bytes at all
                }
                control(number.bitLength() <= 64 ? UINT64 : UINT128, bytes.length - skip);
                buffer.write(bytes, skip, bytes.length - skip);
            } else if (value instanceof Map) {
                Map<?, ?> map = (Map<?, ?>) value;
                control(MAP, map.size());
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    encode(entry.getKey());
                    encode(entry.getValue());
                }
            } else if (value instanceof List) {
                List<?> list = (List<?>) value;
                control(ARRAY, list.size());
                for (Object item : list) {
                    encode(item);
                }
            } else if (value instanceof Boolean) {
                control(BOOLEAN, (Boolean) value ? 1 : 0); // the value is the size; no payload
            } else {
                throw new IllegalArgumentException("cannot encode " + (value == null ? "null" : value.getClass()));
            }
        }

        /** An unsigned payload in as few big-endian bytes as it needs (zero needs none). */
        private void unsigned(int type, long value) {
            int length = (64 - Long.numberOfLeadingZeros(value) + 7) / 8;
            control(type, length);
            buffer.writeUnsigned(value, length);
        }

        /**
         * The control byte: the type in the top 3 bits (0 for extended types, whose number minus 7
         * follows in the next byte), the size in the low 5 bits, and for sizes from 29 on one to
         * three more size bytes after any extended type byte.
         */
        private void control(int type, int size) {
            if (size < 0 || size > MAX_SIZE) {
                throw new IllegalArgumentException("a value of size " + size + " is too large for the format");
            }
            int typeBits = type <= 7 ? type << 5 : 0;
            int sizeBytes;
            int rest;
            if (size < 29) {
                buffer.write(typeBits | size);
                sizeBytes = 0;
                rest = 0;
            } else if (size < 285) {
                buffer.write(typeBits | 29);
                sizeBytes = 1;
                rest = size - 29;
            } else if (size < 65_821) {
                buffer.write(typeBits | 30);
                sizeBytes = 2;
                rest = size - 285;
            } else {
                buffer.write(typeBits | 31);
                sizeBytes = 3;
                rest = size - 65_821;
            }
            if (type > 7) {
                buffer.write(type - 7);
            }
            buffer.writeUnsigned(rest, sizeBytes);
        }

        private static int pointerLength(int offset) {
            if (offset < 2_048) {
                return 2;
            }
            if (offset < 526_336) {
                return 3;
            }
            return offset < 134_744_064 ? 4 : 5;
        }

        /**
         * Type 1, the size bits {@code SSVVV}: SS is the number of following bytes minus one, VVV the
         * top bits of the value, and each longer form is biased by the range of the shorter ones.
         */
        private void writePointer(int offset) {
            int typeBits = POINTER << 5;
            if (offset < 2_048) {
                buffer.write(typeBits | offset >>> 8);
                buffer.writeUnsigned(offset, 1);
            } else if (offset < 526_336) {
                int biased = offset - 2_048;
                buffer.write(typeBits | 1 << 3 | biased >>> 16);
                buffer.writeUnsigned(biased, 2);
            } else if (offset < 134_744_064) {
                int biased = offset - 526_336;
                buffer.write(typeBits | 2 << 3 | biased >>> 24);
                buffer.writeUnsigned(biased, 3);
            } else {
                buffer.write(typeBits | 3 << 3);
                buffer.writeUnsigned(offset, 4);
            }
        }
    }

    /** A growable byte array that, unlike ByteArrayOutputStream, can copy from what it already holds. */
    private static final class Buffer {
        byte[] bytes = new byte[1024];
        int size;

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        void write(byte[] source, int offset, int length) {
            ensure(length);
            System.arraycopy(source, offset, bytes, size, length);
            size += length;
        }

        /** The low {@code length} bytes of {@code value}, big-endian. */
        void writeUnsigned(long value, int length) {
            ensure(length);
            for (int shift = (length - 1) * 8; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
        }

        void copyWithin(int offset, int length) {
            ensure(length);
            System.arraycopy(bytes, offset, bytes, size, length);
            size += length;
        }
    }

    private static final class Node {
        /** null (no data), a Node, or the Network whose data the record points to */
        final Object[] children = new Object[2];
        int number;
    }

    private static final class Network {
        final byte[] bits;
        final int prefix;
        final Object data;

        Network(byte[] bits, int prefix, Object data) {
            this.bits = bits;
            this.prefix = prefix;
            this.data = data;
        }
    }
}
