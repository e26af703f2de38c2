# shellcheck shell=bash
# Messages, errors and exit codes shared by the operator scripts (postprocess-image.sh,
# flash-image.sh). Set LOG_PREFIX (and optionally PACKAGES_HINT), then source it.

# Exit codes of sysexits(3), as the scripts' --help documents them.
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly EX_USAGE=64 EX_DATAERR=65 EX_NOINPUT=66 EX_UNAVAILABLE=69 EX_CANTCREAT=73 EX_IOERR=74 EX_NOPERM=77

log() { printf '%s: %s\n' "$LOG_PREFIX" "$*" >&2; }

# die CODE MESSAGE...: logs the error and exits with CODE.
die() {
  local code=$1
  shift
  log "error: $*"
  exit "$code"
}

# require_cmd COMMAND...: exits with EX_UNAVAILABLE at the first missing command.
require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null || die "$EX_UNAVAILABLE" "missing command: $cmd${PACKAGES_HINT:+ ($PACKAGES_HINT)}"
  done
}
