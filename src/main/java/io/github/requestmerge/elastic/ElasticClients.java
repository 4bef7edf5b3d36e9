package io.github.requestmerge.elastic;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;

/**
 * Builds and closes the {@link ElasticsearchClient} the sink writes with, from connection settings:
 * the cluster's URLs, basic or API-key authentication, the TLS trust to use and the timeouts.
 *
 * <p>Every message this class produces, and {@link Settings#toString()}, show URLs and the kind of
 * authentication only, never a password, API key or truststore password.
 */
public final class ElasticClients {

    private static final Logger log = LoggerFactory.getLogger(ElasticClients.class);

    private ElasticClients() {
    }

    /**
     * How to reach and trust an Elasticsearch cluster. Null or blank strings, and null paths and
     * durations, mean "not set". The constructor checks everything that can be checked without
     * reading files, and throws {@link IllegalArgumentException} saying what is wrong.
     *
     * @param urls one or more {@code http} or {@code https} URLs of the same cluster, all with the same
     *     scheme and path; no credentials in them
     * @param username basic authentication user, together with {@code password}
     * @param password basic authentication password
     * @param apiKey an encoded API key (what Elasticsearch returns as {@code encoded}), sent as
     *     {@code Authorization: ApiKey <key>}; not together with basic authentication
     * @param caCertificatePath a PEM file with the CA certificate(s) to trust instead of the JVM's
     * @param truststorePath a JKS or PKCS12 truststore to trust instead of the JVM's; not together
     *     with {@code caCertificatePath}
     * @param truststorePassword the truststore's password
     * @param truststoreType {@code JKS} or {@code PKCS12}; when not set, detected from the file
     * @param connectTimeout how long to wait for a connection; when not set, the client's default
     * @param readTimeout how long to wait for data on a connection; when not set, the client's default
     */
    public record Settings(List<URI> urls, String username, String password, String apiKey,
            Path caCertificatePath, Path truststorePath, String truststorePassword, String truststoreType,
            Duration connectTimeout, Duration readTimeout) {

        public Settings {
            urls = urls == null ? List.of() : List.copyOf(urls);
            username = blankToNull(username);
            password = blankToNull(password);
            apiKey = blankToNull(apiKey);
            truststorePassword = blankToNull(truststorePassword);
            truststoreType = blankToNull(truststoreType);
            ElasticClients.checkUrls(urls);
            checkAuth(username, password, apiKey);
            if (caCertificatePath != null && truststorePath != null) {
                throw new IllegalArgumentException("set either a CA certificate file (" + caCertificatePath
                        + ") or a truststore (" + truststorePath + "), not both");
            }
            checkTimeout("connect timeout", connectTimeout);
            checkTimeout("read timeout", readTimeout);
        }

        /** @return how long the client waits for data on a connection: the read timeout set, or the client's default */
        public Duration effectiveReadTimeout() {
            return readTimeout != null ? readTimeout : Duration.ofMillis(RestClientBuilder.DEFAULT_SOCKET_TIMEOUT_MILLIS);
        }

        /** The same as {@link ElasticClients#describe(Settings)}: no secrets. */
        @Override
        public String toString() {
            return describe(this);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }


        private static void checkAuth(String username, String password, String apiKey) {
            if (username != null && password == null) {
                throw new IllegalArgumentException("a username is set but no password");
            }
            if (password != null && username == null) {
                throw new IllegalArgumentException("a password is set but no username");
            }
            if (username != null && username.indexOf(':') >= 0) {
                throw new IllegalArgumentException("the username must not contain ':' (basic authentication)");
            }
            if (username != null && apiKey != null) {
                throw new IllegalArgumentException("set either username and password or an API key, not both");
            }
        }

        private static void checkTimeout(String name, Duration timeout) {
            // HttpClient reads 0 as "wait forever", which would let a dead node hang a task.
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("the " + name + " must be positive, was " + timeout);
            }
        }

        private static String pathPrefix(URI url) {
            String path = url.getPath() == null ? "" : url.getPath();
            return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        }

