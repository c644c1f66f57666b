#!/usr/bin/env bash
# S3 smoke test: starts `garage serve` on its embedded single-node default in
# a temporary directory and drives three real clients against it — the aws
# cli, s3cmd and rclone — through put, list, get, compare, sync and delete of
# 2 KiB, 5 MiB and 20 MiB random files under keys with spaces and non-ASCII
# characters. One PASS or FAIL line per tool and step; a failure shows the
# client command, its output and the server's log lines of that step. Exits
# non-zero on any failure. The clients come from .ci/install-s3-clients.sh.
#
# Usage: .ci/s3-smoke.sh [path/to/garage]   (default: go build ./cmd/garage)
# Environment: S3_SMOKE_AWS (the aws program to use, if it works),
# S3_SMOKE_LOG_LEVEL (the node's log level, default debug),
# S3_SMOKE_KEEP=1 (keep the temporary directory even when everything passed).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# Nothing ambient may leak into the clients or the server: the machine sets
# AWS_CA_BUNDLE (which rclone fails to load for a plain-HTTP endpoint), and
# GARAGE_* or RCLONE_* variables would change what the node or rclone do.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(AWS_|GARAGE_|RCLONE_|S3CMD)')

SERVER_WAIT=30    # seconds for the node to come up
CLIENT_TIMEOUT=180 # seconds for any one client command
STOP_WAIT=15      # seconds for the node to stop on SIGTERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/s3-smoke.XXXXXX")
server_pid=""
pass=0
fail=0

stop_server() {
    [ -n "$server_pid" ] || return 0
    local pid=$server_pid i
    server_pid=""
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < STOP_WAIT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "node did not stop within ${STOP_WAIT}s of SIGTERM: killing it"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 1
    fi
    wait "$pid" 2>/dev/null
}

