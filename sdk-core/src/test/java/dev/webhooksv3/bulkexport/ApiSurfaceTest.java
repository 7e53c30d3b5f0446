package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API is reviewed: this test lists every public type of the exported package and its
 * public and protected members, and fails on any change to the reviewed list below. When a change
 * is intended, review it (is the new name needed? could it be package-private or internal?) and
 * paste the list the failure prints (also written to {@code target/api-surface.txt}).
 */
class ApiSurfaceTest {

    private static final String REVIEWED = """
            record AccessToken
                equals(Object): boolean
                expiresAt(): java.time.Instant
                hashCode(): int
                new(String, java.time.Instant)
                toString(): java.lang.String
                value(): java.lang.String
            class ApiException : BulkExportException
                bodyExcerpt(): java.lang.String
                details(): java.util.Optional<java.lang.String>
                headers(): java.net.http.HttpHeaders
                method(): java.lang.String
                new(String, String, int, String, String, java.net.http.HttpHeaders, String, java.time.Duration)
                path(): java.lang.String
                retryAfter(): java.util.Optional<java.time.Duration>
                status(): int
                title(): java.util.Optional<java.lang.String>
            record AssessmentRequest
                equals(Object): boolean
                hashCode(): int
                maxEventsScanned(): int
                new(String, java.util.Optional<java.nio.file.Path>, int, int)
                redeliverThreshold(): int
                static DEFAULT_REDELIVER_THRESHOLD: int
                static of(String): AssessmentRequest
                subscriptionId(): java.lang.String
                toString(): java.lang.String
                withMaxEventsScanned(int): AssessmentRequest
                withRedeliverThreshold(int): AssessmentRequest
                withWorkDirectory(java.nio.file.Path): AssessmentRequest
                workDirectory(): java.util.Optional<java.nio.file.Path>
            class AuthenticationException : ApiException
                new(String, String, int, String, String, java.net.http.HttpHeaders, String, java.time.Duration)
            record AwaitOptions
                acceptAnyTerminalState(): boolean
                acceptingAnyTerminalState(): AwaitOptions
                deadline(): java.time.Duration
                equals(Object): boolean
                hashCode(): int
                initialDelay(): java.time.Duration
                maxPollInterval(): java.time.Duration
                minPollInterval(): java.time.Duration
                new(java.time.Duration, java.time.Duration, java.time.Duration, java.time.Duration, java.util.function.Consumer<ExportJob>, boolean)
                progressListener(): java.util.function.Consumer<ExportJob>
                static defaults(): AwaitOptions
                toString(): java.lang.String
                withDeadline(java.time.Duration): AwaitOptions
                withInitialDelay(java.time.Duration): AwaitOptions
                withPollInterval(java.time.Duration, java.time.Duration): AwaitOptions
                withProgressListener(java.util.function.Consumer<ExportJob>): AwaitOptions
            final class BulkExportClient.Builder
                baseUri(java.net.URI): BulkExportClient$Builder
                build(): BulkExportClient
                clientCredentials(String, String): BulkExportClient$Builder
                clock(java.time.Clock): BulkExportClient$Builder
                customerId(String): BulkExportClient$Builder
                exportPathStyle(ExportPathStyle): BulkExportClient$Builder
                httpClient(java.net.http.HttpClient): BulkExportClient$Builder
                region(String): BulkExportClient$Builder
                requestTimeout(java.time.Duration): BulkExportClient$Builder
                retryPolicy(RetryPolicy): BulkExportClient$Builder
                tokenProvider(TokenProvider): BulkExportClient$Builder
            final class BulkExportClient
                assessFailedEvents(AssessmentRequest): FailedEventsAssessment
                awaitExport(String, String, AwaitOptions): ExportJob
                cancelExport(String, String): ExportJob
                downloadExport(DownloadRequest): DownloadResult
                getEvent(String, String): StoredEvent
                getExport(String, String): ExportJob
                listEvents(EventQuery): java.util.stream.Stream<StoredEvent>
                listExports(String): ExportJobList
                openExport(String, String): java.io.InputStream
                recoverFailedEvents(RecoveryRequest, EventHandler): RecoveryResult
                redeliverEvent(String, String): StoredEvent
                redeliverEvents(String, java.util.List<String>, int): RedeliveryReport
                startExport(StartExportRequest): ExportJob
                static builder(): BulkExportClient$Builder
                static version(): java.lang.String
                streamEvents(String, String): EventStream
                streamEvents(String, String, EventStreamOptions): EventStream
                summary(String): EventSummary
                toString(): java.lang.String
            class BulkExportException : RuntimeException
                new(String, Throwable)
            class ConflictException : ApiException
                isTooManyActiveExports(): boolean
                new(String, String, int, String, String, java.net.http.HttpHeaders, String, java.time.Duration)
            class DailyExportLimitException : ConflictException
                getMessage(): java.lang.String
                new(ApiException, java.time.Instant, String)
                nextExportPossibleAt(): java.util.Optional<java.time.Instant>
            record DownloadProgress
                bytes(): long
                bytesPerSecond(): double
                elapsed(): java.time.Duration
                equals(Object): boolean
                hashCode(): int
                new(long, java.util.OptionalLong, double, java.time.Duration, java.util.Optional<java.time.Duration>, int)
                remaining(): java.util.Optional<java.time.Duration>
                resumes(): int
                toString(): java.lang.String
                totalBytes(): java.util.OptionalLong
            record DownloadRequest
                equals(Object): boolean
                exportId(): java.lang.String
                hashCode(): int
                new(String, String, java.nio.file.Path, boolean, java.util.function.Consumer<DownloadProgress>, int)
                parallelism(): int
                progressListener(): java.util.function.Consumer<DownloadProgress>
                resumePartial(): boolean
                static of(String, String, java.nio.file.Path): DownloadRequest
                subscriptionId(): java.lang.String
                target(): java.nio.file.Path
                toString(): java.lang.String
                withParallelism(int): DownloadRequest
                withProgressListener(java.util.function.Consumer<DownloadProgress>): DownloadRequest
                withResumePartial(boolean): DownloadRequest
            record DownloadResult
                attempts(): int
                bytes(): long
                elapsed(): java.time.Duration
                equals(Object): boolean
                hashCode(): int
                new(java.nio.file.Path, long, int, int, java.time.Duration, String)
                path(): java.nio.file.Path
                resumes(): int
                sha256(): java.lang.String
                toString(): java.lang.String
            interface EventHandler
                handle(FailedEvent): void
            record EventQuery
                after(): java.util.Optional<java.lang.String>
                before(): java.util.Optional<java.lang.String>
                equals(Object): boolean
                hashCode(): int
                new(String, java.util.Optional<EventState>, java.util.Optional<String>, java.util.Optional<String>, java.util.OptionalInt)
                pageSize(): java.util.OptionalInt
                state(): java.util.Optional<EventState>
                static MAX_PAGE_SIZE: int
                static failed(String): EventQuery
                static of(String): EventQuery
                subscriptionId(): java.lang.String
                toString(): java.lang.String
                withAfter(String): EventQuery
                withBefore(String): EventQuery
                withPageSize(int): EventQuery
                withState(EventState): EventQuery
            final class EventRejectedException : BulkExportException
                new(String, String, Throwable)
                reason(): java.lang.String
            final class EventState
                equals(Object): boolean
                hashCode(): int
                isKnown(): boolean
                static AWAITING_EXECUTING: EventState
                static AWAITING_RETRY: EventState
                static FAILURE: EventState
                static SUCCESS: EventState
                static of(String): EventState
                toString(): java.lang.String
                value(): java.lang.String
            final class EventStream : Iterable, AutoCloseable
                close(): void
                iterator(): java.util.Iterator<FailedEvent>
                malformedLines(): long
                position(): StreamPosition
                static of(java.io.InputStream): EventStream
                static of(java.io.InputStream, EventStreamOptions): EventStream
                static of(java.io.InputStream, StreamPosition, EventStreamOptions): EventStream
                static open(java.nio.file.Path): EventStream
                static open(java.nio.file.Path, EventStreamOptions): EventStream
                static open(java.nio.file.Path, StreamPosition, EventStreamOptions): EventStream
                stream(): java.util.stream.Stream<FailedEvent>
            enum EventStreamOptions.MalformedLinePolicy
                static FAIL: EventStreamOptions$MalformedLinePolicy
                static SKIP_AND_REPORT: EventStreamOptions$MalformedLinePolicy
                static valueOf(String): EventStreamOptions$MalformedLinePolicy
                static values(): EventStreamOptions$MalformedLinePolicy[]
            record EventStreamOptions
                equals(Object): boolean
                hashCode(): int
                malformedLineHandler(): java.util.function.Consumer<MalformedEventException>
                maxLineBytes(): int
                new(EventStreamOptions$MalformedLinePolicy, int, java.util.function.Consumer<MalformedEventException>)
                policy(): EventStreamOptions$MalformedLinePolicy
                static DEFAULT_MAX_LINE_BYTES: int
                static defaults(): EventStreamOptions
                static skipAndReport(java.util.function.Consumer<MalformedEventException>): EventStreamOptions
                toString(): java.lang.String
                withMaxLineBytes(int): EventStreamOptions
            record EventSummary
                equals(Object): boolean
                exportable(): long
                failed(): long
                hashCode(): int
                new(java.time.Instant, long, long, long, long, long)
                retrying(): long
                succeeded(): long
                toString(): java.lang.String
                total(): long
                updatedAt(): java.time.Instant
            class ExportFailedException : BulkExportException
                job(): ExportJob
                new(ExportJob)
            record ExportJob
                createdAt(): java.time.Instant
                equals(Object): boolean
                hashCode(): int
                id(): java.lang.String
                link(String): java.util.Optional<java.net.URI>
                links(): java.util.Map<java.lang.String, java.net.URI>
                new(String, java.time.Instant, java.time.Instant, ExportState, java.util.Map<String, java.net.URI>)
                state(): ExportState
                toString(): java.lang.String
                updatedAt(): java.time.Instant
            record ExportJobList
                equals(Object): boolean
                hashCode(): int
                jobs(): java.util.List<ExportJob>
                new(long, java.util.List<ExportJob>)
                toString(): java.lang.String
                total(): long
            enum ExportPathStyle
                static EVENTS_EXPORTS: ExportPathStyle
                static EXPORTS: ExportPathStyle
                static valueOf(String): ExportPathStyle
                static values(): ExportPathStyle[]
            final class ExportState
                equals(Object): boolean
                hashCode(): int
                isKnown(): boolean
                isTerminal(): boolean
                static CANCELED: ExportState
                static COMPLETED: ExportState
                static FAILED: ExportState
                static PROCESSING: ExportState
                static of(String): ExportState
                toString(): java.lang.String
                value(): java.lang.String
            class ExportWaitTimeoutException : BulkExportException
                elapsed(): java.time.Duration
                exportId(): java.lang.String
                lastState(): ExportState
                new(String, ExportState, java.time.Duration)
            final class FailedEvent
                attempts(): java.util.OptionalInt
                byteOffset(): long
                claims(): java.util.Map<java.lang.String, java.lang.Object>
                createdAt(): java.util.Optional<java.time.Instant>
                endpoint(): java.util.Optional<java.lang.String>
                eventId(): java.util.Optional<java.lang.String>
                eventTypes(): java.util.List<java.lang.String>
                issuedAt(): java.util.Optional<java.time.Instant>
                jws(): java.util.Optional<java.lang.String>
                lineNumber(): long
                occurredAt(): java.util.Optional<java.time.Instant>
                rawJson(): java.lang.String
                state(): java.util.Optional<java.lang.String>
                subject(): java.util.Optional<java.lang.String>
                toString(): java.lang.String
                updatedAt(): java.util.Optional<java.time.Instant>
            record FailedEventsAssessment.FailedInStore
                complete(): boolean
                count(): long
                equals(Object): boolean
                hashCode(): int
                new(long, boolean, java.util.Optional<java.time.Instant>, java.util.Optional<java.time.Instant>, long, java.util.List<String>)
                newest(): java.util.Optional<java.time.Instant>
                notExported(): long
                notExportedIds(): java.util.List<java.lang.String>
                oldest(): java.util.Optional<java.time.Instant>
                toString(): java.lang.String
            record FailedEventsAssessment.RecentExport
                equals(Object): boolean
                handled(): java.util.Optional<java.lang.Boolean>
                hashCode(): int
                job(): ExportJob
                new(ExportJob, java.util.Optional<Boolean>)
                toString(): java.lang.String
            enum FailedEventsAssessment.Recommendation
                static DOWNLOAD_EXISTING: FailedEventsAssessment$Recommendation
                static EXPORT: FailedEventsAssessment$Recommendation
                static NOTHING: FailedEventsAssessment$Recommendation
                static REDELIVER: FailedEventsAssessment$Recommendation
                static valueOf(String): FailedEventsAssessment$Recommendation
                static values(): FailedEventsAssessment$Recommendation[]
            record FailedEventsAssessment
                equals(Object): boolean
                failed(): FailedEventsAssessment$FailedInStore
                hashCode(): int
                new(FailedEventsAssessment$Recommendation, java.util.List<String>, EventSummary, FailedEventsAssessment$FailedInStore, java.util.List<FailedEventsAssessment$RecentExport>, java.util.Optional<java.time.Instant>)
                nextExportPossibleAt(): java.util.Optional<java.time.Instant>
                reasons(): java.util.List<java.lang.String>
                recentExports(): java.util.List<FailedEventsAssessment$RecentExport>
                recommendation(): FailedEventsAssessment$Recommendation
                summary(): EventSummary
                toString(): java.lang.String
            final class ListenerDelivery.Builder
                bodyFunction(java.util.function.Function<FailedEvent, String>): ListenerDelivery$Builder
                build(): ListenerDelivery
                header(String, String): ListenerDelivery$Builder
                httpClient(java.net.http.HttpClient): ListenerDelivery$Builder
                requestTimeout(java.time.Duration): ListenerDelivery$Builder
                retryPolicy(RetryPolicy): ListenerDelivery$Builder
            final class ListenerDelivery : EventHandler
                handle(FailedEvent): void
                static to(java.net.URI): ListenerDelivery$Builder
                toString(): java.lang.String
            final class MalformedEventException : BulkExportException
                byteOffset(): long
                excerpt(): java.lang.String
                lineNumber(): long
            class NotFoundException : ApiException
                new(String, String, int, String, String, java.net.http.HttpHeaders, String, java.time.Duration)
            class RateLimitedException : ApiException
                new(String, String, int, String, String, java.net.http.HttpHeaders, String, java.time.Duration)
            enum RecoveryProgress.Phase
                static AWAITING_EXPORT: RecoveryProgress$Phase
                static CHECKING_SUMMARY: RecoveryProgress$Phase
                static COMPLETED: RecoveryProgress$Phase
                static DOWNLOADING: RecoveryProgress$Phase
                static HANDLING_EVENTS: RecoveryProgress$Phase
                static NOTHING_TO_RECOVER: RecoveryProgress$Phase
                static STARTING_EXPORT: RecoveryProgress$Phase
                static WAITING_FOR_SLOT: RecoveryProgress$Phase
                static valueOf(String): RecoveryProgress$Phase
                static values(): RecoveryProgress$Phase[]
            record RecoveryProgress
                bytesDownloaded(): long
                bytesPerSecond(): double
                equals(Object): boolean
                eventsHandled(): long
                eventsPerSecond(): double
                exportId(): java.util.Optional<java.lang.String>
                hashCode(): int
                malformedLines(): long
                new(RecoveryProgress$Phase, java.util.Optional<String>, java.time.Duration, long, java.util.OptionalLong, double, long, java.util.OptionalLong, double, long, java.util.Optional<java.time.Duration>)
                phase(): RecoveryProgress$Phase
                phaseElapsed(): java.time.Duration
                remaining(): java.util.Optional<java.time.Duration>
                toString(): java.lang.String
                totalBytes(): java.util.OptionalLong
                totalEvents(): java.util.OptionalLong
            record RecoveryRequest
                await(): AwaitOptions
                concurrency(): int
                deadLetterAfter(): int
                equals(Object): boolean
                exportId(): java.util.Optional<java.lang.String>
                force(): boolean
                forced(): RecoveryRequest
                fsyncInterval(): java.time.Duration
                hashCode(): int
                malformedLineHandler(): java.util.function.Consumer<MalformedEventException>
                maxLineBytes(): int
                new(String, java.util.Optional<String>, java.nio.file.Path, boolean, java.time.Duration, AwaitOptions, java.time.Duration, int, int, java.util.function.Consumer<MalformedEventException>, java.util.function.Consumer<RecoveryProgress>, int, java.util.Optional<java.util.function.Function<FailedEvent, ?>>)
                orderingKey(): java.util.Optional<java.util.function.Function<FailedEvent, ?>>
                progressListener(): java.util.function.Consumer<RecoveryProgress>
                static MAX_CONCURRENCY: int
                static of(String, java.nio.file.Path): RecoveryRequest
                static ofExport(String, String, java.nio.file.Path): RecoveryRequest
                subscriptionId(): java.lang.String
                toString(): java.lang.String
                waitForFreeSlot(): java.time.Duration
                withAwait(AwaitOptions): RecoveryRequest
                withConcurrency(int): RecoveryRequest
                withDeadLettersAfter(int): RecoveryRequest
                withFsyncInterval(java.time.Duration): RecoveryRequest
                withMalformedLineHandler(java.util.function.Consumer<MalformedEventException>): RecoveryRequest
                withOrderingKey(java.util.function.Function<FailedEvent, ?>): RecoveryRequest
                withProgressListener(java.util.function.Consumer<RecoveryProgress>): RecoveryRequest
                withWaitForFreeSlot(java.time.Duration): RecoveryRequest
                workDirectory(): java.nio.file.Path
            record RecoveryResult
                bytes(): long
                deadLettered(): long
                elapsed(): java.time.Duration
                equals(Object): boolean
                eventsHandled(): long
                eventsHandledThisRun(): long
                exportId(): java.util.Optional<java.lang.String>
                file(): java.util.Optional<java.nio.file.Path>
                fileSha256(): java.util.Optional<java.lang.String>
                hashCode(): int
                malformedLines(): long
                new(java.util.Optional<String>, java.util.Optional<java.nio.file.Path>, java.util.Optional<String>, long, long, long, long, long, java.time.Duration, boolean)
                resumed(): boolean
                static nothingToRecover(java.time.Duration): RecoveryResult
                toString(): java.lang.String
            enum RedeliveryRefusedException.Reason
                static EVENT_NOT_FAILED: RedeliveryRefusedException$Reason
                static OTHER: RedeliveryRefusedException$Reason
                static SUBSCRIPTION_DISABLED: RedeliveryRefusedException$Reason
                static valueOf(String): RedeliveryRefusedException$Reason
                static values(): RedeliveryRefusedException$Reason[]
            final class RedeliveryRefusedException : ConflictException
                eventId(): java.lang.String
                new(String, String, int, String, String, java.net.http.HttpHeaders, String, java.time.Duration, String)
                reason(): RedeliveryRefusedException$Reason
            record RedeliveryReport.Item
                equals(Object): boolean
                event(): java.util.Optional<StoredEvent>
                eventId(): java.lang.String
                failure(): java.util.Optional<BulkExportException>
                hashCode(): int
                new(String, RedeliveryReport$Status, java.util.Optional<StoredEvent>, java.util.Optional<BulkExportException>)
                newState(): java.util.Optional<EventState>
                refusal(): java.util.Optional<RedeliveryRefusedException$Reason>
                status(): RedeliveryReport$Status
                toString(): java.lang.String
            enum RedeliveryReport.Status
                static FAILED: RedeliveryReport$Status
                static NOT_ATTEMPTED: RedeliveryReport$Status
                static REDELIVERED: RedeliveryReport$Status
                static REFUSED: RedeliveryReport$Status
                static valueOf(String): RedeliveryReport$Status
                static values(): RedeliveryReport$Status[]
            record RedeliveryReport
                count(RedeliveryReport$Status): int
                equals(Object): boolean
                hashCode(): int
                isComplete(): boolean
                items(): java.util.List<RedeliveryReport$Item>
                new(java.util.List<RedeliveryReport$Item>)
                toString(): java.lang.String
            record RetryPolicy
                equals(Object): boolean
                hashCode(): int
                initialBackoff(): java.time.Duration
                jitter(): double
                maxAttempts(): int
                maxBackoff(): java.time.Duration
                maxRetryAfter(): java.time.Duration
                new(int, java.time.Duration, java.time.Duration, java.time.Duration, double)
                static defaults(): RetryPolicy
                static none(): RetryPolicy
                toString(): java.lang.String
                withBackoff(java.time.Duration, java.time.Duration): RetryPolicy
                withJitter(double): RetryPolicy
                withMaxAttempts(int): RetryPolicy
                withMaxRetryAfter(java.time.Duration): RetryPolicy
            class ServerException : ApiException
                new(String, String, int, String, String, java.net.http.HttpHeaders, String, java.time.Duration)
            record StartExportRequest
                equals(Object): boolean
                hashCode(): int
                new(String, java.time.Duration)
                static of(String): StartExportRequest
                subscriptionId(): java.lang.String
                toString(): java.lang.String
                waitForFreeSlot(): java.time.Duration
                withWaitForFreeSlot(java.time.Duration): StartExportRequest
            record StoredEvent
                attempts(): java.util.OptionalInt
                createdAt(): java.util.Optional<java.time.Instant>
                endpoint(): java.util.Optional<java.lang.String>
                equals(Object): boolean
                exported(): java.util.Optional<java.lang.Boolean>
                hashCode(): int
                id(): java.lang.String
                links(): java.util.Map<java.lang.String, java.net.URI>
                new(String, EventState, java.util.Optional<java.time.Instant>, java.util.Optional<java.time.Instant>, java.util.OptionalInt, java.util.Optional<String>, java.util.Optional<Boolean>, java.util.Map<String, java.net.URI>)
                state(): EventState
                toString(): java.lang.String
                updatedAt(): java.util.Optional<java.time.Instant>
            record StreamPosition
                byteOffset(): long
                equals(Object): boolean
                hashCode(): int
                line(): long
                new(long, long)
                static START: StreamPosition
                toString(): java.lang.String
            interface TokenProvider
                invalidate(AccessToken): void
                static clientCredentials(java.net.URI, String, String): TokenProvider
                static of(String): TokenProvider
                token(): AccessToken
            class TransportException : BulkExportException
                isTransient(): boolean
                new(String, java.io.IOException)
            """;

