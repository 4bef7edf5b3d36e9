package io.github.requestmerge.elastic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Tells whether a node given with an {@code http://} URL speaks TLS on that port: a node with TLS
 * on its HTTP layer closes a plain-text connection without a word, which looks like a node that went
 * away, so validation asks the port for a TLS handshake to tell the user which scheme to use. No
 * request and no credentials are sent: a certificate the JVM does not trust ends the handshake, and
 * counts as "speaks TLS" like a completed one. Stateless and thread-safe.
 */
final class TlsSniff {

    private static final int TIMEOUT_MS = 3000;

    private TlsSniff() {
    }

    /** @return true when the first URL's host and port answer a TLS handshake */
    static boolean speaksTls(List<URI> urls) {
        URI url = urls.get(0);
        int port = url.getPort() >= 0 ? url.getPort() : 80;
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(url.getHost(), port), TIMEOUT_MS);
            plain.setSoTimeout(TIMEOUT_MS);
            SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
            try (SSLSocket tls = (SSLSocket) factory.createSocket(plain, url.getHost(), port, false)) {
                tls.startHandshake();
                return true;
            }
        } catch (SSLHandshakeException e) {
            // The server sent a certificate chain the JVM does not trust: it speaks TLS.
            String message = String.valueOf(e.getMessage());
            return message.contains("PKIX") || message.contains("certificate") || e.getCause() instanceof
                java.security.cert.CertificateException;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
