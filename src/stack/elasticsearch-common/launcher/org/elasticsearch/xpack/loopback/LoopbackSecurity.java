package org.elasticsearch.xpack.loopback;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.elasticsearch.common.settings.MockSecureSettings;
import org.elasticsearch.common.settings.SecureString;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.xpack.core.XPackPlugin;
import org.elasticsearch.xpack.core.security.authc.support.Hasher;

/**
 * Turns the loopback node into a secured one when its config folder holds {@value #MARKER}, written
 * by the stack launcher before the first start: HTTPS with the certificate and key found next to it
 * ({@code http.crt}, {@code http.key}), transport without TLS (one node, loopback only), the basic
 * license, the {@code elastic} user's bootstrap password, and file-realm users.
 *
 * <p>The marker is a properties file: {@code bootstrap.password}, then for each name in the
 * comma-separated {@code users}: {@code user.NAME.password} and {@code user.NAME.roles} (comma-separated,
 * may be empty). The file realm's {@code users} (bcrypt hashes) and {@code users_roles} are written from
 * it at every start, so a restart sees the same users.
 */
public final class LoopbackSecurity {

    public static final String MARKER = "loopback-security.properties";

    private LoopbackSecurity() {
    }

    /** @return whether the node in this config folder is to run secured */
    public static boolean wanted(Path config) {
        return Files.exists(config.resolve(MARKER));
    }

    /** @return the plugins of a secured node, Netty's first and the node's own last */
    public static List<Class<? extends Plugin>> plugins(Class<? extends Plugin> transport, Class<? extends Plugin> own) {
        return List.of(transport, XPackPlugin.class, SecurityWithoutSaml.class, SecurityIndexAnalysis.class, own);
    }

    /** Writes the file realm's files and adds the security settings to {@code settings}. */
    public static void configure(Path config, Settings.Builder settings) throws IOException {
        Properties marker = new Properties();
        try (Reader reader = Files.newBufferedReader(config.resolve(MARKER), StandardCharsets.UTF_8)) {
            marker.load(reader);
        }
        StringBuilder users = new StringBuilder();
        Map<String, List<String>> roles = new TreeMap<>();
        for (String user : required(marker, "users").split(",")) {
            user = user.trim();
            char[] password = required(marker, "user." + user + ".password").toCharArray();
            users.append(user).append(':').append(Hasher.BCRYPT.hash(new SecureString(password))).append('\n');
            for (String role : marker.getProperty("user." + user + ".roles", "").split(",")) {
                if (!role.isBlank()) {
                    roles.computeIfAbsent(role.trim(), key -> new ArrayList<>()).add(user);
                }
            }
        }
        StringBuilder usersRoles = new StringBuilder();
        roles.forEach((role, members) -> usersRoles.append(role).append(':').append(String.join(",", members)).append('\n'));
        Files.writeString(config.resolve("users"), users, StandardCharsets.UTF_8);
        Files.writeString(config.resolve("users_roles"), usersRoles, StandardCharsets.UTF_8);

        MockSecureSettings secrets = new MockSecureSettings();
        secrets.setString("bootstrap.password", required(marker, "bootstrap.password"));
        settings.setSecureSettings(secrets)
            .put("xpack.license.self_generated.type", "basic")
            .put("xpack.security.enabled", true)
            .put("xpack.security.http.ssl.enabled", true)
            .put("xpack.security.http.ssl.certificate", config.resolve("http.crt").toString())
            .put("xpack.security.http.ssl.key", config.resolve("http.key").toString())
            .put("xpack.security.transport.ssl.enabled", false);
    }

    private static String required(Properties marker, String key) {
        String value = marker.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(MARKER + ": missing " + key);
        }
        return value;
    }
}
