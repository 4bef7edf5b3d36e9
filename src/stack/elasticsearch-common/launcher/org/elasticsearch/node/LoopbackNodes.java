package org.elasticsearch.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;
import org.elasticsearch.xpack.loopback.LoopbackSecurity;

/**
 * A real single Elasticsearch node on 127.0.0.1, built from the server jars on Maven Central (the distribution's
 * modules are not published, so only core features and the Netty HTTP layer are there): the part every major
 * version shares. Each version's {@code LoopbackNode} (in {@code src/stack/elasticsearch-<major>/launcher}) gives
 * the plugin answering {@code GET /}, whose plugin API differs between majors, and its secured plugin service.
 * Lives in {@code org.elasticsearch.node} because the construction helpers are package-private. Compiled and
 * started by the project's stack launcher, in a JVM of its own.
 *
 * <p>Arguments: home directory, optionally the HTTP port (default: any free one). Started through
 * {@code OwnedMain}, which ends the node when the JVM that started it dies. Further node settings (thread pools,
 * for instance) go in {@code <home>/config/elasticsearch.yml}, which Elasticsearch reads as usual; the loopback
 * settings set here win over the file. When the config folder holds {@link LoopbackSecurity#MARKER}, the node runs
 * secured (HTTPS, users, API keys; see {@link LoopbackSecurity}); otherwise it loads no x-pack plugin at all.
 */
final class LoopbackNodes {

    /** Makes the plugin service of a node over the plugins it is to load. */
    interface PluginsServiceFactory {
        PluginsService create(Environment environment, List<Class<? extends Plugin>> plugins);
    }

    private LoopbackNodes() {
    }

    /**
     * Starts the node and returns when the JVM is shutting down and the node has closed.
     *
     * @param root the plugin answering {@code GET /}
     * @param secured the plugin service of a secured node
     */
    static void run(String[] args, Class<? extends Plugin> root, PluginsServiceFactory secured) throws Exception {
        Path home = Paths.get(args[0]).toAbsolutePath();
        Path config = Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("logs"));
        Files.writeString(config.resolve("log4j2.properties"), String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console", ""), StandardCharsets.UTF_8);
        Settings.Builder settings = Settings.builder()
            .put("cluster.name", "request-merge")
            .put("node.name", "node-1")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", args.length > 1 ? args[1] : "0")
            .put("transport.port", "0")
            .put("node.portsfile", true)
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        // Only the plugins listed here are loaded, so the x-pack jars on the classpath stay inert unless secured.
        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, root);
        PluginsServiceFactory factory = (env, selected) -> new MockPluginsService(env.settings(), env, selected);
        if (LoopbackSecurity.wanted(config)) {
            LoopbackSecurity.configure(config, settings);
            plugins = LoopbackSecurity.plugins(Netty4Plugin.class, root);
            factory = secured;
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings.build(), Map.of(), config,
            () -> "node-1");
        LogConfigurator.registerErrorListener();
        LogConfigurator.configure(environment, true);

        List<Class<? extends Plugin>> selected = plugins;
        PluginsServiceFactory chosen = factory;
        NodeServiceProvider services = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, PluginsLoader loader) {
                return chosen.create(env, selected);
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(environment, null, services, false));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "loopback-node-shutdown"));
        node.start();
        stopped.await();
    }
}
