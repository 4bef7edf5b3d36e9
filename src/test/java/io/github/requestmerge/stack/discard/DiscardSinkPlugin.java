package io.github.requestmerge.stack.discard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Installs {@link DiscardSinkConnector} for a worker: a plugin directory holding one jar of its classes
 * and the service file {@code plugin.discovery=service_load} needs, made from this JVM's compiled test
 * classes. The worker lists the directory in its {@code plugin.path} beside the shipped component, so
 * the benchmark's no-op sink runs in the same worker without being part of the plugin users install.
 */
public final class DiscardSinkPlugin {

    /** The connector class, as a connector config names it. */
    public static final String CONNECTOR_CLASS = DiscardSinkConnector.class.getName();

    private static final List<Class<?>> CLASSES = List.of(DiscardSinkConnector.class, DiscardSinkTask.class);

    private DiscardSinkPlugin() {
    }

    /**
     * Writes the plugin into {@code dir} (created if missing; an older jar there is replaced).
     *
     * @return {@code dir}, a {@code plugin.path} entry
     */
    public static Path install(Path dir) {
        try {
            Files.createDirectories(dir);
            Path jar = dir.resolve("request-merge-discard-sink.jar");
            Path partial = dir.resolve("request-merge-discard-sink.jar.partial");
            try (OutputStream file = Files.newOutputStream(partial); JarOutputStream out = new JarOutputStream(file)) {
                out.putNextEntry(new JarEntry("META-INF/services/" + SinkConnector.class.getName()));
                out.write((CONNECTOR_CLASS + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
                for (Class<?> type : CLASSES) {
                    String entry = type.getName().replace('.', '/') + ".class";
                    try (InputStream bytes = type.getClassLoader().getResourceAsStream(entry)) {
                        if (bytes == null) {
                            throw new IllegalStateException("no " + entry + " on the classpath");
                        }
                        out.putNextEntry(new JarEntry(entry));
                        bytes.transferTo(out);
                        out.closeEntry();
                    }
                }
            }
            Files.move(partial, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
