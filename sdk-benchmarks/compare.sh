#!/usr/bin/env bash
# Measures the SDK against plain tools and its own building blocks, from the same loopback server, in
# one go; run on a built tree (mvn -B -q -o install -DskipTests -Dinvoker.skip=true). Prints one table:
# a row per comparison (its name, the SDK's figure, the reference's, their ratio), each side's best of
# $RUNS, then a line describing the machine.
#
#   sdk-benchmarks/compare.sh [--quick] [EVENTS]
#
# EVENTS: the argument, else 20,000 with --quick (about 31 MB, under a minute), else $EVENTS, else
# 400,000 (about 614 MB). From the environment: RUNS (default 3), HEAP (the SDK sides' -Xmx, default
# -Xmx64m) and CAP (default 50m).
#
# Rows and their goals:
#   downloadExport vs curl -L: curl -sS -L -o FILE of the export's download URL vs DownloadCompare
#     (downloadExport into a file, SHA-256 and fsync included), both into the same directory; ratio =
#     SDK MB/s / curl MB/s, goal >= 0.9. With BASELINE_JAR=path/to/an/older/sdk-core.jar the older
#     SDK's download is measured too, in the same run.
#   downloadExport vs JDK HttpClient ofFile: JdkDownload (java.net.http, HTTP/1.1, BodyHandlers.ofFile:
#     no SHA-256, no fsync, no resume), the floor of any SDK on the JDK's client; no goal, it shows
#     what the SDK's guarantees cost over the client it is built on.
#   recoverFailedEvents (no-op) vs downloadExport: RecoveryCompare (the whole recovery of the same
#     export with a handler that does nothing, a fresh work directory each run) vs the download
#     above; ratio = recovery seconds / download seconds, goal <= 1.1. Fails unless every event of
#     the export was handled.
#   downloadExport: 4 connections vs 1 (DownloadRequest.withParallelism(4) against the first row's
#     download, goal >= 1.0), and the same against a second emulator that paces every connection to
#     $CAP bytes/s (default 50m; goal >= 3.0).
#   EventStream vs Jackson, and EventStream with createdAt() vs Jackson: ParseCompare over curl's copy
#     of the file (id, attempts, endpoint and JWS of every event; Jackson binds BaselineEvent with a
#     MappingIterator), one JVM, sides taking turns after a warm-up; ratio = EventStream MB/s /
#     Jackson MB/s, goal >= 1.0.
#   ListenerDelivery: 64 in flight vs 1, and vs the ideal: ListenerCompare (-Xmx128m, one run, its own
#     embedded emulator and a FakeListener answering in 20 ms) recovers 100,000 events into the listener
#     at concurrency 64 and 2,000 at concurrency 1 (5,000 and 200 with --quick), each rate counted from
#     the first event handed over; ratios = 64's events/s over 1's, and over 64 / 20 ms = 3,200/s,
#     goal >= 2,500/s (0.78x). Fails unless the listener accepted every event exactly once.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --quick ]; then
    shift
    EVENTS=${1:-20000}
    LISTENER_ARGS=(--events 5000 --sequential-events 200)
else
    EVENTS=${1:-${EVENTS:-400000}}
    LISTENER_ARGS=(--events 100000 --sequential-events 2000)
fi
RUNS=${RUNS:-3}
HEAP=${HEAP:--Xmx64m} # every SDK side runs in a small heap: bounded memory is part of the comparison
CAP=${CAP:-50m}       # the per-connection bandwidth of the parallel rows' second emulator
WORK=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")
EMULATOR_JAR=$(ls sdk-testkit/target/sdk-testkit-*-standalone.jar)
BENCH_JAR=sdk-benchmarks/target/benchmarks.jar
BENCH=dev.webhooksv3.bulkexport.benchmarks

