package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pre-signed storage origin that {@link Faults#redirectDownloads} sends downloads to, shaped
 * like S3: URLs carry {@code X-Amz-*} query parameters and an HMAC of the path and date under a
 * key made per emulator; they are valid for five minutes; errors are S3's XML; and a request that
 * also carries an {@code Authorization} header is refused, as S3 refuses two auth mechanisms.
 */
final class StorageOrigin {

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration PRESIGNED_VALIDITY = Duration.ofMinutes(5);

    private final String customerId;
    private final URI storageUri;
    private final ExportModel model;
    private final FileServer files;
    private final byte[] signingKey = new byte[32];

    StorageOrigin(String customerId, URI storageUri, ExportModel model, FileServer files) {
        this.customerId = customerId;
        this.storageUri = storageUri;
        this.model = model;
        this.files = files;
        new SecureRandom().nextBytes(signingKey);
    }

    /** An absolute URL on this origin for the job's file, signed at {@code now}. */
    String presignedUrl(String jobId, Instant now) {
        String date = AMZ_DATE.format(now);
        String credential = "AKIAEMULATOR0000000/" + date.substring(0, 8) + "/us-east-1/s3/aws4_request";
        String path = WebhooksEmulator.STORAGE_PATH_PREFIX + customerId + "/" + jobId + "/export.ndjson";
        return storageUri + path + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                + URLEncoder.encode(credential, StandardCharsets.UTF_8) + "&X-Amz-Date=" + date
                + "&X-Amz-Expires=" + PRESIGNED_VALIDITY.toSeconds() + "&X-Amz-SignedHeaders=host&X-Amz-Signature="
                + signature(path, date);
    }

    /** Answers any request to this origin. */
    void serve(Call call) throws IOException {
        call.drain();
        if (!call.method().equals("GET")) {
            s3Error(call, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
            return;
        }
        if (call.hasHeader("Authorization")) {
            s3Error(call, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                    + "parameter, Signature query string parameter or the Authorization header should be specified");
            return;
        }
        String path = call.path();
        Map<String, String> query = call.query();
        String date = query.get("X-Amz-Date");
        String[] seg = path.startsWith(WebhooksEmulator.STORAGE_PATH_PREFIX)
                ? path.substring(WebhooksEmulator.STORAGE_PATH_PREFIX.length() - 1).split("/", -1) : new String[0];
        if (seg.length != 4 || date == null
                || query.get("X-Amz-Credential") == null || query.get("X-Amz-Signature") == null
                || !MessageDigest.isEqual(signature(path, date).getBytes(StandardCharsets.US_ASCII),
                        query.get("X-Amz-Signature").getBytes(StandardCharsets.US_ASCII))) {
            s3Error(call, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                    + "signature you provided.");
            return;
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(date));
        } catch (RuntimeException e) {
            s3Error(call, 403, "AccessDenied", "X-Amz-Date is not a valid date");
            return;
        }
        if (call.now().isAfter(signedAt.plus(PRESIGNED_VALIDITY))) {
            s3Error(call, 403, "AccessDenied", "Request has expired");
            return;
        }
        ExportModel.Job job = model.job(call.now(), seg[2]);
        if (job == null || model.stateOf(call.now(), job) != ExportModel.State.COMPLETED) {
            s3Error(call, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        files.serve(call, job);
    }

    private String signature(String path, String date) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((path + "\n" + date).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    private static void s3Error(Call call, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        call.responseHeaders().set("Content-Type", "application/xml");
        call.respond(status, body.length);
        call.responseBody().write(body);
    }
}
