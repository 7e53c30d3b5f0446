package dev.webhooksv3.bulkexport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority made at test time, once per JVM, with the JDK's own {@code keytool}: no
 * private key is ever committed, and no library beyond the JDK is needed.
 *
 * <p>It issues two server certificates: {@link #serverKeyStore()} for {@code localhost} and
 * {@code 127.0.0.1}, and {@link #mismatchedKeyStore()} for another name only. Each server key store
 * holds just its key and chain (a keystore with several keys would leave the choice to the
 * server's SNI matching); {@link #clientContext()} trusts the authority and nothing else.
 */
final class TestCertificates {

    static final String PASSWORD = "test-only-password";
    static final String MISMATCHED_NAME = "elsewhere.invalid";

    private static TestCertificates instance;

    private final Path serverKeyStore;
    private final Path mismatchedKeyStore;
    private final SSLContext clientContext;

    private TestCertificates(Path serverKeyStore, Path mismatchedKeyStore, SSLContext clientContext) {
        this.serverKeyStore = serverKeyStore;
        this.mismatchedKeyStore = mismatchedKeyStore;
        this.clientContext = clientContext;
    }

    /** The authority and its certificates, generated on first use (about a second per keytool run). */
    static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                instance = generate();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot generate the test certificates", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot generate the test certificates", e);
            }
        }
        return instance;
    }

    /** A PKCS12 key store (password {@link #PASSWORD}) for {@code localhost} and {@code 127.0.0.1}. */
    Path serverKeyStore() {
        return serverKeyStore;
    }

    /** A PKCS12 key store (password {@link #PASSWORD}) whose certificate names {@value #MISMATCHED_NAME} only. */
    Path mismatchedKeyStore() {
        return mismatchedKeyStore;
    }

    /** A client context that trusts the test authority only (not the JDK's default authorities). */
    SSLContext clientContext() {
        return clientContext;
    }

    private static TestCertificates generate() throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("test-ca");
        dir.toFile().deleteOnExit();
        Path ca = dir.resolve("ca.p12");
        keytool("-genkeypair", "-keystore", ca.toString(), "-alias", "ca", "-dname", "CN=Bulk export test CA",
                "-ext", "bc:c");
        // -signer needs the authority in the same key store: each leaf gets a copy, so both run at once.
        Path server = dir.resolve("server-work.p12");
        Path mismatched = dir.resolve("mismatched-work.p12");
        Files.copy(ca, server);
        Files.copy(ca, mismatched);
        List<Process> leaves = new ArrayList<>();
        leaves.add(start("-genkeypair", "-keystore", server.toString(), "-alias", "server", "-signer", "ca",
                "-signerkeypass", PASSWORD, "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1"));
        leaves.add(start("-genkeypair", "-keystore", mismatched.toString(), "-alias", "server", "-signer", "ca",
                "-signerkeypass", PASSWORD, "-dname", "CN=" + MISMATCHED_NAME, "-ext", "san=dns:" + MISMATCHED_NAME));
        for (Process leaf : leaves) {
            await(leaf);
        }
        KeyStore authority = load(ca);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", authority.getCertificate("ca"));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trustManagers.getTrustManagers(), null);
        return new TestCertificates(onlyTheServerKey(server, dir.resolve("server.p12")),
                onlyTheServerKey(mismatched, dir.resolve("mismatched.p12")), client);
    }

    private static Path onlyTheServerKey(Path work, Path target) throws IOException, GeneralSecurityException {
        KeyStore source = load(work);
        Key key = source.getKey("server", PASSWORD.toCharArray());
        Certificate[] chain = source.getCertificateChain("server");
        KeyStore only = KeyStore.getInstance("PKCS12");
        only.load(null, null);
        only.setKeyEntry("server", key, PASSWORD.toCharArray(), chain);
        try (OutputStream out = Files.newOutputStream(target)) {
            only.store(out, PASSWORD.toCharArray());
        }
        Files.delete(work);
        target.toFile().deleteOnExit();
        return target;
    }

    private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static void keytool(String... args) throws IOException {
        await(start(args));
    }

    private static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                // keytool is a short JVM run: the C1 compiler alone starts it faster.
                "-J-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD,
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close(); // a prompt meets end of input instead of waiting forever
        return process;
    }

    private static void await(Process process) throws IOException {
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
