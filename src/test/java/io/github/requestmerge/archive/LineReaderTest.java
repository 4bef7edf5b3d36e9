package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<String> lines(byte[] bytes, int chunk) throws IOException {
        InputStream in = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        LineReader reader = new LineReader(in);
        List<String> lines = new ArrayList<>();
        while (reader.next()) {
            lines.add(new String(reader.buffer(), reader.start(), reader.length(), StandardCharsets.UTF_8));
        }
        return lines;
    }

    @Test
    void linesSplitAtNewlinesWhateverTheReadSizes() throws IOException {
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String line = "line " + i + " " + "x".repeat(i * 37 % 200_000 / 10);
            expected.add(line);
            text.append(line).append('\n');
        }
        expected.add("last line without its end");
        text.append("last line without its end");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 7, 4096, 1 << 20}) {
            assertEquals(expected, lines(bytes, chunk), "reads of " + chunk + " bytes");
        }
    }

    @Test
    void emptyLinesAreLines() throws IOException {
        assertEquals(List.of("a", "", "b"), lines("a\n\nb\n".getBytes(StandardCharsets.UTF_8), 3));
        assertEquals(List.of(), lines(new byte[0], 3));
    }
}