        private boolean https() {
            return urls.get(0).getScheme().equalsIgnoreCase("https");
        }
    }

    /**
     * Checks node URLs as {@link Settings} does; config validation calls this too, so a URL it
     * accepts is one the client can use.
     *
     * @throws IllegalArgumentException naming the URL (without credentials) and what is wrong
     */
    public static void checkUrls(List<URI> urls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no Elasticsearch URL is set");
        }
        for (URI url : urls) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("Elasticsearch URL " + redact(url)
                        + " is not an http or https URL");
            }
            if (url.getHost() == null) {
                throw new IllegalArgumentException("Elasticsearch URL " + redact(url) + " has no valid host name");
            }
            if (url.getRawUserInfo() != null) {
                // Named without its credentials; they belong in username/password or the API key.
                throw new IllegalArgumentException("Elasticsearch URL " + redact(url)
                        + " contains credentials; set them as username and password instead");
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("Elasticsearch URL " + redact(url)
                        + " must not have a query or fragment");
            }
        }
        // One connection pool and one path prefix serve all nodes, so the nodes must agree on both.
        if (urls.stream().map(u -> u.getScheme().toLowerCase(Locale.ROOT)).distinct().count() > 1) {
            throw new IllegalArgumentException("Elasticsearch URLs must all use http or all use https: "
                    + describeUrls(urls));
        }
        if (urls.stream().map(Settings::pathPrefix).distinct().count() > 1) {
            throw new IllegalArgumentException("Elasticsearch URLs must all have the same path: "
                    + describeUrls(urls));
        }
    }

    /**
     * Builds a client for {@code settings}. Reads the CA certificate or truststore file but does no
     * network I/O: a wrong URL or password shows up on the first call. Close it with
     * {@link #close(ElasticsearchClient)}; it holds I/O threads and connections. The client is
     * thread-safe: one per task can serve all of the task's threads.
     *
     * @throws IllegalArgumentException if the CA certificate or truststore cannot be read or used;
     *     the message names the file and what is wrong with it
     */
    public static ElasticsearchClient open(Settings settings) {
        SSLContext sslContext = sslContext(settings);
        RestClientBuilder builder = RestClient.builder(settings.urls().stream().map(ElasticClients::host)
                .toArray(HttpHost[]::new));
        String pathPrefix = Settings.pathPrefix(settings.urls().get(0));
        if (!pathPrefix.isEmpty()) {
            builder.setPathPrefix(pathPrefix);
        }
        Header authorization = authorization(settings);
        if (authorization != null) {
            // Sent with every request rather than after a 401 challenge: saves a round trip and also
            // works behind proxies that do not pass the challenge on.
            builder.setDefaultHeaders(new Header[] {authorization});
        }
        if (sslContext != null) {
            // Only the trust is replaced; the default host name verifier stays in place.
            builder.setHttpClientConfigCallback(http -> http.setSSLContext(sslContext));
        }
        if (settings.connectTimeout() != null || settings.readTimeout() != null) {
            builder.setRequestConfigCallback(request -> {
                if (settings.connectTimeout() != null) {
                    request.setConnectTimeout(millis(settings.connectTimeout()));
                }
                if (settings.readTimeout() != null) {
                    request.setSocketTimeout(millis(settings.readTimeout()));
                }
                return request;
            });
        }
        RestClient restClient = builder.build();
        return new ElasticsearchClient(new RestClientTransport(restClient, new JacksonJsonpMapper()));
    }

    /**
     * Closes {@code client} and its connections and I/O threads. Safe to call with {@code null} and
     * more than once; a failure to close is logged, not thrown, since there is nothing a caller
     * shutting down could do about it.
     */
    public static void close(ElasticsearchClient client) {
        if (client == null) {
            return;
        }
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            log.warn("Closing the Elasticsearch client failed: {}: {}", e.getClass().getName(), e.getMessage());
        }
    }

    /**
     * A one-line description of {@code settings} for log and error messages: the URLs (without any
     * credentials), the kind of authentication and where TLS trust comes from. Never a secret.
     */
    public static String describe(Settings settings) {
        String auth = settings.apiKey() != null ? "API key authentication"
                : settings.username() != null ? "basic authentication" : "no authentication";
        StringBuilder description = new StringBuilder(describeUrls(settings.urls())).append(" (").append(auth);
        if (settings.https()) {
            if (settings.caCertificatePath() != null) {
                description.append(", trusting the CA certificate in ").append(settings.caCertificatePath());
            } else if (settings.truststorePath() != null) {
                description.append(", trusting the truststore ").append(settings.truststorePath());
            } else {
                description.append(", trusting the JVM's default CAs");
            }
        }
        return description.append(')').toString();
    }

    private static String describeUrls(List<URI> urls) {
        return urls.stream().map(ElasticClients::redact).collect(Collectors.joining(", "));
    }

    /** The URL without user info, query or fragment: the parts that may carry secrets. */
    private static String redact(URI url) {
        if (url.getHost() != null) {
            return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                    + (url.getRawPath() == null ? "" : url.getRawPath());
        }
        // Not parsed as scheme://host: "elastic:secret@es:9200" reads as scheme "elastic", so cut by hand.
        String text = url.toString();
        for (char end : new char[] {'?', '#'}) {
            int at = text.indexOf(end);
            text = at >= 0 ? text.substring(0, at) : text;
        }
        int userInfoEnd = text.lastIndexOf('@');
        return userInfoEnd >= 0 ? "***@" + text.substring(userInfoEnd + 1) : text;
    }

    private static HttpHost host(URI url) {
        return new HttpHost(url.getHost(), url.getPort(), url.getScheme().toLowerCase(Locale.ROOT));
    }

    private static Header authorization(Settings settings) {
        if (settings.apiKey() != null) {
            return new BasicHeader("Authorization", "ApiKey " + settings.apiKey());
        }
        if (settings.username() != null) {
            String token = settings.username() + ":" + settings.password();
            return new BasicHeader("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        }
        return null;
    }

    private static int millis(Duration timeout) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    /** The trust to use, or null for the JVM's default (which the low-level client already uses). */
    private static SSLContext sslContext(Settings settings) {
        KeyStore trusted;
        if (settings.caCertificatePath() != null) {
            trusted = keyStoreOf(settings.caCertificatePath());
        } else if (settings.truststorePath() != null) {
            trusted = loadTruststore(settings.truststorePath(), settings.truststorePassword(), settings.truststoreType());
        } else {
            return null;
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            // Only a broken JVM security setup gets here; the files were read and checked above.
            throw new IllegalStateException("cannot set up TLS: " + e, e);
        }
    }

    private static KeyStore keyStoreOf(Path caFile) {
        requireReadableFile("CA certificate file", caFile);
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read CA certificate file " + caFile + ": " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("CA certificate file " + caFile
                    + " does not hold PEM certificates: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("CA certificate file " + caFile + " holds no certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create an in-memory keystore: " + e, e);
        }
    }

    private static KeyStore loadTruststore(Path file, String password, String type) {
        requireReadableFile("truststore", file);
        char[] secret = password == null ? null : password.toCharArray();
        KeyStore store;
        try {
            if (type == null) {
                // Detects JKS and PKCS12 from the file's content.
                store = KeyStore.getInstance(file.toFile(), secret);
            } else {
                store = KeyStore.getInstance(type);
                try (InputStream in = Files.newInputStream(file)) {
                    store.load(in, secret);
                }
            }
        } catch (KeyStoreException e) {
            throw new IllegalArgumentException("truststore " + file + " is not a "
                    + (type == null ? "JKS or PKCS12 truststore" : "truststore of type " + type) + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException("truststore " + file + ": the password is wrong"
                        + (password == null ? " (no password is set)" : ""), e);
            }
            throw new IllegalArgumentException("truststore " + file + " cannot be loaded"
                    + (type == null ? "" : " as " + type) + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("truststore " + file + " cannot be loaded: " + e.getMessage(), e);
        }
        if (!holdsCertificate(store)) {
            // A PKCS12 file's certificates are usually encrypted, so without the password none are seen.
            throw new IllegalArgumentException("truststore " + file + " holds no certificate"
                    + (password == null ? " readable without a password" : ""));
        }
        return store;
    }

    private static boolean holdsCertificate(KeyStore store) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) != null) {
                    return true;
                }
            }
            return false;
        } catch (KeyStoreException e) {
            throw new IllegalStateException("cannot list a loaded truststore: " + e, e);
        }
    }

    private static void requireReadableFile(String what, Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(what + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " " + file + " is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(what + " " + file + " is not readable (check its permissions)");
        }
    }
}
