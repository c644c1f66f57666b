#!/usr/bin/env bash
# Fuzzes the S3 API's parsers (SigV4, SigV2, aws-chunked bodies, POST
# policies, XML request bodies, bucket configurations, SSE headers and stored
# encryption parameters, ACLs and bucket policies) and the full-object
# checksum combine, K2V's causality tokens, items, index and seen markers,
# and the K2V API's batch bodies, for TIME each
# (default 8s).
# Their committed seed corpora run as plain tests in `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."
time="${1:-8s}"
for target in \
    "./node/s3/sigv4 FuzzParseAuthorization" "./node/s3/sigv4 FuzzChunkedReader" \
    "./node/s3/sigv2 FuzzParse" \
    "./node/s3/postpolicy FuzzPostPolicy" \
    "./node/s3/s3xml FuzzParseDelete" "./node/s3/s3xml FuzzParseCompleteMultipart" "./node/s3/s3xml FuzzParseCreateBucket" \
    "./node/s3/bucketcfg FuzzParseCORS" "./node/s3/bucketcfg FuzzParseWebsite" "./node/s3/bucketcfg FuzzParseLifecycle" \
    "./node/s3/bucketcfg FuzzParseEncryption" "./node/s3/sse FuzzParseCustomerKey" "./node/s3/sse FuzzParseParams" \
    "./node/s3/acl FuzzParseACL" "./node/s3/policy FuzzParse" "./node/checksum FuzzFullObjectOf" \
    "./node/k2v FuzzParseToken" "./node/k2v FuzzDecodeItem" "./node/k2v FuzzDecodeIndex" "./node/k2v FuzzParseMarker" \
    "./node/runtime/k2vapi FuzzInsertBatchBody" "./node/runtime/k2vapi FuzzReadBatchBody" \
    "./node/runtime/k2vapi FuzzDeleteBatchBody" "./node/runtime/k2vapi FuzzPollRangeBody"; do
    set -- $target
    out=$(mktemp)
    # Go's fuzzing engine sometimes ends a run on a loaded machine with
    # "context deadline exceeded" and no failing input: its workers stopped
    # late, nothing was found. Such a run is tried again, up to three times
    # in all; a real finding (a failing input written) fails at once.
    for attempt in 1 2 3; do
        if go test -run '^$' -fuzz "^$2\$" -fuzztime "$time" -fuzzminimizetime 2s "$1" 2>&1 | tee "$out"; then
            break
        fi
        if grep -q 'Failing input written' "$out" || ! grep -q 'context deadline exceeded' "$out" || [ "$attempt" = 3 ]; then
            exit 1
        fi
        echo "fuzz-s3: $2 stopped on the engine's deadline, no input failed; running it again"
    done
    rm -f "$out"
done
