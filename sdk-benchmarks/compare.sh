#!/usr/bin/env bash
# Measures the SDK against plain tools from the same loopback server, in one go; run on a built
# tree (mvn -B -q -o package -DskipTests). Prints each side's best of $RUNS and the ratio.
#
#   sdk-benchmarks/compare.sh [EVENTS]      (default 400000 events, about 614 MB)
#
# download: curl -sS -L -o FILE of the export's download URL vs DownloadCompare (downloadExport
# into a file, SHA-256 and fsync included); both write to the same directory. With
# BASELINE_JAR=path/to/an/older/sdk-core.jar the older SDK is measured too, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-400000}
RUNS=${RUNS:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")
EMULATOR_JAR=$(ls sdk-testkit/target/sdk-testkit-*-standalone.jar)
BENCH_JAR=sdk-benchmarks/target/benchmarks.jar

java -jar "$EMULATOR_JAR" --port 0 --events "$EVENTS" --job-duration-ms 0 >"$WORK/emulator.log" 2>&1 &
EMULATOR=$!
trap 'kill $EMULATOR 2>/dev/null; wait $EMULATOR 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -q 'client secret' "$WORK/emulator.log" && break; sleep 0.2; done
field() { sed -nE "s/^  $1 +([^ ]+).*/\1/p" "$WORK/emulator.log"; }
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

best() { sort -n | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# The emulator's JIT warms up on a first download, so that no side pays for it.
curl -sS -H "Authorization: Bearer $TOKEN" -o /dev/null "$EXPORTS/$EXPORT/download"

# curl: best of RUNS, into a file as the SDK does.
CURL_TIMES=()
for _ in $(seq "$RUNS"); do
    rm -f "$WORK/curl.ndjson"
    CURL_TIMES+=("$(curl -sS -L -H "Authorization: Bearer $TOKEN" -o "$WORK/curl.ndjson" -w '%{time_total}' \
        "$EXPORTS/$EXPORT/download")")
done
CURL_S=$(printf '%s\n' "${CURL_TIMES[@]}" | best)
BYTES=$(stat -c %s "$WORK/curl.ndjson")
CURL_SHA=$(sha256sum "$WORK/curl.ndjson" | cut -d' ' -f1)
rm -f "$WORK/curl.ndjson"

sdk() { # [sdk-core jar to put first on the class path] -> "seconds bytes sha256"
    java -cp "${1:+$1:}$BENCH_JAR" dev.webhooksv3.bulkexport.benchmarks.DownloadCompare \
        --base-uri "$BASE" --customer "$CUSTOMER" --client-id "$CLIENT" --client-secret "$SECRET" \
        --subscription "$SUB" --export "$EXPORT" --target "$WORK/sdk.ndjson" --runs "$RUNS" 2>/dev/null
}
check() {
    [ "$3" = "$CURL_SHA" ] && [ "$2" = "$BYTES" ] \
        || { echo "SDK download differs from curl's ($2 bytes $3 vs $BYTES $CURL_SHA)" >&2; exit 1; }
}
mbs() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }
row() { printf '%-40s %10s %10s %7s\n' "$1" "$(mbs "$2")" "$(mbs "$3")" "$(ratio "$3" "$2")x"; }

read -r SDK_S SDK_BYTES SDK_SHA < <(sdk "")
check "$SDK_S" "$SDK_BYTES" "$SDK_SHA"
printf '%-40s %10s %10s %7s\n' "($((BYTES / 1000000)) MB, best of $RUNS)" 'SDK MB/s' 'ref MB/s' 'ratio'
row 'downloadExport vs curl -L' "$SDK_S" "$CURL_S"
if [ -n "${BASELINE_JAR:-}" ]; then
    read -r OLD_S OLD_BYTES OLD_SHA < <(sdk "$BASELINE_JAR")
    check "$OLD_S" "$OLD_BYTES" "$OLD_SHA"
    row "baseline downloadExport vs curl -L" "$OLD_S" "$CURL_S"
fi
