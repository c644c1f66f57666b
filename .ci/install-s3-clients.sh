#!/usr/bin/env bash
# Installs the S3 clients the smoke test drives (.ci/s3-smoke.sh): the aws
# cli, s3cmd and rclone, from Debian's packages, only those missing; and
# boto3 for the end-to-end tests, when no python3 on PATH has it (Debian's
# python3-boto3, for /usr/bin/python3). Writes the Python to use to the file
# named by $1, if given. An aws
# already on PATH (a pyenv shim, say) is kept if `aws --version` works.
# Prints each tool's version. Needs root (or sudo) when something is missing.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

works() { "$@" >/dev/null 2>&1; }

missing=()
works aws --version || works /usr/bin/aws --version || missing+=(awscli)
works s3cmd --version || missing+=(s3cmd)
works rclone version || missing+=(rclone)
python=""
if works python3 -c "import boto3"; then
    python=$(command -v python3)
elif works /usr/bin/python3 -c "import boto3"; then
    python=/usr/bin/python3
else
    missing+=(python3-boto3)
    python=/usr/bin/python3
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "installing from Debian: ${missing[*]}"
    start=$(date +%s)
    log=$(mktemp)
    # Update the package lists only when one of the packages has no candidate
    # (no lists yet, or lists that predate it); retry once after an update if
    # the install fails on stale lists.
    need_update=0
    for p in "${missing[@]}"; do
        cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; fi
    done
    if [ "$need_update" = 1 ]; then
        $SUDO apt-get update -qq >"$log" 2>&1 || { cat "$log"; exit 1; }
    fi
    install() { $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; }
    if ! install; then
        echo "apt-get install failed; updating the package lists and retrying"
        if ! { $SUDO apt-get update -qq >>"$log" 2>&1 && install; }; then
            cat "$log"; exit 1
        fi
    fi
    rm -f "$log"
    echo "installed in $(( $(date +%s) - start )) s"
fi

# A broken aws on PATH (say a pyenv shim without its Python) was replaced
# above by Debian's /usr/bin/aws; the smoke test picks whichever works.
aws_bin=$(command -v aws || true)
if [ -z "$aws_bin" ] || ! aws_version=$("$aws_bin" --version 2>&1); then
    aws_bin=/usr/bin/aws
    aws_version=$("$aws_bin" --version 2>&1)
fi
echo "aws:    $aws_bin: $(head -n1 <<<"$aws_version")"
echo "s3cmd:  $(command -v s3cmd): $(s3cmd --version 2>&1 | head -n1)"
echo "rclone: $(command -v rclone): $(rclone version 2>&1 | head -n1)"
echo "boto3:  $python: $("$python" -c 'import boto3; print(boto3.__version__)')"
if [ $# -gt 0 ]; then echo "$python" > "$1"; fi
