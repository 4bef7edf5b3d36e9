package org.elasticsearch.xpack.loopback;

import java.lang.reflect.Constructor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.plugins.spi.SPIClassIterator;

/**
 * The plugin service of a secured 9.x node: the test framework's, except that an extension whose constructor
 * takes the Security plugin (e.g. its action logging fields provider) is given {@link SecurityWithoutSaml}.
 * The stock service asks for the exact plugin class and refuses the subclass (8.x does not load such extensions
 * this way, so its node uses the stock service).
 */
public final class SecuredPluginsService {

    private SecuredPluginsService() {
    }

    /** @return the plugin service over {@code plugins} */
    public static PluginsService create(Environment environment, List<Class<? extends Plugin>> plugins) {
        return new MockPluginsService(environment.settings(), environment, plugins) {
            @Override
            public <T> List<? extends T> loadServiceProviders(Class<T> service) {
                Map<Class<?>, T> extensions = new LinkedHashMap<>();
                filterPlugins(Plugin.class).forEach(plugin -> {
                    SPIClassIterator<T> classes = SPIClassIterator.get(service, plugin.getClass().getClassLoader());
                    while (classes.hasNext()) {
                        Class<? extends T> type = classes.next();
                        for (Constructor<?> constructor : type.getConstructors()) {
                            if (constructor.getParameterCount() == 1 && !extensions.containsKey(type)
                                && constructor.getParameterTypes()[0].isAssignableFrom(plugin.getClass())) {
                                try {
                                    extensions.put(type, service.cast(constructor.newInstance(plugin)));
                                } catch (ReflectiveOperationException e) {
                                    throw new IllegalStateException("cannot create extension " + type.getName() + " of "
                                        + plugin.getClass().getName(), e);
                                }
                            }
                        }
                    }
                });
                return List.copyOf(extensions.values());
            }
        };
    }
}