cleanup() {
    stop_server
    if [ "$fail" -gt 0 ] || [ "${S3_SMOKE_KEEP:-}" = 1 ]; then
        echo "kept $tmp (node log: $tmp/server.log)"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# quote prints a command line that can be pasted back into a shell.
quote() {
    local a out=""
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
    done
    printf '%s' "${out% }"
}

# run logs a client command (to stderr, which the step records) and runs it,
# bounded by CLIENT_TIMEOUT.
run() {
    echo "\$ $(quote "$@")" >&2
    timeout -k 5 "$CLIENT_TIMEOUT" "$@"
}

# step TOOL WHAT CMD...: runs CMD (a function or a program) with its output
# recorded, and prints PASS or FAIL; on FAIL, the commands it ran, their
# output and the server's log lines written meanwhile.
step() {
    local tool=$1 what=$2 out="$tmp/step.out" logpos rc t0 took
    shift 2
    if [ "$tool" != node ] && ! kill -0 "$server_pid" 2>/dev/null; then
        fail=$((fail + 1))
        printf 'FAIL  %-6s  %s: the node has exited; its last log lines:\n' "$tool" "$what"
        tail -n 40 "$tmp/server.log" | sed 's/^/        node| /'
        echo "s3-smoke: $pass passed, $fail failed (stopped: the node is gone)"
        exit 1
    fi
    logpos=$(stat -c %s "$tmp/server.log" 2>/dev/null || echo 0)
    t0=${EPOCHREALTIME/[.,]/}
    "$@" >"$out" 2>&1
    rc=$?
    took=$(( (${EPOCHREALTIME/[.,]/} - t0) / 100000 ))
    took="$((took / 10)).$((took % 10)) s"
    { echo "=== $tool: $what (exit status $rc, $took)"; cat "$out"; } >>"$tmp/clients.log"
    if [ "$rc" = 0 ]; then
        pass=$((pass + 1))
        printf 'PASS  %-6s  %s (%s)\n' "$tool" "$what" "$took"
        return 0
    fi
    fail=$((fail + 1))
    printf 'FAIL  %-6s  %s (exit status %d, %s)\n' "$tool" "$what" "$rc" "$took"
    tail -n 60 "$out" | sed 's/^/        | /'
    local log
    log=$(tail -c +"$((logpos + 1))" "$tmp/server.log" 2>/dev/null | tail -n 40)
    if [ -n "$log" ]; then
        echo "        node log during the step (last 40 lines):"
        printf '%s\n' "$log" | sed 's/^/        node| /'
    fi
    return "$rc"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- the clients --------------------------------------------------------------

# aws: whichever works of the one on PATH (a pyenv shim is resolved to the
# real program) and Debian's /usr/bin/aws.
AWS=""
for c in ${S3_SMOKE_AWS:-} "$(command -v aws 2>/dev/null)" /usr/bin/aws; do
    if [ -z "$c" ] || [ ! -x "$c" ]; then continue; fi
    case "$c" in
    */.pyenv/shims/*)
        real=$("${c%/shims/*}/libexec/pyenv" which aws 2>/dev/null) && "$real" --version >/dev/null 2>&1 && c=$real ;;
    esac
    if "$c" --version >/dev/null 2>&1; then AWS=$c; break; fi
done
S3CMD=$(command -v s3cmd 2>/dev/null)
RCLONE=$(command -v rclone 2>/dev/null)
missing=""
[ -n "$AWS" ] || missing+=" aws"
[ -n "$S3CMD" ] || missing+=" s3cmd"
[ -n "$RCLONE" ] || missing+=" rclone"
if [ -n "$missing" ]; then
    echo "FAIL  setup   clients missing:$missing (install them with .ci/install-s3-clients.sh)"
    fail=1
    exit 1
fi
echo "aws:    $AWS ($("$AWS" --version 2>&1 | head -n1))"
echo "s3cmd:  $S3CMD ($("$S3CMD" --version 2>&1 | head -n1))"
echo "rclone: $RCLONE ($("$RCLONE" version 2>&1 | head -n1))"

# --- the node -------------------------------------------------------------------

if [ $# -ge 1 ]; then
    GARAGE=$(realpath "$1")
else
    GARAGE="$tmp/garage"
    echo "building $GARAGE"
    if ! go build -o "$GARAGE" ./cmd/garage; then
        echo "FAIL  setup   go build ./cmd/garage"
        fail=1
        exit 1
    fi
fi

data="$tmp/data"
# The embedded default binds 127.0.0.1:3900 (S3), 3901 (RPC) and 3903
# (admin). If one is taken, write the default's garage.toml beforehand (as
# `garage serve` would, see writeDefaultConfig) with ports that are free.
busy=""
for p in 3900 3901 3903; do port_busy "$p" && busy+=" $p"; done
if [ -n "$busy" ]; then
    for base in $(seq 39100 10 39900); do
        port_busy "$base" || port_busy "$((base + 1))" || port_busy "$((base + 3))" || break
    done
    echo "NOTE  in use on 127.0.0.1:$busy; the node gets $base (S3), $((base + 1)) (RPC), $((base + 3)) (admin)"
    mkdir -p "$data" && chmod 700 "$data"
    cat >"$data/garage.toml" <<EOF
# Written by "garage serve" for the embedded single-node default.
metadata_dir = "$data/meta"
data_dir = "$data/data"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$((base + 1))"
rpc_secret = "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"

[s3_api]
api_bind_addr = "127.0.0.1:$base"
s3_region = "garage"

[admin]
api_bind_addr = "127.0.0.1:$((base + 3))"
EOF
    chmod 600 "$data/garage.toml"
fi

: >"$tmp/server.log"
echo "starting: $(quote "$GARAGE" --log-level "${S3_SMOKE_LOG_LEVEL:-debug}" serve --data-dir "$data")"
"$GARAGE" --log-level "${S3_SMOKE_LOG_LEVEL:-debug}" serve --data-dir "$data" >"$tmp/server.out" 2>"$tmp/server.log" </dev/null &
server_pid=$!

# wait_server waits until the node has printed its credentials and answers
# HTTP on its S3 endpoint.
wait_server() {
    local deadline=$((SECONDS + SERVER_WAIT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the node exited:"; cat "$tmp/server.out"; tail -n 40 "$tmp/server.log"
            return 1
        fi
        ENDPOINT=$(sed -n 's/^S3 endpoint: *//p' "$tmp/server.out")
        if [ -n "$ENDPOINT" ] && grep -q '^serving the S3 API' "$tmp/server.out"; then
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ENDPOINT/" 2>/dev/null)
            if [ -n "$code" ] && [ "$code" != 000 ]; then return 0; fi
        fi
        sleep 0.2
    done
    echo "no answer within ${SERVER_WAIT}s; its output:"; cat "$tmp/server.out"; tail -n 40 "$tmp/server.log"
    return 1
}
if ! step node "starts on its embedded default and answers within ${SERVER_WAIT}s" wait_server; then exit 1; fi
ENDPOINT=$(sed -n 's/^S3 endpoint: *//p' "$tmp/server.out")
KEY_ID=$(sed -n 's/^Access key ID: *//p' "$tmp/server.out")
SECRET=$(sed -n 's/^Secret key: *//p' "$tmp/server.out")
REGION=$(sed -n 's/^Region: *//p' "$tmp/server.out")
BUCKET=default
have_credentials() {
    [[ $KEY_ID == GK* && -n $SECRET && $REGION == garage && $ENDPOINT == http://127.0.0.1:* ]] || {
        echo "read: key id '$KEY_ID', secret '${SECRET:+(set)}', region '$REGION', endpoint '$ENDPOINT'"; return 1; }
}
if ! step node "printed its key id, secret, region and endpoint" have_credentials; then exit 1; fi
echo "endpoint $ENDPOINT, region $REGION, key $KEY_ID"
hostport=${ENDPOINT#http://}

# --- the clients' configurations, each in the temporary directory ---------------

conf="$tmp/conf"
mkdir -p "$conf"

# aws: the credentials and region in the environment, the endpoint on the
# command line; AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point into the
# temporary directory, where a profile "garage" also holds all four (used by
# one step, with the environment's credentials removed).
export AWS_CONFIG_FILE="$conf/aws-config" AWS_SHARED_CREDENTIALS_FILE="$conf/aws-credentials"
export AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET" AWS_DEFAULT_REGION="$REGION"
cat >"$AWS_CONFIG_FILE" <<EOF
[profile garage]
region = garage
endpoint_url = $ENDPOINT
EOF
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[garage]
aws_access_key_id = $KEY_ID
aws_secret_access_key = $SECRET
EOF

cat >"$conf/s3cfg" <<EOF
[default]
access_key = $KEY_ID
secret_key = $SECRET
host_base = $hostport
host_bucket = $hostport
bucket_location = garage
use_https = False
signature_v2 = False
EOF

cat >"$conf/rclone.conf" <<EOF
[garage]
type = s3
provider = Other
access_key_id = $KEY_ID
secret_access_key = $SECRET
region = garage
endpoint = $ENDPOINT
force_path_style = true
EOF

aws() { run "$AWS" --endpoint-url "$ENDPOINT" "$@"; }
s3cmd() { run "$S3CMD" -c "$conf/s3cfg" "$@"; }
rclone() { run "$RCLONE" --config "$conf/rclone.conf" --retries 1 --low-level-retries 2 "$@"; }

# --- the files --------------------------------------------------------------------

files="$tmp/files"
mkdir -p "$files"
head -c 2048 /dev/urandom >"$files/small"
head -c $((5 << 20)) /dev/urandom >"$files/medium"
head -c $((20 << 20)) /dev/urandom >"$files/large"
size() { stat -c %s "$1"; }
SMALL_KEY="dir with space/fichier été ü.bin"
MEDIUM_KEY="日本語/ファイル.bin"
LARGE_KEY="dir with space/gros+fichier 20 MiB (ñ) & co.bin"
names=(small medium large)
declare -A keyof=([small]=$SMALL_KEY [medium]=$MEDIUM_KEY [large]=$LARGE_KEY)
declare -A label=([small]="2 KiB" [medium]="5 MiB" [large]="20 MiB")

# A directory to sync: two of the files under the same names, and a page.
site="$tmp/site"
mkdir -p "$site/dir with space" "$site/日本語"
cp "$files/small" "$site/$SMALL_KEY"
cp "$files/medium" "$site/$MEDIUM_KEY"
echo '<h1>garage</h1>' >"$site/index.html"

# expected PREFIX FILE...: the listing that PREFIX should show after the
# files were put under it, as key<TAB>size lines.
expected_put() {
    local prefix=$1 n
    for n in "${names[@]}"; do printf '%s%s\t%s\n' "$prefix" "${keyof[$n]}" "$(size "$files/$n")"; done
}
expected_site() {
    local prefix=$1
    (cd "$site" && find . -type f -printf '%P\t%s\n') | sed "s|^|$prefix|"
}

# check_listing LISTER PREFIX WANT-FUNCTION: LISTER PREFIX prints the keys
# under PREFIX with their sizes (key<TAB>size); they must be exactly those
# WANT-FUNCTION prints (nothing, for "none").
check_listing() {
    local lister=$1 prefix=$2 want_fn=$3 got want
    got=$("$lister" "$prefix") || return 1
    got=$(printf '%s\n' "$got" | sed '/^$/d' | LC_ALL=C sort)
    if [ "$want_fn" = none ]; then want=""; else want=$("$want_fn" "$prefix" | LC_ALL=C sort); fi
    if [ "$got" != "$want" ]; then
        echo "listing of '$prefix' differs (< expected, > listed):"
        diff <(printf '%s\n' "$want" | sed '/^$/d') <(printf '%s\n' "$got" | sed '/^$/d')
        return 1
    fi
    echo "listing of '$prefix':"
    printf '%s\n' "$got"
}

compare() { # compare WANT GOT
    echo "\$ cmp $(quote "$1" "$2")"
    cmp "$1" "$2"
}
compare_dirs() {
    echo "\$ diff -r $(quote "$1" "$2")"
    diff -r "$1" "$2"
}

# --- aws ----------------------------------------------------------------------------

aws_list() { # key<TAB>size under a prefix, by ListObjectsV2
    aws s3api list-objects-v2 --bucket "$BUCKET" --prefix "$1" --query 'Contents[].[Key,Size]' --output text |
        sed '/^None$/d'
}
aws_ls_profile() { # the same by `aws s3 ls --recursive` with only the profile
    run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_DEFAULT_REGION \
        "$AWS" --profile garage s3 ls --recursive "s3://$BUCKET/$1" |
        sed -E 's/^[0-9-]+ [0-9:]+ +([0-9]+) (.*)$/\2\t\1/'
}
aws_version_ok_for_profile() { # endpoint_url in the config: aws-cli 1.29+ or 2.13+
    local major minor
    read -r major minor < <("$AWS" --version 2>&1 | sed -nE 's|^aws-cli/([0-9]+)\.([0-9]+).*|\1 \2|p')
    [ -n "$minor" ] || return 1
    if [ "$major" = 1 ]; then [ "$minor" -ge 29 ]; elif [ "$major" = 2 ]; then [ "$minor" -ge 13 ]; else [ "$major" -ge 3 ]; fi
}
aws_head_size() { # aws_head_size KEY SIZE
    local got
    got=$(aws s3api head-object --bucket "$BUCKET" --key "$1" --query ContentLength --output text) || return 1
    [ "$got" = "$2" ] || { echo "ContentLength $got, want $2"; return 1; }
}
aws_resync_nothing() { # a second sync of an unchanged directory uploads nothing
    local out
    out=$(aws s3 sync "$site" "s3://$BUCKET/aws-sync/") || return 1
    [ -z "$out" ] || { echo "uploaded again:"; echo "$out"; return 1; }
}
aws_ls_top() { # `aws s3 ls s3://default/` shows the prefix
    local out
    out=$(aws s3 ls "s3://$BUCKET/") || return 1
    echo "$out"
    grep -qxE ' +PRE aws/' <<<"$out" || { echo "no 'PRE aws/' line"; return 1; }
}

test_aws() {
    local p=aws/ n down="$tmp/down-aws"
    mkdir -p "$down"
    for n in "${names[@]}"; do
        step aws "put ${label[$n]} '$p${keyof[$n]}'" aws s3 cp "$files/$n" "s3://$BUCKET/$p${keyof[$n]}"
    done
    step aws "list (s3api list-objects-v2): exact keys and sizes" check_listing aws_list "$p" expected_put
    step aws "ls s3://$BUCKET/ shows PRE $p" aws_ls_top
    if aws_version_ok_for_profile; then
        step aws "list (s3 ls --recursive, profile with endpoint_url): exact keys and sizes" check_listing aws_ls_profile "$p" expected_put
    else
        echo "SKIP  aws     profile with endpoint_url (needs aws-cli 1.29+ or 2.13+)"
    fi
    step aws "head-object '$p${keyof[large]}': content length" aws_head_size "$p${keyof[large]}" "$(size "$files/large")"
    for n in "${names[@]}"; do
        step aws "get ${label[$n]}" aws s3 cp "s3://$BUCKET/$p${keyof[$n]}" "$down/$n" &&
            step aws "cmp ${label[$n]}" compare "$files/$n" "$down/$n"
    done
    for n in "${names[@]}"; do
        step aws "delete ${label[$n]}" aws s3 rm "s3://$BUCKET/$p${keyof[$n]}"
    done
    step aws "list after delete: nothing left" check_listing aws_list "$p" none
    step aws "sync a directory up" aws s3 sync "$site" "s3://$BUCKET/aws-sync/"
    step aws "list the synced keys and sizes" check_listing aws_list aws-sync/ expected_site
    step aws "sync again: nothing to upload" aws_resync_nothing
    step aws "sync back down" aws s3 sync "s3://$BUCKET/aws-sync/" "$down/sync" &&
        step aws "diff -r the synced directory" compare_dirs "$site" "$down/sync"
    step aws "rm --recursive" aws s3 rm --recursive "s3://$BUCKET/aws-sync/"
    step aws "list after rm --recursive: nothing left" check_listing aws_list aws-sync/ none
}

# --- s3cmd --------------------------------------------------------------------------

s3cmd_list() { # key<TAB>size under a prefix, from `s3cmd ls --recursive`
    s3cmd ls --recursive "s3://$BUCKET/$1" |
        sed -nE "s|^[0-9-]+ +[0-9:]+ +([0-9]+) +s3://$BUCKET/(.*)\$|\2\t\1|p"
}
s3cmd_ls_top() {
    local out
    out=$(s3cmd ls "s3://$BUCKET/") || return 1
    echo "$out"
    grep -qE "DIR +s3://$BUCKET/s3cmd/\$" <<<"$out" || { echo "no 'DIR s3://$BUCKET/s3cmd/' line"; return 1; }
}
s3cmd_resync_nothing() {
    local out
    out=$(s3cmd sync "$site/" "s3://$BUCKET/s3cmd-sync/") || return 1
    echo "$out"
    ! grep -q "^upload:" <<<"$out" || { echo "uploaded again"; return 1; }
}

test_s3cmd() {
    local p=s3cmd/ n down="$tmp/down-s3cmd"
    mkdir -p "$down"
    for n in "${names[@]}"; do
        step s3cmd "put ${label[$n]} '$p${keyof[$n]}'" s3cmd put "$files/$n" "s3://$BUCKET/$p${keyof[$n]}"
    done
    step s3cmd "list (ls --recursive): exact keys and sizes" check_listing s3cmd_list "$p" expected_put
    step s3cmd "ls s3://$BUCKET/ shows DIR $p" s3cmd_ls_top
    for n in "${names[@]}"; do
        step s3cmd "get ${label[$n]}" s3cmd get "s3://$BUCKET/$p${keyof[$n]}" "$down/$n" &&
            step s3cmd "cmp ${label[$n]}" compare "$files/$n" "$down/$n"
    done
    for n in "${names[@]}"; do
        step s3cmd "delete ${label[$n]}" s3cmd del "s3://$BUCKET/$p${keyof[$n]}"
    done
    step s3cmd "list after delete: nothing left" check_listing s3cmd_list "$p" none
    step s3cmd "sync a directory up" s3cmd sync "$site/" "s3://$BUCKET/s3cmd-sync/"
    step s3cmd "list the synced keys and sizes" check_listing s3cmd_list s3cmd-sync/ expected_site
    step s3cmd "sync again: nothing to upload" s3cmd_resync_nothing
    mkdir -p "$down/sync"
    step s3cmd "sync back down" s3cmd sync "s3://$BUCKET/s3cmd-sync/" "$down/sync/" &&
        step s3cmd "diff -r the synced directory" compare_dirs "$site" "$down/sync"
    step s3cmd "del --recursive" s3cmd del --recursive --force "s3://$BUCKET/s3cmd-sync/"
    step s3cmd "list after del --recursive: nothing left" check_listing s3cmd_list s3cmd-sync/ none
}

# --- rclone -------------------------------------------------------------------------

rclone_list() { # key<TAB>size under a prefix (ending in /), from `rclone lsf -R`
    local out
    out=$(rclone lsf -R --files-only --format ps --separator $'\t' "garage:$BUCKET/${1%/}") || return 1
    printf '%s\n' "$out" | sed '/^$/d' | sed "s|^|$1|"
}
rclone_lsd_top() {
    local out
    out=$(rclone lsd "garage:$BUCKET") || return 1
    echo "$out"
    grep -qE ' rclone$' <<<"$out" || { echo "no 'rclone' directory"; return 1; }
}
rclone_resync_nothing() {
    local out
    out=$(rclone sync -v "$site" "garage:$BUCKET/rclone-sync" 2>&1) || { echo "$out"; return 1; }
    echo "$out"
    ! grep -qE 'Copied|Updated' <<<"$out" || { echo "transferred again"; return 1; }
}

test_rclone() {
    local p=rclone/ n down="$tmp/down-rclone"
    mkdir -p "$down"
    step rclone "put ${label[small]} '$p${keyof[small]}'" rclone copyto "$files/small" "garage:$BUCKET/$p${keyof[small]}"
    step rclone "put ${label[medium]} '$p${keyof[medium]}'" rclone copyto "$files/medium" "garage:$BUCKET/$p${keyof[medium]}"
    step rclone "put ${label[large]} '$p${keyof[large]}' (multipart: 5 MiB chunks)" \
        rclone copyto --s3-upload-cutoff 8M --s3-chunk-size 5M "$files/large" "garage:$BUCKET/$p${keyof[large]}"
    step rclone "list (lsf -R): exact keys and sizes" check_listing rclone_list "$p" expected_put
    step rclone "lsd garage:$BUCKET shows ${p%/}" rclone_lsd_top
    for n in "${names[@]}"; do
        step rclone "get ${label[$n]}" rclone copyto "garage:$BUCKET/$p${keyof[$n]}" "$down/$n" &&
            step rclone "cmp ${label[$n]}" compare "$files/$n" "$down/$n"
    done
    for n in "${names[@]}"; do
        step rclone "delete ${label[$n]}" rclone deletefile "garage:$BUCKET/$p${keyof[$n]}"
    done
    step rclone "list after delete: nothing left" check_listing rclone_list "$p" none
    step rclone "sync a directory up" rclone sync "$site" "garage:$BUCKET/rclone-sync"
    step rclone "list the synced keys and sizes" check_listing rclone_list rclone-sync/ expected_site
    step rclone "check: sizes and MD5 match" rclone check "$site" "garage:$BUCKET/rclone-sync"
    step rclone "sync again: nothing to transfer" rclone_resync_nothing
    step rclone "sync back down" rclone sync "garage:$BUCKET/rclone-sync" "$down/sync" &&
        step rclone "diff -r the synced directory" compare_dirs "$site" "$down/sync"
    step rclone "purge" rclone purge "garage:$BUCKET/rclone-sync"
    step rclone "list after purge: nothing left" check_listing rclone_list rclone-sync/ none
}

start=$SECONDS
test_aws
test_s3cmd
test_rclone

# The clients retry on 5xx answers and the node logs internal errors, so a
# run whose steps all passed may still have hidden a server problem.
node_log_clean() {
    local bad
    bad=$(grep -E '"level":"(warn|error|dpanic|panic|fatal)"|	(WARN|ERROR|DPANIC|PANIC|FATAL)	|"code":"(InternalError|ServiceUnavailable|SlowDown)"|panic:' "$tmp/server.log")
    [ -z "$bad" ] || { echo "$bad" | tail -n 40; return 1; }
}
node_alive() { kill -0 "$server_pid" 2>/dev/null || { echo "the node is gone"; return 1; }; }
step node "still running after every client" node_alive
step node "stops cleanly on SIGTERM within ${STOP_WAIT}s" stop_server
step node "logged no warning, error or 5xx answer" node_log_clean
echo "clients took $((SECONDS - start)) s"
echo "s3-smoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