    @Test
    void theModuleExportsOnlyTheApiPackage() {
        ModuleDescriptor descriptor = BulkExportClient.class.getModule().getDescriptor();
        assertEquals(Set.of("dev.webhooksv3.bulkexport"),
                descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }

    @Test
    void noCodeCanTurnOffCertificateOrHostnameChecks() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            offending = files.filter(file -> file.toString().endsWith(".java")).filter(file -> {
                try {
                    String code = Files.readString(file);
                    return code.contains("TrustManager") || code.contains("HostnameVerifier")
                            || code.contains("disableHostnameVerification") || code.contains("SSLContext");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
        }
        assertEquals(List.of(), offending, "TLS is the JDK's (or the injected HttpClient's): no trust-all switch");
    }

    @Test
    void thePublicApiIsTheReviewedOne() throws IOException, ClassNotFoundException {
        String actual = String.join("\n", surface()) + "\n";
        Files.writeString(Path.of("target", "api-surface.txt"), actual);
        assertEquals(REVIEWED, actual, "the public API changed: review it, then update REVIEWED in ApiSurfaceTest "
                + "with target/api-surface.txt");
    }

    private static List<String> surface() throws IOException, ClassNotFoundException {
        Path classes = Path.of("target", "classes", "dev", "webhooksv3", "bulkexport");
        List<String> lines = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(classes)) {
            files = list.filter(file -> file.toString().endsWith(".class")).sorted().toList();
        }
        for (Path file : files) {
            String simple = file.getFileName().toString().replace(".class", "");
            if (simple.equals("package-info") || simple.equals("module-info")) {
                continue;
            }
            Class<?> type = Class.forName("dev.webhooksv3.bulkexport." + simple);
            if (!isApi(type)) {
                continue;
            }
            lines.add(kind(type) + " " + name(type) + supertypes(type));
            for (String member : members(type)) {
                lines.add("    " + member);
            }
        }
        return lines;
    }

    private static boolean isApi(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static String kind(Class<?> type) {
        if (type.isRecord()) {
            return "record";
        }
        if (type.isEnum()) {
            return "enum";
        }
        if (type.isAnnotation()) {
            return "@interface";
        }
        if (type.isInterface()) {
            return "interface";
        }
        return (Modifier.isAbstract(type.getModifiers()) ? "abstract " : "")
                + (Modifier.isFinal(type.getModifiers()) ? "final " : "") + "class";
    }

    private static String name(Class<?> type) {
        return type.getName().substring("dev.webhooksv3.bulkexport.".length()).replace('$', '.');
    }

    private static String supertypes(Class<?> type) {
        List<String> names = new ArrayList<>();
        Class<?> parent = type.getSuperclass();
        if (parent != null && parent != Object.class && parent != Record.class && parent != Enum.class) {
            names.add(parent.getSimpleName());
        }
        Arrays.stream(type.getInterfaces()).map(Class::getSimpleName).forEach(names::add);
        return names.isEmpty() ? "" : " : " + String.join(", ", names);
    }

    private static List<String> members(Class<?> type) {
        List<String> members = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (visible(field.getModifiers()) && !field.isSynthetic()) {
                members.add((Modifier.isStatic(field.getModifiers()) ? "static " : "") + field.getName() + ": "
                        + field.getGenericType().getTypeName().replace("dev.webhooksv3.bulkexport.", ""));
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (visible(constructor.getModifiers()) && !constructor.isSynthetic()) {
                members.add("new" + parameters(constructor));
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (visible(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
                members.add((Modifier.isStatic(method.getModifiers()) ? "static " : "") + method.getName()
                        + parameters(method) + ": "
                        + method.getGenericReturnType().getTypeName().replace("dev.webhooksv3.bulkexport.", ""));
            }
        }
        members.sort(null);
        return members;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String parameters(Executable executable) {
        return Arrays.stream(executable.getGenericParameterTypes())
                .map(t -> t.getTypeName().replace("dev.webhooksv3.bulkexport.", "").replace("java.lang.", ""))
                .collect(Collectors.joining(", ", "(", ")"));
    }
}
