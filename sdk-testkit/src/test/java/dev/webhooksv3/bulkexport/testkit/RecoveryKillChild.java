package dev.webhooksv3.bulkexport.testkit;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link RecoveryKillTest}: one recovery, as an application would run it, whose
 * handler appends each event id to an "acknowledged" file before returning. The parent kills it
 * with SIGKILL and starts it again; this class does nothing to survive that beyond what the SDK
 * does.
 *
 * <p>Arguments: base URI, customer id, subscription id, client id, recovery work directory,
 * acknowledged file, parent pid, and whether to force each acknowledgement to disk. The client
 * secret comes from the environment ({@value #SECRET_VARIABLE}), never the command line, where
 * {@code ps} would show it. Prints {@code phase NAME} on each phase change (the parent aims its
 * kills with these) and exits 0 when the recovery completes, 1 if it throws.
 */
final class RecoveryKillChild {

    static final String SECRET_VARIABLE = "WEBHOOKS_CLIENT_SECRET";

    private RecoveryKillChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: RecoveryKillChild baseUri customerId subscriptionId clientId workDir "
                    + "acknowledgedFile parentPid fsync concurrency");
            System.exit(2);
        }
        exitWhenParentDies(Long.parseLong(args[6]));
        String secret = System.getenv(SECRET_VARIABLE);
        BulkExportClient client = BulkExportClient.builder()
                .baseUri(URI.create(args[0]))
                .customerId(args[1])
                .clientCredentials(args[3], secret)
                .build();
        AtomicReference<RecoveryProgress.Phase> lastPhase = new AtomicReference<>();
        RecoveryRequest request = RecoveryRequest.of(args[2], Path.of(args[4]))
                .withAwait(AwaitOptions.defaults().withPollInterval(Duration.ofMillis(20), Duration.ofMillis(100))
                        .withDeadline(Duration.ofMinutes(2)))
                .withConcurrency(Integer.parseInt(args[8]))
                .withProgressListener(progress -> {
                    if (lastPhase.getAndSet(progress.phase()) != progress.phase()) {
                        System.out.println("phase " + progress.phase());
                    }
                });
        boolean fsync = Boolean.parseBoolean(args[7]);
        try (FileChannel acknowledged = openForAppend(Path.of(args[5]))) {
            RecoveryResult result = client.recoverFailedEvents(request, event -> {
                ByteBuffer line = ByteBuffer.wrap((event.eventId().orElseThrow() + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
                // One unbuffered write(2) per id (appends are atomic, whatever thread): once it returns, the bytes are in the kernel's page
                // cache, which outlives a SIGKILL of this process, so an id is in the file iff this
                // handler returned or was about to. Forcing to disk guards against a machine crash
                // too, which this test does not simulate; it costs ~1 ms per event on ext4.
                while (line.hasRemaining()) {
                    acknowledged.write(line);
                }
                if (fsync) {
                    acknowledged.force(false);
                }
            });
            System.out.println("done handled=" + result.eventsHandled() + " thisRun=" + result.eventsHandledThisRun()
                    + " resumed=" + result.resumed());
        } catch (RuntimeException e) {
            e.printStackTrace(System.out);
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * Opens the file for appending, first cutting a last line without its line break: that id's
     * write was cut by the kill (possible in principle, if the write spanned a page boundary), so
     * its handler had not returned; the SDK hands the event over again, and it is written whole.
     */
    private static FileChannel openForAppend(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long size = channel.size();
        long keep = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (keep > 0) {
            one.clear();
            channel.read(one, keep - 1);
            if (one.get(0) == '\n') {
                break;
            }
            keep--;
        }
        if (keep != size) {
            System.out.println("cut a partial last line of " + (size - keep) + " bytes from " + file);
            channel.truncate(keep);
        }
        channel.position(keep);
        return channel;
    }

    /** A child outliving a crashed test JVM would hold the emulator's job and the work directory. */
    private static void exitWhenParentDies(long parentPid) {
        ProcessHandle.of(parentPid).ifPresentOrElse(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)),
                () -> Runtime.getRuntime().halt(3));
    }
}
