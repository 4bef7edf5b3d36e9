package org.elasticsearch.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.elasticsearch.Build;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.TransportAction;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.env.Environment;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestActionListener;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.transport.netty4.Netty4Plugin;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xpack.loopback.LoopbackSecurity;

/**
 * A real single Elasticsearch 9.x node on 127.0.0.1 (same as the 8.x launcher but for 9.x's plugin API), built from the server jars on Maven Central
 * (the distribution's modules are not published, so only core features and the Netty HTTP layer
 * are there). Lives in {@code org.elasticsearch.node} because the construction helpers are
 * package-private. Compiled and started by the project's stack launcher, in a JVM of its own.
 *
 * <p>Arguments: home directory, optionally the HTTP port (default: any free one). Started through
 * {@code OwnedMain}, which ends the node when the JVM that started it dies. Further node settings
 * (thread pools, for instance) go in {@code <home>/config/elasticsearch.yml}, which Elasticsearch
 * reads as usual; the loopback settings set here win over the file. When the config folder holds
 * {@link LoopbackSecurity#MARKER}, the node runs secured (HTTPS, users, API keys; see
 * {@link LoopbackSecurity}); otherwise it loads no x-pack plugin at all.
 */
public final class LoopbackNode {

    private LoopbackNode() {
    }

    public static void main(String[] args) throws Exception {
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
        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, RootPlugin.class);
        boolean secured = LoopbackSecurity.wanted(config);
        if (secured) {
            LoopbackSecurity.configure(config, settings);
            plugins = LoopbackSecurity.plugins(Netty4Plugin.class, RootPlugin.class);
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings.build(), Map.of(), config,
            () -> "node-1");
        LogConfigurator.registerErrorListener();
        LogConfigurator.configure(environment, true);

        List<Class<? extends Plugin>> selected = plugins;
        NodeServiceProvider services = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, PluginsLoader loader) {
                return secured ? LoopbackSecurity.pluginsService(env, selected)
                    : new MockPluginsService(env.settings(), env, selected);
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

    /**
     * Answers {@code GET /} and {@code HEAD /} (the rest-root module is not published): clients' info()/ping() need
     * them. As in that module, the answer comes from the transport action {@value #MAIN_ACTION}, so a secured node
     * asks for the {@code monitor} cluster privilege there as a distribution does.
     */
    public static final class RootPlugin extends Plugin implements ActionPlugin {
        @Override
        public List<ActionHandler> getActions() {
            return List.of(new ActionHandler(MAIN, TransportRootAction.class));
        }

        @Override
        public Collection<RestHandler> getRestHandlers(RestHandlersServices services, Supplier<DiscoveryNodes> nodes,
                                                       Predicate<NodeFeature> features) {
            return List.of(new RootHandler());
        }
    }

    static final String MAIN_ACTION = "cluster:monitor/main";
    static final ActionType<RootResponse> MAIN = new ActionType<>(MAIN_ACTION);

    static final class RootRequest extends ActionRequest {
        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** Never leaves the node (the REST layer runs the action locally), so it is never serialized. */
    static final class RootResponse extends ActionResponse {
        @Override
        public void writeTo(StreamOutput out) {
            throw new UnsupportedOperationException(MAIN_ACTION + " runs on the local node only");
        }
    }

    public static final class TransportRootAction extends TransportAction<RootRequest, RootResponse> {
        @Inject
        public TransportRootAction(TransportService transport, ActionFilters filters) {
            super(MAIN_ACTION, filters, transport.getTaskManager(), EsExecutors.DIRECT_EXECUTOR_SERVICE);
        }

        @Override
        protected void doExecute(Task task, RootRequest request, ActionListener<RootResponse> listener) {
            listener.onResponse(new RootResponse());
        }
    }

    static final class RootHandler extends BaseRestHandler {
        @Override
        public String getName() {
            return "loopback_root";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            return channel -> client.executeLocally(MAIN, new RootRequest(), new RestActionListener<RootResponse>(channel) {
                @Override
                protected void processResponse(RootResponse response) throws java.io.IOException {
                    channel.sendResponse(answer(request, channel));
                }
            });
        }

        private static RestResponse answer(RestRequest request, RestChannel channel) throws java.io.IOException {
            if (request.method() == RestRequest.Method.HEAD) {
                return new RestResponse(RestStatus.OK, "application/json", "");
            }
            Build build = Build.current();
            XContentBuilder body = channel.newBuilder();
            body.startObject()
                .field("name", "node-1")
                .field("cluster_name", "request-merge")
                .field("cluster_uuid", "_na_")
                .startObject("version")
                .field("number", build.qualifiedVersion())
                .field("build_flavor", build.flavor())
                .field("build_type", build.type().displayName())
                .field("build_hash", build.hash())
                .field("build_date", build.date())
                .field("build_snapshot", build.isSnapshot())
                .field("lucene_version", org.apache.lucene.util.Version.LATEST.toString())
                .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                .endObject()
                .field("tagline", "You Know, for Search")
                .endObject();
            return new RestResponse(RestStatus.OK, body);
        }
    }
}