EMULATORS=()
# wait reports an emulator's SIGTERM as 143, which set -e would take for a failure and leave $WORK behind.
trap 'kill "${EMULATORS[@]}" 2>/dev/null; wait "${EMULATORS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
emulator() { # NAME [FLAGS...]: starts a standalone emulator and a completed export on it; sets BASE, API,
             # CUSTOMER, SUB, CLIENT, SECRET, TOKEN, EXPORTS and EXPORT
    local name=$1; shift
    java -jar "$EMULATOR_JAR" --port 0 --events "$EVENTS" --job-duration-ms 0 "$@" >"$WORK/$name.log" 2>&1 &
    EMULATORS+=($!)
    for _ in $(seq 100); do grep -q 'client secret' "$WORK/$name.log" && break; sleep 0.2; done
    field() { sed -nE "s/^  $1 +([^ ]+).*/\1/p" "$WORK/$name.log"; }
    BASE=$(field 'base URI'); CUSTOMER=$(field 'customer id'); SUB=$(field 'subscription id')
    CLIENT=$(field 'client id'); SECRET=$(field 'client secret')
    API="$BASE/$CUSTOMER"; EXPORTS="$API/webhooks/subscriptions/$SUB/exports"
    TOKEN=$(curl -sS -u "$CLIENT:$SECRET" -d 'grant_type=client_credentials&scope=*:webhooks/**' "$API/login/token" \
        | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
    EXPORT=$(curl -sS -X POST -H "Authorization: Bearer $TOKEN" "$EXPORTS" | sed -E 's/.*"id":"([^"]+)".*/\1/')
    for _ in $(seq 600); do
        curl -sS -H "Authorization: Bearer $TOKEN" "$EXPORTS/$EXPORT" | grep -q '"state":"completed"' && break
        sleep 0.5
    done
    client_args=(--base-uri "$BASE" --customer "$CUSTOMER" --client-id "$CLIENT" --client-secret "$SECRET"
        --subscription "$SUB" --export "$EXPORT" --runs "$RUNS")
}
emulator emulator

best() { sort -n | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
fail() { echo "compare.sh: $*" >&2; exit 1; }
bench() { # NAME ARGS... -> the main's standard output; its standard error is shown only if it fails
    local name=$1; shift
    java "$HEAP" -cp "$BENCH_JAR" "$BENCH.$name" "$@" 2>"$WORK/$name.err" \
        || { cat "$WORK/$name.err" >&2; fail "$name failed"; }
}
# The emulator's JIT warms up on a first download, so that no side pays for it.
curl -sS -H "Authorization: Bearer $TOKEN" -o /dev/null "$EXPORTS/$EXPORT/download"

# curl: best of RUNS, into a file as the SDK does. Its last copy is kept for the parsing rows.
CURL_TIMES=()
for _ in $(seq "$RUNS"); do
    rm -f "$WORK/curl.ndjson"
    CURL_TIMES+=("$(curl -sS -L -H "Authorization: Bearer $TOKEN" -o "$WORK/curl.ndjson" -w '%{time_total}' \
        "$EXPORTS/$EXPORT/download")")
done
CURL_S=$(printf '%s\n' "${CURL_TIMES[@]}" | best)
BYTES=$(stat -c %s "$WORK/curl.ndjson")
CURL_SHA=$(sha256sum "$WORK/curl.ndjson" | cut -d' ' -f1)

sdk() { # [sdk-core jar to put first on the class path] [DownloadCompare options] -> "seconds bytes sha256"
    local jar=$1; shift
    java "$HEAP" -cp "${jar:+$jar:}$BENCH_JAR" "$BENCH.DownloadCompare" "${client_args[@]}" --target "$WORK/sdk.ndjson" "$@" \
        2>"$WORK/DownloadCompare.err" || { cat "$WORK/DownloadCompare.err" >&2; fail "DownloadCompare failed"; }
    rm -f "$WORK/sdk.ndjson"
}
check() { # WHAT BYTES SHA256
    [ "$3" = "$CURL_SHA" ] && [ "$2" = "$BYTES" ] \
        || fail "$1's file differs from curl's ($2 bytes $3 vs $BYTES $CURL_SHA)"
}
check_events() { # WHAT COUNT
    [ "$2" = "$EVENTS" ] || fail "$1 got $2 events, the export has $EVENTS"
}
mbs() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.0f MB/s", b / s / 1e6 }'; }
secs() { awk -v s="$1" 'BEGIN { printf "%.2f s", s }'; }
row() { printf '%-46s %12s %12s %7s\n' "$@"; }
speed_row() { row "$1" "$(mbs "$2")" "$(mbs "$3")" "$(ratio "$3" "$2")"; } # NAME SDK_S REF_S

# Each main's output is taken into a variable first: a failing command substitution in an assignment
# stops the script (set -e), one inside a here-string would not.
OUT=$(sdk ""); read -r SDK_S SDK_BYTES SDK_SHA <<<"$OUT"
check downloadExport "$SDK_BYTES" "$SDK_SHA"
OUT=$(bench JdkDownload --url "$EXPORTS/$EXPORT/download" --token "$TOKEN" --target "$WORK/jdk.ndjson" --runs "$RUNS")
read -r JDK_S JDK_BYTES <<<"$OUT"
[ "$JDK_BYTES" = "$BYTES" ] || fail "JdkDownload got $JDK_BYTES bytes of $BYTES"
if [ -n "${BASELINE_JAR:-}" ]; then
    OUT=$(sdk "$BASELINE_JAR"); read -r OLD_S OLD_BYTES OLD_SHA <<<"$OUT"
    check "baseline downloadExport" "$OLD_BYTES" "$OLD_SHA"
fi
OUT=$(bench RecoveryCompare "${client_args[@]}" --work-parent "$WORK")
read -r RECOVERY_S RECOVERY_BYTES RECOVERY_EVENTS RECOVERY_SHA <<<"$OUT"
check recoverFailedEvents "$RECOVERY_BYTES" "$RECOVERY_SHA"
check_events recoverFailedEvents "$RECOVERY_EVENTS"

# Parallel against one connection: on plain loopback (never slower, is the goal), then against a
# second emulator that paces each connection to $CAP bytes/s, as a real network does (goal >= 3x at 4).
OUT=$(sdk "" --parallelism 4); read -r PAR_S PAR_BYTES PAR_SHA <<<"$OUT"
check "downloadExport with 4 connections" "$PAR_BYTES" "$PAR_SHA"
emulator capped --bandwidth-per-connection "$CAP"
OUT=$(sdk "" --parallelism 1); read -r CAP1_S CAP1_BYTES CAP1_SHA <<<"$OUT"
OUT=$(sdk "" --parallelism 4); read -r CAP4_S CAP4_BYTES CAP4_SHA <<<"$OUT"
# Another emulator, whose file may differ from the first's (its clock dates the events): the two sides agree.
[ "$CAP4_SHA" = "$CAP1_SHA" ] && [ "$CAP4_BYTES" = "$CAP1_BYTES" ] \
    || fail "4 connections under the cap gave $CAP4_BYTES bytes $CAP4_SHA, 1 gave $CAP1_BYTES bytes $CAP1_SHA"
kill "${EMULATORS[@]:1}"; wait "${EMULATORS[@]:1}" 2>/dev/null || true # the parsing rows get the CPU to themselves

OUT=$(bench ParseCompare --file "$WORK/curl.ndjson" --runs "$RUNS")
read -r JACKSON_S STREAM_S STREAM_DATES_S PARSED_BYTES PARSED_EVENTS <<<"$OUT"
[ "$PARSED_BYTES" = "$BYTES" ] || fail "ParseCompare read $PARSED_BYTES bytes of a $BYTES-byte file"
check_events ParseCompare "$PARSED_EVENTS"

# The redelivery row: its own emulator and listener, in one JVM of 128 MB, once (the sequential side is slow).
OUT=$(HEAP=-Xmx128m bench ListenerCompare "${LISTENER_ARGS[@]}" --latency-ms 20 --concurrency 64)
read -r SEQ_EPS PAR_EPS SEQ_EVENTS PAR_EVENTS <<<"$OUT"
eps() { awk -v r="$1" 'BEGIN { printf "%.0f ev/s", r }'; }

row "($((BYTES / 1000000)) MB, $EVENTS events, best of $RUNS)" SDK ref ratio
speed_row 'downloadExport vs curl -L' "$SDK_S" "$CURL_S"
speed_row 'downloadExport vs JDK HttpClient ofFile' "$SDK_S" "$JDK_S"
if [ -n "${BASELINE_JAR:-}" ]; then
    speed_row 'baseline downloadExport vs curl -L' "$OLD_S" "$CURL_S"
fi
row 'recoverFailedEvents (no-op) vs downloadExport' "$(secs "$RECOVERY_S")" "$(secs "$SDK_S")" \
    "$(ratio "$RECOVERY_S" "$SDK_S")"
speed_row 'downloadExport: 4 connections vs 1' "$PAR_S" "$SDK_S"
speed_row "same, each connection capped at $CAP B/s" "$CAP4_S" "$CAP1_S"
speed_row 'EventStream vs Jackson MappingIterator' "$STREAM_S" "$JACKSON_S"
speed_row 'EventStream + createdAt() vs Jackson' "$STREAM_DATES_S" "$JACKSON_S"
row "ListenerDelivery: 64 in flight vs 1 (20 ms)" "$(eps "$PAR_EPS")" "$(eps "$SEQ_EPS")" "$(ratio "$PAR_EPS" "$SEQ_EPS")"
row "same, vs ideal 64 / 20 ms ($PAR_EVENTS/$SEQ_EVENTS ev)" "$(eps "$PAR_EPS")" "$(eps 3200)" "$(ratio "$PAR_EPS" 3200)"

CPU=$(sed -nE 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
printf 'machine: %s CPUs (%s), %s RAM, %s, Linux %s, load average %s at the end\n' "$(nproc)" \
    "${CPU:-model unknown}" "$RAM" "$(java -version 2>&1 | head -1)" "$(uname -r)" "$(cut -d' ' -f1 /proc/loadavg)"
