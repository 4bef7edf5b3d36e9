package io.github.requestmerge.archive;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Streams the records of archive objects, line by line, without holding an object in memory: each object
 * is read from S3, gunzipped and split into lines as it arrives, and each line decoded in the archive's
 * format ({@link RawRecordCodec}, or {@link ConfluentJsonFormat} with the keys object read in step).
 *
 * <p>Content that cannot be read is handed to the {@link Handler} as an {@link ArchiveProblem} naming the
 * object and line, never skipped silently: a line that is not a record (then the reader goes on with the
 * next line), a corrupt or truncated gzip stream, or a missing keys object (then the rest of the object is
 * unreadable). The handler decides whether to go on or stop (by throwing). A connection that breaks while an
 * object streams is a transient fault: the object is opened again (through {@link Retry}, judged by
 * {@link S3Errors}) and read on from the line after the last one handed over, so no line is handed twice.
 *
 * <p>Not thread-safe: one thread reads.
 */
public final class ArchiveReader {

    /** Receives what is read. */
    public interface Handler {

        /** A record, read from line {@code line} (1-based) of {@code object}. */
        void record(RawRecord record, ArchiveListing.ArchiveObject object, long line) throws InterruptedException;

        /** Content that cannot be read: return to skip it, or throw to stop reading. */
        void problem(ArchiveProblem problem);
    }

    /** Unreadable content: the object, the line (0 for the object as a whole) and what is wrong. */
    public record ArchiveProblem(String key, long line, String message) {

        @Override
        public String toString() {
            return key + (line > 0 ? " line " + line : "") + ": " + message;
        }
    }

    private final S3Client s3;
    private final Retry retry;
    private final ArchiveSource source;
    private final LongConsumer bytesRead;
    private final ConfluentJsonFormat confluent;

    /**
     * @param bytesRead told of every stored (compressed) byte read for the first time, for progress
     */
    public ArchiveReader(S3Client s3, Retry retry, ArchiveSource source, LongConsumer bytesRead) {
        this.s3 = s3;
        this.retry = retry;
        this.source = source;
        this.bytesRead = bytesRead;
        this.confluent = source.format() == ArchiveSource.Format.CONFLUENT_JSON
            ? new ConfluentJsonFormat(source.stamps()) : null;
    }

    /**
     * Reads every record of one object.
     *
     * @throws UnrecoverableException when S3 refuses the read (access denied), or an outage outlasts the retry timeout
     */
    public void read(ArchiveListing.ArchiveObject object, Handler handler) throws UnrecoverableException,
        InterruptedException {
        if (confluent != null && source.keysStored() && object.keysKey() == null) {
            handler.problem(new ArchiveProblem(object.key(), 0, "no keys object beside it ("
                + object.key().replace(source.extension(), ".keys" + source.extension())
                + "), so its records' keys are lost; none of its records is read"));
            return;
        }
        try (ObjectLines values = new ObjectLines(object.key(), true);
             ObjectLines keys = confluent != null && source.keysStored() ? new ObjectLines(object.keysKey(), false) : null) {
            if (!values.open(handler) || keys != null && !keys.open(handler)) {
                return;
            }
            while (true) {
                if (!values.next(handler)) {
                    if (keys != null && keys.next(handler)) {
                        handler.problem(new ArchiveProblem(object.keysKey(), keys.line, "the keys object has more lines "
                            + "than " + object.key() + " (" + values.line + ")"));
                    }
                    return;
                }
                long line = values.line;
                if (keys != null && !keys.next(handler)) {
                    if (!keys.broken) {
                        handler.problem(new ArchiveProblem(object.key(), line, "no key: the keys object "
                            + object.keysKey() + " has only " + (line - 1) + " lines"));
                    }
                    return;
                }
                RawRecord record;
                try {
                    record = decode(object, values, keys);
                } catch (IllegalArgumentException e) {
                    handler.problem(new ArchiveProblem(object.key(), line, e.getMessage()));
                    continue;
                }
                handler.record(record, object, line);
            }
        }
    }

    private RawRecord decode(ArchiveListing.ArchiveObject object, ObjectLines values, ObjectLines keys) {
        LineReader lines = values.lines;
        if (lines.length() == 0 || isBlank(lines.buffer(), lines.start(), lines.length())) {
            throw new IllegalArgumentException("an empty line");
        }
        if (confluent != null) {
            return keys == null
                ? confluent.read(object.topic(), object.partition(), lines.buffer(), lines.start(), lines.length(), null, 0, 0)
                : confluent.read(object.topic(), object.partition(), lines.buffer(), lines.start(), lines.length(),
                    keys.lines.buffer(), keys.lines.start(), keys.lines.length());
        }
        RawRecord record = RawRecordCodec.read(lines.buffer(), lines.start(), lines.length());
        if (!record.topic().equals(object.topic()) || record.partition() != object.partition()) {
            throw new IllegalArgumentException("a record of " + record.topic() + "/" + record.partition() + " in an object of "
                + object.topic() + "/" + object.partition());
        }
        return record;
    }

