package io.github.requestmerge.enrich;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.connect.sink.SinkRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.github.requestmerge.TestData;
import io.github.requestmerge.testing.UserAgentCorpus;
import ua_parser.Parser;

/**
 * Enrichment cost on one thread (so records/s is per core), on a reproducible, realistic stream
 * ({@link RequestStream}): geo + user agent through the whole transform, with this project's
 * prefiltered parser or uap-java's {@code Parser} behind the same cache. Run with {@code bin/bench-enrich}.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class EnrichBenchmark {

    /** Which user-agent parser sits behind the cache: this project's, or uap-java's own. */
    @Param({"prefiltered", "uap-java"})
    public String parser;

    /** Share of events whose user agent was never seen before. */
    @Param({"0.05"})
    public double newUserAgentRate;

    private Enrich<SinkRecord> enrich;
    private RequestStream stream;
    private PrefilteredUserAgentParser prefiltered;
    private Parser uapJava;

    @Setup(Level.Trial)
    public void setUp() {
        enrich = new Enrich.Value<>();
        enrich.configure(Map.of(EnrichConfig.GEOIP_DATABASE_PATH, TestData.geoLite2City().toString()));
        prefiltered = PrefilteredUserAgentParser.bundled();
        uapJava = new Parser();
        if ("uap-java".equals(parser)) {
            enrich.useUserAgentParser(uapJava::parse, 512, 10_000);
        }
        stream = new RequestStream(UserAgentCorpus.real(), 200_000, newUserAgentRate, 42L);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println("outcome counts: " + enrich.counts());
        enrich.close();
    }

    /** Throughput of the whole transform (geo + user agent) on the stream: records/s on one core. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public SinkRecord enrichRecord() {
        return enrich.apply(stream.next());
    }

    /** The same, sampled per record: p50/p99/p99.99 and the worst single record. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public SinkRecord enrichRecordLatency() {
        return enrich.apply(stream.next());
    }

    /** The cost of one user agent not seen before (a cache miss), without any cache. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object parseUnseenUserAgent() {
        String agent = stream.unseenUserAgent();
        return "uap-java".equals(parser) ? uapJava.parse(agent) : prefiltered.parse(agent);
    }
}
