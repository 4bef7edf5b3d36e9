package org.elasticsearch.xpack.loopback;

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
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.xpack.security.Security;

/**
 * The x-pack Security plugin without its SAML actions and REST endpoints. Those need OpenSAML and
 * Shibboleth, which are not on Maven Central, and Guice fails on the missing classes as soon as it
 * builds them; nothing else in Security needs them. Lives under {@code org.elasticsearch.xpack}
 * because the node only accepts the REST interceptor (authentication) from a plugin there.
 */
public class SecurityWithoutSaml extends Security {

    public SecurityWithoutSaml(Settings settings) {
        super(settings);
    }

    @Override
    public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
        return super.getActions().stream()
            .filter(handler -> !isSaml(handler.getAction().getClass()) && !isSaml(handler.getTransportAction()))
            .toList();
    }

    @Override
    public List<RestHandler> getRestHandlers(Settings settings, NamedWriteableRegistry registry, RestController controller,
                                             ClusterSettings clusterSettings, IndexScopedSettings indexScopedSettings,
                                             SettingsFilter filter, IndexNameExpressionResolver resolver,
                                             Supplier<DiscoveryNodes> nodes, Predicate<NodeFeature> features) {
        return super.getRestHandlers(settings, registry, controller, clusterSettings, indexScopedSettings, filter, resolver,
            nodes, features).stream().filter(handler -> !isSaml(handler.getClass())).toList();
    }

    private static boolean isSaml(Class<?> type) {
        return type.getName().contains(".saml.");
    }
}
