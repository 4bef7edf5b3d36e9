package io.github.requestmerge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the data bin/fetch-test-data downloads (the build runs it before the tests). */
public final class TestData {

    private TestData() {
    }

    public static Path dir() {
        String configured = System.getProperty("testdata.dir");
        return configured != null ? Paths.get(configured)
            : Paths.get(System.getProperty("user.home"), ".cache", "kafka-connect-request-merge");
    }

    /** @return a file of the test data, failing with the command that fetches it when absent */
    public static Path file(String name) {
        Path file = dir().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing; run bin/fetch-test-data " + dir());
        }
        return file;
    }

    public static Path geoLite2City() {
        return file("GeoLite2-City.mmdb");
    }
}
