package org.elasticsearch.xpack.loopback;

import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.xpack.security.Security;

/**
 * The x-pack Security plugin without its SAML actions and REST endpoints (9.x plugin API; see the
 * 8.x launcher's copy for why). Lives under {@code org.elasticsearch.xpack} because the node only
 * accepts the REST interceptor (authentication) from a plugin there.
 */
public class SecurityWithoutSaml extends Security {

    public SecurityWithoutSaml(Settings settings) {
        super(settings);
    }

    @Override
    public List<ActionHandler> getActions() {
        return super.getActions().stream()
            .filter(handler -> !isSaml(handler.getAction().getClass()) && !isSaml(handler.getTransportAction()))
            .toList();
    }

    @Override
    public List<RestHandler> getRestHandlers(RestHandlersServices services, Supplier<DiscoveryNodes> nodes,
                                             Predicate<NodeFeature> features) {
        return super.getRestHandlers(services, nodes, features).stream().filter(handler -> !isSaml(handler.getClass()))
            .toList();
    }

    private static boolean isSaml(Class<?> type) {
        return type.getName().contains(".saml.");
    }
}
