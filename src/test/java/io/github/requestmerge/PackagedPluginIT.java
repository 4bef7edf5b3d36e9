package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Confluent Hub component the build produces is installable as is: a filtered manifest, the
 * plugin and its dependencies in lib/ without the worker-provided Connect API, and service entries
 * that a worker with plugin.discovery=service_load finds, loading the transform from lib/ alone.
 */
class PackagedPluginIT {

    /** The assembly's dir format nests the component in a folder of its own name: a ready plugin.path entry. */
    private static Path component() throws IOException {
        Path components = Paths.get(System.getProperty("project.basedir", ".")).resolve("target/components");
        try (Stream<Path> entries = Files.list(components)) {
            Path outer = entries.filter(Files::isDirectory).findFirst()
                .orElseThrow(() -> new AssertionError("no component directory in " + components));
            return outer.resolve(outer.getFileName());
        }
    }

    @Test
    void manifestIsFilteredAndDescribesTheComponent() throws IOException {
        Path component = component();
        JsonNode manifest = new ObjectMapper().readTree(component.resolve("manifest.json").toFile());
        assertEquals(Version.get(), manifest.get("version").asText());
        assertEquals("kafka-connect-request-merge", manifest.get("name").asText());
        assertTrue(manifest.get("component_types").toString().contains("transform"));
        assertTrue(Files.exists(component.getParent().resolveSibling(component.getFileName() + ".zip")),
            "the zip is built too");
    }

    @Test
    void libHoldsThePluginAndItsDependenciesButNotTheConnectApi() throws IOException {
        List<String> jars;
        try (Stream<Path> entries = Files.list(component().resolve("lib"))) {
            jars = entries.map(path -> path.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        assertTrue(jars.stream().anyMatch(jar -> jar.startsWith("kafka-connect-request-merge-")), jars.toString());
        assertTrue(jars.stream().anyMatch(jar -> jar.startsWith("geoip2-")), jars.toString());
        assertTrue(jars.stream().anyMatch(jar -> jar.startsWith("uap-java-")), jars.toString());
        assertTrue(jars.stream().anyMatch(jar -> jar.startsWith("caffeine-")), jars.toString());
        for (String provided : List.of("connect-api-", "connect-transforms-", "kafka-clients-", "slf4j-api-")) {
            assertFalse(jars.stream().anyMatch(jar -> jar.startsWith(provided)), provided + " must not be packaged");
        }
    }

    @Test
    @SuppressWarnings({"rawtypes", "unchecked"})
    void transformLoadsFromLibThroughTheServiceLoader() throws Exception {
        List<URL> urls;
        try (Stream<Path> entries = Files.list(component().resolve("lib"))) {
            urls = entries.map(path -> {
                try {
                    return path.toUri().toURL();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }).collect(Collectors.toList());
        }
        // Parent: only the platform and the Connect API, as a worker's plugin class loader sees them.
        ClassLoader connectApi = Transformation.class.getClassLoader();
        try (URLClassLoader plugin = new ChildFirstLoader(urls.toArray(new URL[0]), connectApi)) {
            // As a worker's service_load discovery does: the providers that this plugin's lib/ declares.
            List<String> found = ServiceLoader.load(Transformation.class, plugin).stream()
                .filter(provider -> provider.type().getClassLoader() == plugin)
                .map(provider -> provider.type().getName()).sorted().collect(Collectors.toList());
            assertEquals(List.of("io.github.requestmerge.enrich.Enrich$Key", "io.github.requestmerge.enrich.Enrich$Value"),
                found);
            Class<?> type = plugin.loadClass("io.github.requestmerge.enrich.Enrich$Value");
            assertEquals(plugin, type.getClassLoader(), "loaded from lib/, not from the test classpath");
            Transformation transform = (Transformation) type.getDeclaredConstructor().newInstance();
            try {
                transform.configure(Map.of("geoip.database.path", TestData.geoLite2City().toString()));
                SinkRecord out = (SinkRecord) transform.apply(new SinkRecord("t", 0, null, null, null,
                    Map.of("ipaddress", "89.160.20.128", "useragent", "curl/8.4.0"), 0));
                Map<?, ?> value = (Map<?, ?>) out.value();
                assertEquals("SE", ((Map<?, ?>) value.get("geo")).get("country_iso_code"));
                assertEquals("curl", ((Map<?, ?>) value.get("UA")).get("name"));
                assertEquals(Version.get(), ((Versioned) transform).version());
            } finally {
                transform.close();
            }
        }
    }

    @Test
    void bothSinkConnectorsLoadFromLibThroughTheServiceLoader() throws Exception {
        List<URL> urls;
        try (Stream<Path> entries = Files.list(component().resolve("lib"))) {
            urls = entries.map(path -> {
                try {
                    return path.toUri().toURL();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }).collect(Collectors.toList());
        }
        try (URLClassLoader plugin = new ChildFirstLoader(urls.toArray(new URL[0]), SinkConnector.class.getClassLoader())) {
            List<String> found = ServiceLoader.load(SinkConnector.class, plugin).stream()
                .filter(provider -> provider.type().getClassLoader() == plugin)
                .map(provider -> provider.type().getName()).sorted().collect(Collectors.toList());
            assertEquals(List.of("io.github.requestmerge.archive.RawArchiveSinkConnector",
                "io.github.requestmerge.sink.RequestMergeSinkConnector"), found);
            // The archive's AWS SDK comes from lib/ too: its config and task class resolve there.
            SinkConnector archive = (SinkConnector) plugin.loadClass("io.github.requestmerge.archive.RawArchiveSinkConnector")
                .getDeclaredConstructor().newInstance();
            assertTrue(archive.config().names().contains("s3.bucket.name"));
            assertEquals(plugin, archive.taskClass().getClassLoader());
            assertEquals(plugin, plugin.loadClass("software.amazon.awssdk.services.s3.S3Client").getClassLoader());
            assertEquals(Version.get(), archive.version());
        }
    }

    /** Plugin classes first from lib/, everything else (Connect API, Kafka, SLF4J) from the parent. */
    private static final class ChildFirstLoader extends URLClassLoader {
        ChildFirstLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null && !name.startsWith("java.") && !name.startsWith("org.apache.kafka.")
                    && !name.startsWith("org.slf4j.")) {
                    try {
                        loaded = findClass(name);
                    } catch (ClassNotFoundException e) {
                        loaded = null;
                    }
                }
                if (loaded == null) {
                    loaded = super.loadClass(name, false);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
