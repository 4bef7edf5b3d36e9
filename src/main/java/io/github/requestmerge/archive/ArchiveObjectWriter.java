package io.github.requestmerge.archive;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * One archive object being written on the task thread: JSON lines ({@link RawRecordCodec}) of
 * consecutive records of one Kafka partition, gzip-compressed as they come (java.util.zip, streaming),
 * so only compressed bytes are held. Once they exceed the part size they are cut off as a part of a
 * multipart upload; {@link #finish()} gives the rest. Not thread-safe: the task thread owns it.
 */
final class ArchiveObjectWriter {

    /** Lines are gathered this much before each call into the compressor (fewer native calls). */
    private static final int STAGING_BYTES = 32 * 1024;

    private final ObjectUpload upload;
    private final long firstTime;
    private final String firstPath;
    private final long openedAt;
    private final int partSize;
    private final Compressed compressed = new Compressed();
    private final OutputStream lines;
    private int records;
    private long lineBytes;
    private long lastOffset = -1;
    private int partsTaken;

    /**
     * @param upload the object's key and first offset
     * @param firstTime the first record's time (for record-time rotation)
     * @param firstPath the first record's time folder (for a time layout)
     * @param openedAt when it was opened, wall clock (for scheduled rotation)
     * @param level the gzip level, -1 for zlib's default
     * @param partSize compressed bytes from which a part is cut off
     */
    ArchiveObjectWriter(ObjectUpload upload, long firstTime, String firstPath, long openedAt, int level, int partSize) {
        this.upload = upload;
        this.firstTime = firstTime;
        this.firstPath = firstPath;
        this.openedAt = openedAt;
        this.partSize = partSize;
        try {
            this.lines = new BufferedOutputStream(new LeveledGzip(compressed, level), STAGING_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds one record's line (as {@link RawRecordCodec#write} made it). */
    void append(ByteArrayOutputStream line, long offset) {
        try {
            line.writeTo(lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only memory streams below
        }
        records++;
        lineBytes += line.size();
        lastOffset = offset;
    }

    /** @return the compressed bytes as the next part when there are at least a part's worth, else null */
    byte[] takePartIfFull() {
        if (compressed.size() < partSize) {
            return null;
        }
        partsTaken++;
        return compressed.take();
    }

    /** Ends the gzip stream and records the object's extent. @return the compressed bytes not yet taken */
    byte[] finish() {
        try {
            lines.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        upload.closed(lastOffset, records, lineBytes);
        return compressed.take();
    }

    /** Frees the compressor at once (an object dropped unfinished). */
    void discard() {
        try {
            lines.close();
        } catch (IOException e) {
            // memory streams only
        }
    }

    ObjectUpload upload() {
        return upload;
    }

    int records() {
        return records;
    }

    long lineBytes() {
        return lineBytes;
    }

    long firstTime() {
        return firstTime;
    }

    String firstPath() {
        return firstPath;
    }

    long openedAt() {
        return openedAt;
    }

    /** @return the number the next part takes */
    int nextPart() {
        return partsTaken + 1;
    }

    /** @return compressed bytes held (not yet taken as a part) */
    int heldBytes() {
        return compressed.size();
    }

    /** gzip at a chosen level (GZIPOutputStream's constructors fix the default level). */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level < 0 ? Deflater.DEFAULT_COMPRESSION : level);
        }
    }

    /** The compressed bytes, handed over without an extra copy when the buffer is exactly full. */
    private static final class Compressed extends ByteArrayOutputStream {
        Compressed() {
            super(64 * 1024);
        }

        byte[] take() {
            byte[] bytes = count == buf.length ? buf : Arrays.copyOf(buf, count);
            buf = new byte[Math.max(64 * 1024, Math.min(count, 1 << 20))];
            count = 0;
            return bytes;
        }
    }
}
