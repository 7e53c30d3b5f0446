package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate an {@linkplain WebhooksEmulator.Builder#https() https emulator} presents: made
 * once per JVM, self-signed, for {@code localhost}, {@code 127.0.0.1} and {@code ::1}.
 *
 * <p>The JDK has no public API that signs a certificate, and the testkit depends on nothing but
 * the JDK and sdk-core; so it runs the JDK's own {@code keytool} (about a second, once). The key
 * store lives on disk only for that run: its file is deleted as soon as it is read, and the private
 * key is never written anywhere else.
 */
final class EmulatorCertificate {

    private static EmulatorCertificate generated;

    private final SSLContext serverContext;
    private final SSLContext clientContext;
    private final X509Certificate certificate;

    private EmulatorCertificate(SSLContext serverContext, SSLContext clientContext, X509Certificate certificate) {
        this.serverContext = serverContext;
        this.clientContext = clientContext;
        this.certificate = certificate;
    }

    /**
     * Returns this JVM's certificate, generating it on first use.
     *
     * @throws IllegalStateException if keytool cannot make it
     */
    static synchronized EmulatorCertificate get() {
        if (generated == null) {
            try {
                generated = generate();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot generate the emulator's https certificate with keytool "
                        + "(pass a context of your own to WebhooksEmulator.Builder.https(SSLContext)): "
                        + e.getMessage(), e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot load the emulator's https certificate: " + e, e);
            }
        }
        return generated;
    }

    /** A context presenting the certificate, for the emulator's servers. */
    SSLContext serverContext() {
        return serverContext;
    }

    /** A context trusting this certificate and nothing else, for clients of the emulator. */
    SSLContext clientContext() {
        return clientContext;
    }

    /** The certificate in PEM, for tools such as {@code curl --cacert}. */
    String pem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the emulator's certificate", e);
        }
    }

    private static EmulatorCertificate generate() throws IOException, GeneralSecurityException {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        char[] password = Base64.getUrlEncoder().encodeToString(random).toCharArray();
        Path dir = Files.createTempDirectory("webhooks-emulator-tls");
        Path file = dir.resolve("emulator.p12");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try {
            keytool(new String(password), "-genkeypair", "-keystore", file.toString(), "-storetype", "PKCS12",
                    "-alias", "emulator", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "365",
                    "-dname", "CN=localhost, O=Webhooks v3 bulk export emulator",
                    "-ext", "san=dns:localhost,ip:127.0.0.1,ip:::1");
            try (InputStream in = Files.newInputStream(file)) {
                keys.load(in, password);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keyManagers.getKeyManagers(), null, null);

        X509Certificate certificate = (X509Certificate) keys.getCertificate("emulator");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("emulator", certificate);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trustManagers.getTrustManagers(), null);
        return new EmulatorCertificate(server, client, certificate);
    }

    private static void keytool(String password, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                // A short JVM run: the C1 compiler alone starts it faster.
                "-J-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(args));
        // The password goes through the environment, not the command line that other processes can list.
        command.addAll(List.of("-storepass:env", "EMULATOR_STORE_PASSWORD", "-keypass:env", "EMULATOR_STORE_PASSWORD"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("EMULATOR_STORE_PASSWORD", password);
        Process process = builder.start();
        process.getOutputStream().close(); // a prompt meets end of input instead of waiting forever
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(command.get(0) + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
