package io.github.requestmerge.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.junit.jupiter.api.Test;

/** The privileges each component asks for, as the role a user pastes, and which TLS setting a handshake blames. */
class PrivilegesTest {

    @Test
    void sinkNeedsMonitorTemplatesAndWritingReadingItsIndex() {
        Privileges sink = Privileges.sink(List.of("requests"), true, true);
        assertEquals("{\"cluster\":[\"monitor\",\"manage_index_templates\"],\"indices\":[{\"names\":[\"requests\"],"
            + "\"privileges\":[\"create_index\",\"index\",\"read\",\"delete\"]}]}", sink.toRoleDescriptor().toString());
    }

    @Test
    void sinkThatInstallsNoTemplateAndKeepsTombstonesNeedsLess() {
        Privileges sink = Privileges.sink(List.of("requests-a", "requests-b"), false, false);
        assertEquals("{\"cluster\":[\"monitor\"],\"indices\":[{\"names\":[\"requests-a\",\"requests-b\"],"
            + "\"privileges\":[\"create_index\",\"index\",\"read\"]}]}", sink.toRoleDescriptor().toString());
    }

    @Test
    void verifyOnlyReads() {
        assertEquals("{\"cluster\":[\"monitor\"],\"indices\":[{\"names\":[\"requests\"],\"privileges\":[\"read\","
            + "\"view_index_metadata\"]}]}", Privileges.verify(List.of("requests")).toRoleDescriptor().toString());
    }

    @Test
    void replayManagesTheNewIndexAndTheAlias() {
        assertEquals("{\"cluster\":[\"monitor\",\"manage_index_templates\"],\"indices\":[{\"names\":[\"requests*\","
            + "\"requests-current\"],\"privileges\":[\"manage\",\"write\",\"read\"]}]}",
            Privileges.replay(List.of("requests*", "requests-current"), true).toRoleDescriptor().toString());
    }

    @Test
    void untrustedCertificateBlamesTheTrust() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed: unable to find valid "
            + "certification path to requested target");
        handshake.initCause(new CertificateException("PKIX path building failed"));
        assertEquals(ElasticErrors.TlsProblem.UNTRUSTED, ElasticErrors.tlsProblem(new IOException("bulk", handshake)));
    }

    @Test
    void hostNameOutsideTheCertificateBlamesTheUrl() {
        assertEquals(ElasticErrors.TlsProblem.HOST_NAME, ElasticErrors.tlsProblem(new SSLPeerUnverifiedException(
            "Host name '127.1' does not match the certificate subject provided by the peer (CN=node-1)")));
    }

    @Test
    void httpsToAPlainPortBlamesTheUrl() {
        assertEquals(ElasticErrors.TlsProblem.NOT_TLS, ElasticErrors.tlsProblem(
            new SSLException("Unrecognized SSL message, plaintext connection?")));
    }

    @Test
    void otherFailuresAreNoTlsProblem() {
        assertNull(ElasticErrors.tlsProblem(new IOException("Connection refused")));
        assertNull(ElasticErrors.tlsProblem(new SSLException("Connection reset")));
    }
}
