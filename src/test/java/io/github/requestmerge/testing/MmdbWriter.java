package io.github.requestmerge.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small MaxMind DB files with exact, known content, for tests (no Java writer is published
 * where this project builds). Follows the public MaxMind DB format specification, version 2.0: an
 * IPv6 binary search tree with 24-bit records (IPv4 networks live under ::/96), a 16-byte
 * separator, the data section, and the metadata after the {@code \xAB\xCD\xEFMaxMind.com} marker.
 *
 * <p>Value types: String (utf8_string), Integer (uint16 when 0..65535, else int32), Long (uint32
 * when it fits, else uint64), BigInteger (uint128), Double (double), Float (float), Boolean
 * (boolean), byte[] (bytes), Map with String keys (map), List (array) - the types the geoip2
 * reader expects (for example accuracy_radius as uint16, autonomous_system_number as uint32).
 *
 * <p>Insert broader networks before the more specific ones inside them. Not thread-safe.
 */
public final class MmdbWriter {

    private static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
        'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};

    private final String databaseType;
    private final List<String> languages = new ArrayList<>();
    private final Map<String, String> description = new LinkedHashMap<>();
    private final Node root = new Node();

    public MmdbWriter(String databaseType) {
        this.databaseType = databaseType;
        description.put("en", "test database");
    }

    public MmdbWriter languages(String... names) {
        languages.clear();
        languages.addAll(List.of(names));
        return this;
    }

    public MmdbWriter description(String language, String text) {
        description.put(language, text);
        return this;
    }

    /** @param network a CIDR such as {@code 81.2.69.0/24} or {@code 2001:218::/32} */
    public MmdbWriter insert(String network, Map<String, ?> data) {
        int slash = network.indexOf('/');
        byte[] address;
        try {
            // Test input is always a literal; getByName does not resolve literals.
            address = InetAddress.getByName(network.substring(0, slash)).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(network, e);
        }
        int prefix = Integer.parseInt(network.substring(slash + 1));
        byte[] bits = new byte[16];
        if (address.length == 4) {
            System.arraycopy(address, 0, bits, 12, 4);
            prefix += 96;
        } else {
            bits = address;
        }
        Node node = root;
        for (int depth = 0; depth < prefix - 1; depth++) {
            int bit = bit(bits, depth);
            Object child = node.children[bit];
            if (!(child instanceof Node)) {
                Node split = new Node();
                // A broader network's data stays on both halves of the split.
                split.children[0] = child;
                split.children[1] = child;
                node.children[bit] = split;
                child = split;
            }
            node = (Node) child;
        }
        node.children[bit(bits, prefix - 1)] = new Data(data);
        return this;
    }

    public void write(Path file) throws IOException {
        Files.write(file, toBytes());
    }

    public byte[] toBytes() {
        List<Node> nodes = new ArrayList<>();
        IdentityHashMap<Node, Integer> numbers = new IdentityHashMap<>();
        number(root, nodes, numbers);
        long nodeCount = nodes.size();

        ByteArrayOutputStream dataSection = new ByteArrayOutputStream();
        IdentityHashMap<Data, Integer> offsets = new IdentityHashMap<>();
        ByteArrayOutputStream tree = new ByteArrayOutputStream();
        for (Node node : nodes) {
            for (Object child : node.children) {
                long record;
                if (child == null) {
                    record = nodeCount;
                } else if (child instanceof Node) {
                    record = numbers.get(child);
                } else {
                    Data data = (Data) child;
                    Integer offset = offsets.get(data);
                    if (offset == null) {
                        offset = dataSection.size();
                        offsets.put(data, offset);
                        encode(data.value, dataSection);
                    }
                    record = nodeCount + 16 + offset;
                }
                if (record >= 1L << 24) {
                    throw new IllegalStateException("too large for 24-bit records");
                }
                tree.write((int) (record >>> 16));
                tree.write((int) (record >>> 8));
                tree.write((int) record);
            }
        }

        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", nodeCount);
        metadata.put("record_size", 24);
        metadata.put("ip_version", 6);
        metadata.put("database_type", databaseType);
        metadata.put("languages", languages);
        metadata.put("binary_format_major_version", 2);
        metadata.put("binary_format_minor_version", 0);
        metadata.put("build_epoch", BigInteger.valueOf(System.currentTimeMillis() / 1000));
        metadata.put("description", description);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(tree.toByteArray());
        out.writeBytes(new byte[16]);
        out.writeBytes(dataSection.toByteArray());
        out.writeBytes(METADATA_MARKER);
        encode(metadata, out);
        return out.toByteArray();
    }

