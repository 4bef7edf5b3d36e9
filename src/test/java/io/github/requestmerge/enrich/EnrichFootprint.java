package io.github.requestmerge.enrich;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.TestData;
import io.github.requestmerge.testing.UserAgentCorpus;

/**
 * Memory of N Enrich instances in one JVM, as a worker running N tasks of one connector holds
 * them: each instance is configured with the GeoLite2 City database and the bundled user-agent
 * regexes (the defaults otherwise) and then fed the same realistic stream, so its caches fill and
 * the database pages it reads are mapped. Prints heap used after a full GC and the process's
 * resident set (anonymous and file-backed, from /proc/self/status).
 *
 * <p>Run (after {@code mvn test-compile dependency:build-classpath}, as bin/bench-enrich does):
 * {@code java -XX:+UseSerialGC -Xmx2g -cp ... io.github.requestmerge.enrich.EnrichFootprint 8 100000}
 * for 8 instances of 100,000 records each. Compare N=1 with N=8: the difference over 7 is the
 * cost of one more task.
 */
public final class EnrichFootprint {

    private EnrichFootprint() {
    }

    public static void main(String[] args) throws IOException {
        int instances = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int recordsEach = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Map<String, String> config = Map.of(EnrichConfig.GEOIP_DATABASE_PATH, TestData.geoLite2City().toString());
        RequestStream stream = new RequestStream(UserAgentCorpus.real(), 200_000, 0.05, 42L);
        report("baseline (stream built, no instance)");
        List<Enrich<SinkRecord>> enriches = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            Enrich<SinkRecord> enrich = new Enrich.Value<>();
            enrich.configure(config);
            enriches.add(enrich);
        }
        report(instances + " configured");
        long checksum = 0;
        for (Enrich<SinkRecord> enrich : enriches) {
            for (int r = 0; r < recordsEach; r++) {
                checksum += ((Map<?, ?>) enrich.apply(stream.next()).value()).size();
            }
        }
        report(instances + " after " + recordsEach + " records each (checksum " + checksum + ")");
        for (Enrich<SinkRecord> enrich : enriches) {
            enrich.close();
        }
    }

    private static void report(String stage) throws IOException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        String rss = "";
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("VmRSS") || line.startsWith("RssAnon") || line.startsWith("RssFile")) {
                rss += " " + line.replaceAll("\\s+", " ");
            }
        }
        System.out.printf("%-55s heap used after GC %6.1f MiB;%s%n", stage, heapUsed / 1048576.0, rss);
    }
}
