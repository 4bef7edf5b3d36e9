package io.github.requestmerge.elastic;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.elasticsearch.client.Node;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest_client.RestClientTransport;

class ElasticClientsTest {

    private static final String INFO = "{\"name\":\"n\",\"cluster_name\":\"c\",\"cluster_uuid\":\"u\","
            + "\"version\":{\"number\":\"8.19.0\",\"build_flavor\":\"default\",\"build_type\":\"tar\","
            + "\"build_hash\":\"h\",\"build_date\":\"2025-01-01T00:00:00Z\",\"build_snapshot\":false,"
            + "\"lucene_version\":\"9\",\"minimum_wire_compatibility_version\":\"7.17.0\","
            + "\"minimum_index_compatibility_version\":\"7.0.0\"},\"tagline\":\"You Know, for Search\"}";

    private static final String SERVER_STORE_PASSWORD = "server-store-pass";
    private static final String TRUSTSTORE_PASSWORD = "trust-store-pass";

    @TempDir
    static Path certificates;
    static Path caPem;
    static Path jksTruststore;
    static Path pkcs12Truststore;
    static HttpsServer httpsServer;
    static final BlockingQueue<String> httpsRequests = new LinkedBlockingQueue<>();

    @TempDir
    Path dir;
    private final List<HttpServer> httpServers = new ArrayList<>();
    private final List<ElasticsearchClient> clients = new ArrayList<>();
    /** What the plain HTTP servers saw: the request path and Authorization header of each request. */
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

