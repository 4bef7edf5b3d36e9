package org.elasticsearch.node;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;

/**
 * The loopback Elasticsearch 8.x node (see {@link LoopbackNodes} for what it is and its arguments): its
 * {@code GET /} plugin in the 8.x plugin API; a secured node uses the stock plugin service.
 */
public final class LoopbackNode {

    private LoopbackNode() {
    }

    public static void main(String[] args) throws Exception {
        LoopbackNodes.run(args, RootPlugin.class, (env, plugins) -> new MockPluginsService(env.settings(), env, plugins));
    }

    /** Registers {@link LoopbackRoot}'s action and handler. */
    public static final class RootPlugin extends Plugin implements ActionPlugin {
        @Override
        public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
            return List.of(new ActionHandler<>(LoopbackRoot.MAIN, LoopbackRoot.Action.class));
        }

        @Override
        public Collection<RestHandler> getRestHandlers(Settings settings, NamedWriteableRegistry registry,
                                                       RestController controller, ClusterSettings clusterSettings,
                                                       IndexScopedSettings indexScopedSettings, SettingsFilter filter,
                                                       IndexNameExpressionResolver resolver,
                                                       Supplier<DiscoveryNodes> nodes, Predicate<NodeFeature> features) {
            return List.of(new LoopbackRoot.Handler());
        }
    }
}
