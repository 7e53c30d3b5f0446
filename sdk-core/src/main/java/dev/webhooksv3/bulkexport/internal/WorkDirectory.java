package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of the recoveries of one subscription in a work directory: per export job
 * {@code export-<id>.ndjson}, its {@code export-<id>.checkpoint} and {@code dead-letters-<id>.ndjson};
 * and {@code start-<subscription>.intent}, the time a start was about to be sent, so that a run
 * that crashed between sending it and writing the job's checkpoint finds the job it made.
 */
final class WorkDirectory {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.recovery");

    private final Path root;
    private final String subscriptionId;
    private final Clock clock;
    private final Duration fsyncInterval;

    WorkDirectory(Path root, String subscriptionId, Clock clock, Duration fsyncInterval) {
        this.root = root;
        this.subscriptionId = subscriptionId;
        this.clock = clock;
        this.fsyncInterval = fsyncInterval;
    }

    Path exportFile(String exportId) {
        return root.resolve("export-" + exportId + ".ndjson");
    }

    private Path checkpointFile(String exportId) {
        return root.resolve("export-" + exportId + ".checkpoint");
    }

    private Path intentFile() {
        return root.resolve("start-" + subscriptionId + ".intent");
    }

    DeadLetters deadLetters(String exportId) {
        return new DeadLetters(root, exportId);
    }

    Checkpoint checkpoint(String exportId, Optional<Checkpoint.State> prior) throws IOException {
        return Checkpoint.open(checkpointFile(exportId), prior, clock, fsyncInterval);
    }

    /** The checkpoint of one export, which must be of this subscription. */
    Optional<Checkpoint.State> load(String exportId) throws IOException {
        Optional<Checkpoint.State> state = Checkpoint.load(checkpointFile(exportId));
        if (state.isPresent() && !state.get().subscriptionId().equals(subscriptionId)) {
            throw new BulkExportException("checkpoint " + checkpointFile(exportId) + " is of subscription "
                    + state.get().subscriptionId() + ", not " + subscriptionId + ": export " + exportId
                    + " belongs to another subscription", null);
        }
        if (state.isPresent() && !state.get().exportId().equals(exportId)) {
            throw new BulkExportException("checkpoint " + checkpointFile(exportId) + " names export "
                    + state.get().exportId() + ", not " + exportId + ": it was renamed or copied", null);
        }
        return state;
    }

    /** The checkpoint files here, of any subscription, in name order. */
    private List<Path> checkpointFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(root, "export-*.checkpoint")) {
            found.forEach(files::add);
        }
        files.sort(null);
        return files;
    }

    /**
     * Recoveries an earlier run left unfinished. A checkpoint no slot of which can be read (a torn
     * first write) is skipped with a warning rather than stopping every recovery in the directory;
     * its export still counts as known, so that it is never adopted and handed over again.
     */
    List<Checkpoint.State> openCheckpoints() throws IOException {
        List<Checkpoint.State> open = new ArrayList<>();
        for (Path file : checkpointFiles()) {
            try {
                Checkpoint.load(file).filter(state -> state.subscriptionId().equals(subscriptionId))
                        .filter(Checkpoint.State::isOpen).ifPresent(open::add);
            } catch (BulkExportException unreadable) {
                LOG.warn("skipping {}: {}", file, unreadable.getMessage());
            }
        }
        return open;
    }

    /**
     * Every export a checkpoint file here names, whatever its phase, readable or not; but for a blank
     * file: a run killed between creating it and writing its first record (the file is mapped, and
     * its length forced, first) handled nothing of that export, and the export must not pass for
     * handled, or no run would ever take it up.
     */
    Set<String> knownExports() throws IOException {
        Set<String> known = new HashSet<>();
        for (Path file : checkpointFiles()) {
            if (isBlank(file)) {
                continue;
            }
            String name = file.getFileName().toString();
            known.add(name.substring("export-".length(), name.length() - ".checkpoint".length()));
        }
        return known;
    }

    private static boolean isBlank(Path checkpoint) throws IOException {
        try {
            return Checkpoint.load(checkpoint).isEmpty();
        } catch (BulkExportException unreadable) {
            return false; // records that fail their check: something was written, so something was handled
        }
    }

    /** When a start was about to be sent by a run that did not record its job. */
    Optional<Instant> startedAt() throws IOException {
        Path file = intentFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (DateTimeParseException unreadable) {
            throw new BulkExportException("start intent " + file + " is unreadable; delete it if no export was "
                    + "started by the run that wrote it", unreadable);
        }
    }

    /** Durably notes that a start is about to be sent. */
    void rememberStart(Instant at) throws IOException {
        Path file = intentFile();
        Path temporary = root.resolve(file.getFileName() + ".tmp");
        Files.writeString(temporary, at.toString(), StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Disk.forceDirectory(root);
    }

    /** The start's job has its checkpoint now. */
    void forgetStart() throws IOException {
        Files.deleteIfExists(intentFile());
    }
}