    private static boolean isBlank(byte[] buffer, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (buffer[i] != ' ' && buffer[i] != '\t' && buffer[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    /** The lines of one object, opened again after a broken connection and read on where they stopped. */
    private final class ObjectLines implements Closeable {

        private final String key;
        private final boolean countBytes;
        private InputStream stream;
        private LineReader lines;
        /** Lines handed over so far. */
        private long line;
        /** Stored bytes counted so far (a stream opened again is not counted twice). */
        private long counted;
        private long position;
        private boolean broken;

        ObjectLines(String key, boolean countBytes) {
            this.key = key;
            this.countBytes = countBytes;
        }

        /** @return false when the object cannot be read (the problem is handed over) */
        boolean open(Handler handler) throws UnrecoverableException, InterruptedException {
            for (int attempt = 1;; attempt++) {
                try {
                    openStream();
                    return true;
                } catch (UnrecoverableException e) {
                    if (!(e.getCause() instanceof NoSuchKeyException)) {
                        throw e;
                    }
                    broken = true;
                    handler.problem(new ArchiveProblem(key, 0, "the object was listed but is gone"));
                    return false;
                } catch (SourceFailure e) {
                    backOff(e, attempt);
                } catch (IOException e) {
                    broken = true;
                    handler.problem(new ArchiveProblem(key, 1, "corrupt: " + describe(e) + "; nothing of it is readable"));
                    return false;
                }
            }
        }

        private void openStream() throws IOException, UnrecoverableException, InterruptedException {
            closeStream();
            position = 0;
            InputStream raw = retry.call("reading s3://" + source.s3().bucket() + "/" + key,
                () -> s3.getObject(g -> g.bucket(source.s3().bucket()).key(key)));
            InputStream guarded = new Guarded(raw);
            stream = source.compressed() ? new GZIPInputStream(guarded, 64 << 10) : guarded;
            lines = new LineReader(stream);
        }

        /** @return true with the next line; false at the end, or when the rest is unreadable (the problem handed over) */
        boolean next(Handler handler) throws UnrecoverableException, InterruptedException {
            if (broken) {
                return false;
            }
            for (int attempt = 1;; attempt++) {
                try {
                    if (!lines.next()) {
                        return false;
                    }
                    line++;
                    return true;
                } catch (SourceFailure e) {
                    backOff(e, attempt);
                    reopen(handler);
                    if (broken) {
                        return false;
                    }
                } catch (IOException e) {
                    broken = true;
                    handler.problem(new ArchiveProblem(key, line + 1, (line == 0 ? "corrupt from its start: "
                        : "corrupt after line " + line + ": ") + describe(e) + "; the rest of the object is unreadable"));
                    return false;
                }
            }
        }

        /** Opens the object again and skips the lines already handed over. */
        private void reopen(Handler handler) throws UnrecoverableException, InterruptedException {
            for (int attempt = 1;; attempt++) {
                try {
                    openStream();
                    for (long skipped = 0; skipped < line; skipped++) {
                        if (!lines.next()) {
                            throw new IOException("the object is shorter than when it was read before");
                        }
                    }
                    return;
                } catch (SourceFailure e) {
                    backOff(e, attempt);
                } catch (UnrecoverableException e) {
                    if (!(e.getCause() instanceof NoSuchKeyException)) {
                        throw e;
                    }
                    broken = true;
                    handler.problem(new ArchiveProblem(key, line + 1, "the object is gone while it was read"));
                    return;
                } catch (IOException e) {
                    broken = true;
                    handler.problem(new ArchiveProblem(key, line + 1, "corrupt after line " + line + ": " + describe(e)));
                    return;
                }
            }
        }

        private void backOff(SourceFailure failure, int attempt) throws UnrecoverableException, InterruptedException {
            Throwable cause = failure.getCause();
            if (!S3Errors.isTransient(cause)) {
                throw UnrecoverableException.of("reading s3://" + source.s3().bucket() + "/" + key, cause, S3Errors.CLASSIFIER);
            }
            retry.backOff("reading s3://" + source.s3().bucket() + "/" + key, S3Errors.describe(cause), attempt);
        }

        private void closeStream() {
            if (stream != null) {
                try {
                    stream.close();
                } catch (IOException e) {
                    // the stream is abandoned either way
                }
                stream = null;
            }
        }

        @Override
        public void close() {
            closeStream();
        }

        /** Tells a failure of the connection (transient) from one of the content (corrupt): wraps the former. */
        private final class Guarded extends FilterInputStream {

            Guarded(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n;
                try {
                    n = super.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    throw new SourceFailure(e);
                }
                if (n > 0) {
                    position += n;
                    if (countBytes && position > counted) {
                        bytesRead.accept(position - counted);
                        counted = position;
                    }
                }
                return n;
            }

            @Override
            public void close() {
                // Aborting skips draining the rest of an object we stopped reading (a broken or abandoned one).
                if (in instanceof software.amazon.awssdk.core.ResponseInputStream<?> response) {
                    response.abort();
                }
                try {
                    in.close();
                } catch (IOException | RuntimeException e) {
                    // abandoned
                }
            }
        }
    }

    /** The connection failed while an object streamed (as opposed to its content being corrupt). */
    private static final class SourceFailure extends IOException {

        SourceFailure(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof EOFException) {
            return "the gzip stream ends early (truncated)";
        }
        if (e instanceof java.util.zip.ZipException) {
            return "not a valid gzip stream (" + e.getMessage() + ")";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
