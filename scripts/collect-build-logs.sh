#!/usr/bin/env bash
# Collects the logs of a failed image build for a short-lived workflow artifact, and nothing else.
#
#   BUILD_SECRET=<build password> collect-build-logs.sh OUT_DIR LOG_FILE...
#
# Copies each LOG_FILE that exists (a regular file, not a link; its last 20 MiB) into the new,
# empty OUT_DIR under its own name, with the build password (BUILD_SECRET, a literal) and anything
# shaped like a crypt(3) hash replaced, then checks the copies: no file but those, none holding
# the password or a hash. On any failure OUT_DIR is removed (nothing to upload) and the exit
# code is non-zero. Never given the image: only log files named *.log are accepted.
set -Eeuo pipefail
LOG_PREFIX=collect-build-logs
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"

readonly MAX_BYTES=$((20 * 1024 * 1024))
readonly CRYPT_HASH='[$](1|2[abxy]?|5|6|y|gy|7)[$][^[:space:]]+'

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }

# redact SECRET: stdin to stdout with every occurrence of SECRET (a literal) and every crypt hash replaced.
redact() {
  SECRET=$1 awk -v hash="$CRYPT_HASH" '
    BEGIN { secret = ENVIRON["SECRET"] }
    {
      line = $0
      if (secret != "") {
        out = ""
        while ((i = index(line, secret)) > 0) { out = out substr(line, 1, i - 1) "<build password removed>"; line = substr(line, i + length(secret)) }
        line = out line
      }
      gsub(hash, "<crypt hash removed>", line)
      print line
    }'
}

main() {
  [[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
  (($# >= 2)) || { usage >&2; exit "$EX_USAGE"; }
  local out=$1; shift
  [[ ! -e $out ]] || die "$EX_CANTCREAT" "$out exists: give a new directory"
  mkdir -p "$out"
  COLLECTED=''
  trap '[[ -n $COLLECTED ]] || rm -rf -- "$out"' EXIT
  local secret=${BUILD_SECRET:-} file name copied=0
  for file in "$@"; do
    name=$(basename -- "$file")
    [[ $name =~ ^[A-Za-z0-9._-]+\.log$ ]] || die "$EX_USAGE" "$file: only *.log files are collected"
    [[ -e $file ]] || { log "$file: not there (the build stopped before it), skipped"; continue; }
    [[ -f $file && ! -L $file ]] || die "$EX_DATAERR" "$file: not a regular file"
    [[ ! -e $out/$name ]] || die "$EX_USAGE" "$name given twice"
    tail -c "$MAX_BYTES" -- "$file" | LC_ALL=C tr -d '\000' | LC_ALL=C redact "$secret" >"$out/$name"
    copied=$((copied + 1))
  done
  # The checks that decide what may be uploaded: only the copies, no password, no hash.
  if [[ -n $secret ]] && grep -rqF -- "$secret" "$out"; then die "$EX_DATAERR" "the build password is still in a collected log"; fi
  if LC_ALL=C grep -rqE -- "$CRYPT_HASH" "$out"; then die "$EX_DATAERR" "a crypt hash is still in a collected log"; fi
  if find "$out" -mindepth 1 ! \( -type f -name '*.log' \) | grep -q .; then die "$EX_DATAERR" "something other than the logs in $out"; fi
  COLLECTED=1
  log "$copied log(s) in $out, build password and crypt hashes removed:"
  ls -l "$out" >&2
}

main "$@"
