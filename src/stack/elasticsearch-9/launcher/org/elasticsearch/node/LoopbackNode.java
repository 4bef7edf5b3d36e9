package org.elasticsearch.node;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.xpack.loopback.SecuredPluginsService;

/**
 * The loopback Elasticsearch 9.x node (see {@link LoopbackNodes} for what it is and its arguments): its
 * {@code GET /} plugin in the 9.x plugin API, and the plugin service a secured 9.x node needs
 * ({@link SecuredPluginsService}).
 */
public final class LoopbackNode {

    private LoopbackNode() {
    }

    public static void main(String[] args) throws Exception {
        LoopbackNodes.run(args, RootPlugin.class, SecuredPluginsService::create);
    }

    /** Registers {@link LoopbackRoot}'s action and handler. */
    public static final class RootPlugin extends Plugin implements ActionPlugin {
        @Override
        public List<ActionHandler> getActions() {
            return List.of(new ActionHandler(LoopbackRoot.MAIN, LoopbackRoot.Action.class));
        }

        @Override
        public Collection<RestHandler> getRestHandlers(RestHandlersServices services, Supplier<DiscoveryNodes> nodes,
                                                       Predicate<NodeFeature> features) {
            return List.of(new LoopbackRoot.Handler());
        }
    }
}
