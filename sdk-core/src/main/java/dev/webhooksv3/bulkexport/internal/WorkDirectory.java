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

/**
 * The files of the recoveries of one subscription in a work directory: per export job
 * {@code export-<id>.ndjson}, its {@code export-<id>.checkpoint} and {@code dead-letters-<id>.ndjson};
 * and {@code start-<subscription>.intent}, the time a start was about to be sent, so that a run
 * that crashed between sending it and writing the job's checkpoint finds the job it made.
 */
final class WorkDirectory {

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

    /** The checkpoints of this subscription's exports, in file-name order. */
    private List<Checkpoint.State> all() throws IOException {
        List<Checkpoint.State> states = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(root, "export-*.checkpoint")) {
            found.forEach(files::add);
        }
        files.sort(null);
        for (Path file : files) {
            Checkpoint.load(file).filter(state -> state.subscriptionId().equals(subscriptionId)).ifPresent(states::add);
        }
        return states;
    }

    /** Recoveries an earlier run left unfinished. */
    List<Checkpoint.State> openCheckpoints() throws IOException {
        return all().stream().filter(Checkpoint.State::isOpen).toList();
    }

    /** Every export a checkpoint here knows, whatever its phase. */
    Set<String> knownExports() throws IOException {
        Set<String> known = new HashSet<>();
        all().forEach(state -> known.add(state.exportId()));
        return known;
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
