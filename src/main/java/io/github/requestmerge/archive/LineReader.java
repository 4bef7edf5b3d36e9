package io.github.requestmerge.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into lines of bytes without decoding them, so a line is parsed straight from the
 * buffer it was read into. A line is valid until the next call of {@link #next()}. Lines end with
 * {@code \n} (a {@code \r} before it is left to the parser, which treats it as white space); the last
 * line may lack its end. Not thread-safe.
 */
public final class LineReader {

    /** Longer lines are refused: a corrupt object must not take the heap. */
    public static final int MAX_LINE_BYTES = 64 << 20;

    private final InputStream in;
    private byte[] buffer = new byte[64 << 10];
    private int start;
    private int end;
    private int lineStart;
    private int lineLength;
    private boolean eof;
    /** How far the last {@link #fill()} moved the unread bytes to the front. */
    private int shiftedBy;

    public LineReader(InputStream in) {
        this.in = in;
    }

    /**
     * @return true when a line is available ({@link #buffer()}, {@link #start()}, {@link #length()}); false at the end
     * @throws IOException from the stream, or when a line is longer than {@value #MAX_LINE_BYTES} bytes
     */
    public boolean next() throws IOException {
        int scanFrom = start;
        while (true) {
            for (int i = scanFrom; i < end; i++) {
                if (buffer[i] == '\n') {
                    lineStart = start;
                    lineLength = i - start;
                    start = i + 1;
                    return true;
                }
            }
            if (eof) {
                if (start < end) {
                    lineStart = start;
                    lineLength = end - start;
                    start = end;
                    return true;
                }
                return false;
            }
            scanFrom = end;
            fill();
            scanFrom -= shiftedBy;
        }
    }

    private void fill() throws IOException {
        shiftedBy = 0;
        if (start > 0 && (end == buffer.length || start > buffer.length / 2)) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            shiftedBy = start;
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            if (buffer.length >= MAX_LINE_BYTES) {
                throw new IOException("a line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB");
            }
            buffer = Arrays.copyOf(buffer, Math.min(MAX_LINE_BYTES, buffer.length * 2));
        }
        int read = in.read(buffer, end, buffer.length - end);
        if (read < 0) {
            eof = true;
        } else {
            end += read;
        }
    }

    /** @return the buffer holding the current line */
    public byte[] buffer() {
        return buffer;
    }

    /** @return where the current line starts in {@link #buffer()} */
    public int start() {
        return lineStart;
    }

    /** @return the current line's length, without its {@code \n} */
    public int length() {
        return lineLength;
    }
}