    @BeforeAll
    static void createCertificatesAndHttpsServer() throws Exception {
        Path serverStore = certificates.resolve("server.p12");
        caPem = certificates.resolve("ca.pem");
        jksTruststore = certificates.resolve("truststore.jks");
        pkcs12Truststore = certificates.resolve("truststore.p12");
        // A self-signed certificate for 127.0.0.1 only; it is its own CA.
        keytool("-genkeypair", "-alias", "es", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", serverStore.toString(), "-storetype", "PKCS12",
                "-storepass", SERVER_STORE_PASSWORD, "-keypass", SERVER_STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "es", "-keystore", serverStore.toString(),
                "-storepass", SERVER_STORE_PASSWORD, "-file", caPem.toString());
        keytool("-importcert", "-noprompt", "-alias", "es", "-file", caPem.toString(),
                "-keystore", jksTruststore.toString(), "-storetype", "JKS", "-storepass", TRUSTSTORE_PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "es", "-file", caPem.toString(),
                "-keystore", pkcs12Truststore.toString(), "-storetype", "PKCS12", "-storepass", TRUSTSTORE_PASSWORD);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverStore)) {
            keys.load(in, SERVER_STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, SERVER_STORE_PASSWORD.toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
        httpsServer = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        httpsServer.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        httpsServer.createContext("/", elasticsearchInfo(httpsRequests));
        httpsServer.start();
    }

    @AfterAll
    static void stopHttpsServer() {
        if (httpsServer != null) {
            httpsServer.stop(0);
        }
    }

    @AfterEach
    void closeClientsAndServers() {
        clients.forEach(ElasticClients::close);
        httpServers.forEach(server -> server.stop(0));
    }

    @Test
    void basicAuthenticationReachesTheServer() throws Exception {
        URI url = httpServer();

        ElasticsearchClient client = open(settings(List.of(url), "elastic", "pa:ss w0rd", null));

        assertEquals("c", client.info().clusterName());
        String expected = Base64.getEncoder().encodeToString("elastic:pa:ss w0rd".getBytes(StandardCharsets.UTF_8));
        assertEquals("/ Basic " + expected, requests.take());
    }

    @Test
    void apiKeyReachesTheServer() throws Exception {
        URI url = httpServer();

        ElasticsearchClient client = open(settings(List.of(url), null, null, "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="));

        assertEquals("c", client.info().clusterName());
        assertEquals("/ ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==", requests.take());
    }

    @Test
    void withoutCredentialsNoAuthorizationIsSent() throws Exception {
        URI url = httpServer();

        ElasticsearchClient client = open(settings(List.of(url), "  ", "", " "));

        assertEquals("c", client.info().clusterName());
        assertEquals("/ none", requests.take());
    }

    @Test
    void everyUrlBecomesANode() throws Exception {
        URI first = URI.create("http://127.0.0.1:9201");
        URI second = URI.create("http://127.0.0.2:9202");

        ElasticsearchClient client = open(settings(List.of(first, second), null, null, null));

        List<String> nodes = restClient(client).getNodes().stream().map(Node::getHost).map(Object::toString)
                .collect(Collectors.toList());
        assertEquals(List.of("http://127.0.0.1:9201", "http://127.0.0.2:9202"), nodes);
    }

    @Test
    void aDeadUrlIsSkippedForALiveOne() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + freePort());
        URI live = httpServer();

        ElasticsearchClient client = open(settings(List.of(dead, live), "elastic", "secret", null));

        assertEquals("c", client.info().clusterName());
        assertEquals("c", client.info().clusterName());
    }

    @Test
    void theUrlsPathIsPrefixedToEveryRequest() throws Exception {
        URI url = URI.create(httpServer() + "/elastic/");

        ElasticsearchClient client = open(settings(List.of(url), null, null, null));

        assertEquals("c", client.info().clusterName());
        assertEquals("/elastic/ none", requests.take());
    }

    @Test
    void aCaCertificateFileLetsHttpsCallsThrough() throws Exception {
        ElasticsearchClient client = open(tls(httpsUrl(), caPem, null, null, null));

        assertEquals("c", client.info().clusterName());
        assertEquals("/ ApiKey k", httpsRequests.take());
    }

    @Test
    void aJksTruststoreLetsHttpsCallsThrough() throws Exception {
        ElasticsearchClient client = open(tls(httpsUrl(), null, jksTruststore, TRUSTSTORE_PASSWORD, "JKS"));

        assertEquals("c", client.info().clusterName());
    }

    @Test
    void aPkcs12TruststoreIsRecognisedWithoutItsType() throws Exception {
        ElasticsearchClient client = open(tls(httpsUrl(), null, pkcs12Truststore, TRUSTSTORE_PASSWORD, null));

        assertEquals("c", client.info().clusterName());
    }

    @Test
    void withoutTheCaHttpsCallsFailWithAnSslErrorThatIsNotRetried() {
        ElasticsearchClient client = open(tls(httpsUrl(), null, null, null, null));

        Exception e = assertThrows(Exception.class, client::info);

        assertTrue(hasCause(e, SSLException.class), () -> "not an SSL error: " + e);
        assertEquals(ElasticErrors.Category.FATAL, ElasticErrors.of(e));
    }

    @Test
    void hostNameVerificationStaysOn() throws Exception {
        // The certificate names 127.0.0.1 only, so reaching the same server as "localhost" must fail.
        assumeTrue(InetAddress.getByName("localhost").getHostAddress().equals("127.0.0.1"),
                "localhost resolves to 127.0.0.1");
        URI localhost = URI.create("https://localhost:" + httpsServer.getAddress().getPort());
        ElasticsearchClient client = open(tls(localhost, caPem, null, null, null));

        Exception e = assertThrows(Exception.class, client::info);

        assertTrue(hasCause(e, SSLPeerUnverifiedException.class), () -> "not a host name mismatch: " + e);
        assertEquals(ElasticErrors.Category.FATAL, ElasticErrors.of(e));
    }

    @Test
    void aSlowServerRunsIntoTheReadTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        ElasticsearchClient client = open(new ElasticClients.Settings(List.of(url), null, null, null, null, null,
                null, null, Duration.ofSeconds(5), Duration.ofMillis(200)));
        try {
            Exception e = assertThrows(Exception.class, client::info);

            assertTrue(hasCause(e, SocketTimeoutException.class), () -> "not a read timeout: " + e);
            assertEquals(ElasticErrors.Category.TRANSIENT, ElasticErrors.of(e));
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @Test
    void openingDoesNoNetworkIo() {
        URI nobodyListens = URI.create("http://127.0.0.1:" + freePort());

        assertDoesNotThrow(() -> open(settings(List.of(nobodyListens), "elastic", "secret", null)));
    }

    @Test
    void closingIsQuietRepeatableAndNullSafe() {
        ElasticsearchClient client = ElasticClients.open(settings(List.of(URI.create("http://127.0.0.1:9200")),
                null, null, null));

        ElasticClients.close(client);
        ElasticClients.close(client);
        ElasticClients.close(null);

        assertFalse(restClient(client).isRunning());
    }

    @Test
    void describeShowsUrlsAndAuthenticationKindButNoSecrets() {
        ElasticClients.Settings basic = new ElasticClients.Settings(
                List.of(URI.create("https://es1:9200"), URI.create("https://es2:9200")),
                "elastic", "basic-secret", null, null, jksTruststore, "truststore-secret", "JKS", null, null);
        ElasticClients.Settings apiKey = settings(List.of(URI.create("http://es:9200")), null, null, "api-key-secret");

        assertEquals("https://es1:9200, https://es2:9200 (basic authentication, trusting the truststore "
                + jksTruststore + ")", ElasticClients.describe(basic));
        assertEquals("http://es:9200 (API key authentication)", ElasticClients.describe(apiKey));
        for (String text : List.of(ElasticClients.describe(basic), basic.toString(),
                ElasticClients.describe(apiKey), apiKey.toString())) {
            assertFalse(text.contains("secret"), () -> "a secret leaked: " + text);
        }
    }

    @Test
    void credentialsInAUrlAreRejectedWithoutRepeatingThem() {
        URI withCredentials = URI.create("https://elastic:url-secret@es:9200");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(List.of(withCredentials), null, null, null));

        assertEquals("Elasticsearch URL https://es:9200 contains credentials; set them as username and "
                + "password instead", e.getMessage());
    }

    @Test
    void mixedSchemesAreRejectedNamingTheUrls() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(
                List.of(URI.create("https://es1:9200"), URI.create("http://es2:9200")), null, null, null));

        assertEquals("Elasticsearch URLs must all use http or all use https: https://es1:9200, http://es2:9200",
                e.getMessage());
    }

    @Test
    void malformedSettingsAreRejected() {
        List<URI> url = List.of(URI.create("http://es:9200"));

        assertMessage("no Elasticsearch URL is set", () -> settings(List.of(), null, null, null));
        assertMessage("Elasticsearch URL es:9200 is not an http or https URL",
                () -> settings(List.of(URI.create("es:9200")), null, null, null));
        assertMessage("Elasticsearch URL ***@es:9200 is not an http or https URL",
                () -> settings(List.of(URI.create("elastic:url-secret@es:9200")), null, null, null));
        assertMessage("Elasticsearch URL ftp://es:21 is not an http or https URL",
                () -> settings(List.of(URI.create("ftp://es:21")), null, null, null));
        assertMessage("Elasticsearch URLs must all have the same path: http://es1:9200/a, http://es2:9200/b",
                () -> settings(List.of(URI.create("http://es1:9200/a"), URI.create("http://es2:9200/b")),
                        null, null, null));
        assertMessage("set either username and password or an API key, not both",
                () -> settings(url, "elastic", "secret", "key"));
        assertMessage("a username is set but no password", () -> settings(url, "elastic", null, null));
        assertMessage("a password is set but no username", () -> settings(url, null, "secret", null));
        assertMessage("set either a CA certificate file (" + caPem + ") or a truststore (" + jksTruststore
                + "), not both", () -> tls(httpsUrl(), caPem, jksTruststore, TRUSTSTORE_PASSWORD, null));
        assertMessage("the read timeout must be positive, was PT0S", () -> new ElasticClients.Settings(url,
                null, null, null, null, null, null, null, null, Duration.ZERO));
    }

    @Test
    void unusableCaFilesAreNamedWithWhatIsWrong() throws IOException {
        Path missing = dir.resolve("missing.pem");
        Path empty = Files.createFile(dir.resolve("empty.pem"));
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        assertMessage("CA certificate file " + missing + " does not exist",
                () -> ElasticClients.open(tls(httpsUrl(), missing, null, null, null)));
        assertMessage("CA certificate file " + dir + " is not a regular file",
                () -> ElasticClients.open(tls(httpsUrl(), dir, null, null, null)));
        assertMessage("CA certificate file " + empty + " holds no certificate",
                () -> ElasticClients.open(tls(httpsUrl(), empty, null, null, null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ElasticClients.open(tls(httpsUrl(), garbage, null, null, null)));
        assertTrue(e.getMessage().startsWith("CA certificate file " + garbage + " does not hold PEM certificates"),
                e.getMessage());
    }

    @Test
    void unusableTruststoresAreNamedWithWhatIsWrong() throws IOException {
        Path missing = dir.resolve("missing.jks");
        Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a keystore");

        assertMessage("truststore " + missing + " does not exist",
                () -> ElasticClients.open(tls(httpsUrl(), null, missing, TRUSTSTORE_PASSWORD, null)));
        assertMessage("truststore " + jksTruststore + ": the password is wrong",
                () -> ElasticClients.open(tls(httpsUrl(), null, jksTruststore, "wrong", "JKS")));
        assertMessage("truststore " + pkcs12Truststore + ": the password is wrong",
                () -> ElasticClients.open(tls(httpsUrl(), null, pkcs12Truststore, "wrong", null)));
        assertMessage("truststore " + pkcs12Truststore + " holds no certificate readable without a password",
                () -> ElasticClients.open(tls(httpsUrl(), null, pkcs12Truststore, null, "PKCS12")));
        IllegalArgumentException notAStore = assertThrows(IllegalArgumentException.class,
                () -> ElasticClients.open(tls(httpsUrl(), null, garbage, TRUSTSTORE_PASSWORD, null)));
        assertTrue(notAStore.getMessage().startsWith("truststore " + garbage + " is not a JKS or PKCS12 truststore"),
                notAStore.getMessage());
        IllegalArgumentException unknownType = assertThrows(IllegalArgumentException.class,
                () -> ElasticClients.open(tls(httpsUrl(), null, jksTruststore, TRUSTSTORE_PASSWORD, "NOPE")));
        assertTrue(unknownType.getMessage().startsWith("truststore " + jksTruststore
                + " is not a truststore of type NOPE"), unknownType.getMessage());
    }

    private ElasticsearchClient open(ElasticClients.Settings settings) {
        ElasticsearchClient client = ElasticClients.open(settings);
        clients.add(client);
        return client;
    }

    private URI httpServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", elasticsearchInfo(requests));
        server.start();
        httpServers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static URI httpsUrl() {
        return URI.create("https://127.0.0.1:" + httpsServer.getAddress().getPort());
    }

    /** Answers every request like Elasticsearch's {@code GET /}, noting its path and Authorization header. */
    private static HttpHandler elasticsearchInfo(BlockingQueue<String> seen) {
        byte[] body = INFO.getBytes(StandardCharsets.UTF_8);
        return (HttpExchange exchange) -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(exchange.getRequestURI().getPath() + " " + (authorization == null ? "none" : authorization));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    private static ElasticClients.Settings settings(List<URI> urls, String username, String password, String apiKey) {
        return new ElasticClients.Settings(urls, username, password, apiKey, null, null, null, null, null, null);
    }

    private static ElasticClients.Settings tls(URI url, Path ca, Path truststore, String truststorePassword,
            String truststoreType) {
        return new ElasticClients.Settings(List.of(url), null, null, "k", ca, truststore, truststorePassword,
                truststoreType, null, null);
    }

    private static RestClient restClient(ElasticsearchClient client) {
        return ((RestClientTransport) client._transport()).restClient();
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable action) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, action).getMessage());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " exited with " + exit + ":\n" + output);
        }
    }
}