    private static void number(Node node, List<Node> nodes, IdentityHashMap<Node, Integer> numbers) {
        // Breadth-first, so the root is node 0 as readers expect.
        List<Node> queue = new ArrayList<>();
        queue.add(node);
        for (int i = 0; i < queue.size(); i++) {
            Node current = queue.get(i);
            if (numbers.containsKey(current)) {
                continue;
            }
            numbers.put(current, nodes.size());
            nodes.add(current);
            for (Object child : current.children) {
                if (child instanceof Node) {
                    queue.add((Node) child);
                }
            }
        }
    }

    private static int bit(byte[] address, int index) {
        return (address[index >>> 3] >>> (7 - (index & 7))) & 1;
    }

    private static void encode(Object value, ByteArrayOutputStream out) {
        if (value instanceof String) {
            byte[] bytes = ((String) value).getBytes(StandardCharsets.UTF_8);
            control(2, bytes.length, out);
            out.writeBytes(bytes);
        } else if (value instanceof Double) {
            control(3, 8, out);
            out.writeBytes(java.nio.ByteBuffer.allocate(8).putDouble((Double) value).array());
        } else if (value instanceof byte[]) {
            control(4, ((byte[]) value).length, out);
            out.writeBytes((byte[]) value);
        } else if (value instanceof Integer && (Integer) value >= 0 && (Integer) value <= 0xffff) {
            unsigned(5, BigInteger.valueOf((Integer) value), out);
        } else if (value instanceof Integer) {
            byte[] bytes = java.nio.ByteBuffer.allocate(4).putInt((Integer) value).array();
            control(8, 4, out);
            out.writeBytes(bytes);
        } else if (value instanceof Long && (Long) value >= 0 && (Long) value <= 0xffffffffL) {
            unsigned(6, BigInteger.valueOf((Long) value), out);
        } else if (value instanceof Long) {
            unsigned(9, BigInteger.valueOf((Long) value), out);
        } else if (value instanceof BigInteger) {
            // build_epoch must be a uint64 for the reader's metadata; other big numbers are uint128.
            unsigned(((BigInteger) value).bitLength() <= 64 ? 9 : 10, (BigInteger) value, out);
        } else if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            control(7, map.size(), out);
            map.forEach((key, item) -> {
                encode((String) key, out);
                encode(item, out);
            });
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            control(11, list.size(), out);
            list.forEach(item -> encode(item, out));
        } else if (value instanceof Boolean) {
            control(14, (Boolean) value ? 1 : 0, out);
        } else if (value instanceof Float) {
            control(15, 4, out);
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putFloat((Float) value).array());
        } else {
            throw new IllegalArgumentException("cannot encode " + (value == null ? "null" : value.getClass()));
        }
    }

    private static void unsigned(int type, BigInteger value, ByteArrayOutputStream out) {
        byte[] bytes = value.toByteArray();
        int skip = 0;
        while (skip < bytes.length && bytes[skip] == 0) {
            skip++; // minimal big-endian form; zero is encoded with size 0
        }
        control(type, bytes.length - skip, out);
        out.write(bytes, skip, bytes.length - skip);
    }

    /** The control byte (type in the top 3 bits, or 0 plus an extended type byte) and the size encoding. */
    private static void control(int type, int size, ByteArrayOutputStream out) {
        int sizeBits;
        byte[] sizeBytes;
        if (size < 29) {
            sizeBits = size;
            sizeBytes = new byte[0];
        } else if (size < 285) {
            sizeBits = 29;
            sizeBytes = new byte[] {(byte) (size - 29)};
        } else if (size < 65_821) {
            sizeBits = 30;
            int rest = size - 285;
            sizeBytes = new byte[] {(byte) (rest >>> 8), (byte) rest};
        } else {
            sizeBits = 31;
            int rest = size - 65_821;
            sizeBytes = new byte[] {(byte) (rest >>> 16), (byte) (rest >>> 8), (byte) rest};
        }
        if (type <= 7) {
            out.write((type << 5) | sizeBits);
        } else {
            out.write(sizeBits);
            out.write(type - 7);
        }
        out.writeBytes(sizeBytes);
    }

    private static final class Node {
        final Object[] children = new Object[2];
    }

    private static final class Data {
        final Object value;

        Data(Object value) {
            this.value = value;
        }
    }
}
