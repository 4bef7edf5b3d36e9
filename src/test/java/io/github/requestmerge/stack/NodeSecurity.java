package io.github.requestmerge.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.github.requestmerge.stack.ElasticsearchNode.Credentials;
import io.github.requestmerge.stack.StackParts.StackException;

/**
 * What makes a node secured, prepared in its config folder before the first start: a CA made for
 * this node alone and an HTTPS certificate it signed (for {@code IP:127.0.0.1} and
 * {@code DNS:localhost}), random passwords, and the marker the node's launcher reads
 * ({@code loopback-security.properties}: the {@code elastic} user's bootstrap password and the
 * file-realm users, which the launcher hashes with bcrypt). The certificates are made with the
 * JDK's keytool; the node reads them as PEM.
 *
 * <p>Immutable once made; safe to use from any thread.
 */
final class NodeSecurity {

    /** The file the node's launcher looks for (see LoopbackSecurity in src/stack/elasticsearch-common). */
    static final String MARKER = "loopback-security.properties";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path caCertificate;
    private final Credentials elastic;
    private final Credentials admin;
    private final Credentials noRoles;
    private final SSLContext sslContext;

    private NodeSecurity(Path caCertificate, Credentials elastic, Credentials admin, Credentials noRoles) {
        this.caCertificate = caCertificate;
        this.elastic = elastic;
        this.admin = admin;
        this.noRoles = noRoles;
        this.sslContext = trusting(caCertificate);
    }

    /** Writes the certificates, key and users of a secured node to {@code config}. */
    static NodeSecurity prepare(Path config, Path log) {
        try {
            Files.createDirectories(config);
            writeCertificates(config, log);
            Credentials elastic = new Credentials("elastic", password());
            Credentials admin = new Credentials("admin", password());
            Credentials noRoles = new Credentials("no-roles", password());
            Properties marker = new Properties();
            marker.setProperty("bootstrap.password", elastic.password());
            marker.setProperty("users", admin.username() + "," + noRoles.username());
            marker.setProperty("user." + admin.username() + ".password", admin.password());
            marker.setProperty("user." + admin.username() + ".roles", "superuser");
            marker.setProperty("user." + noRoles.username() + ".password", noRoles.password());
            marker.setProperty("user." + noRoles.username() + ".roles", "");
            try (Writer writer = Files.newBufferedWriter(config.resolve(MARKER), StandardCharsets.UTF_8)) {
                marker.store(writer, "Read by the loopback node at every start: it runs secured while this file exists");
            }
            return new NodeSecurity(config.resolve("ca.crt"), elastic, admin, noRoles);
        } catch (IOException e) {
            throw new StackException("Elasticsearch: cannot write the security files to " + config + " ("
                + e.getMessage() + ")", e);
        }
    }

    /**
     * A CA and a certificate it signs for the node's HTTPS, made with keytool: {@code ca.crt},
     * {@code http.crt} (the node's certificate, then the CA's) and {@code http.key} (PKCS#8 PEM), in
     * {@code config}; the keystores keytool needs on the way are deleted.
     */
    private static void writeCertificates(Path config, Path log) throws IOException {
        String storePassword = password();
        Path caStore = config.resolve("ca.p12");
        Path httpStore = config.resolve("http.p12");
        Path request = config.resolve("http.csr");
        Path signed = config.resolve("http-only.crt");
        keytool(log, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
            "-dname", "CN=request-merge stack CA", "-ext", "bc:c", "-keystore", caStore.toString(),
            "-storetype", "PKCS12", "-storepass", storePassword);
        keytool(log, "-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", storePassword,
            "-file", config.resolve("ca.crt").toString());
        keytool(log, "-genkeypair", "-alias", "http", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
            "-dname", "CN=localhost", "-keystore", httpStore.toString(), "-storetype", "PKCS12",
            "-storepass", storePassword);
        keytool(log, "-certreq", "-alias", "http", "-keystore", httpStore.toString(), "-storepass", storePassword,
            "-file", request.toString());
        keytool(log, "-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", storePassword,
            "-validity", "3650", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "KU=digitalSignature,keyEncipherment",
            "-ext", "EKU=serverAuth", "-infile", request.toString(), "-outfile", signed.toString());
        Files.writeString(config.resolve("http.crt"), Files.readString(signed, StandardCharsets.US_ASCII).trim() + "\n"
            + Files.readString(config.resolve("ca.crt"), StandardCharsets.US_ASCII).trim() + "\n", StandardCharsets.US_ASCII);
        try (InputStream in = Files.newInputStream(httpStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, storePassword.toCharArray());
            Key key = store.getKey("http", storePassword.toCharArray());
            // PKCS#8, which PEM calls "PRIVATE KEY" and the node reads as is.
            Files.writeString(config.resolve("http.key"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new StackException("Elasticsearch: cannot read the key keytool made in " + httpStore + " ("
                + e.getMessage() + ")", e);
        }
        for (Path scratch : List.of(caStore, httpStore, request, signed)) {
            Files.delete(scratch);
        }
    }

    private static void keytool(Path log, String... arguments) {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "keytool")
            .toString(), "-noprompt"));
        command.addAll(List.of(arguments));
        StackParts.run("Elasticsearch (keytool " + arguments[0] + ")", log, command.toArray(new String[0]));
    }

    private static String password() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @return TLS trusting exactly the certificate in {@code caCertificate} */
    private static SSLContext trusting(Path caCertificate) {
        try (InputStream in = Files.newInputStream(caCertificate)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", ca);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new StackException("Elasticsearch: cannot trust the CA in " + caCertificate + " (" + e.getMessage() + ")",
                e);
        }
    }

    Path caCertificate() {
        return caCertificate;
    }

    Credentials elastic() {
        return elastic;
    }

    Credentials admin() {
        return admin;
    }

    Credentials noRoles() {
        return noRoles;
    }

    SSLContext sslContext() {
        return sslContext;
    }
}
