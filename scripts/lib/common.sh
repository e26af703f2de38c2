# shellcheck shell=bash
# Messages, errors, exit codes and progress lines shared by the operator scripts
# (postprocess-image.sh, flash-image.sh, collect-build-logs.sh, bench.sh). Set LOG_PREFIX
# (and optionally PACKAGES_HINT), then source it.

# Exit codes of sysexits(3), the one scheme of every operator script: docs/exit-codes.md
# says which failure gives which code. install-to-disk (shipped alone to the USB installer)
# repeats the ones it uses; test/checks/exit-codes.sh holds the copies, the table and
# /usr/include/sysexits.h to these values.
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

# traps_set CLEANUP: runs the function CLEANUP on exit; SIGINT exits 130 and SIGTERM 143,
# with the signal's name in $interrupted for CLEANUP to say what was interrupted.
traps_set() {
  # shellcheck disable=SC2064 # the name of the function, expanded now on purpose
  trap "$1" EXIT
  trap 'on_signal SIGINT 130' INT
  trap 'on_signal SIGTERM 143' TERM
}
on_signal() {
  interrupted=$1
  exit "$2"
}

# progress_line VERB DONE TOTAL [DETAIL]: logs "VERB D of T MiB (P%)[, DETAIL]" (bytes in, MiB out).
progress_line() {
  local verb=$1 done=$2 total=$3
  log "$verb $((done >> 20)) of $((total >> 20)) MiB ($((done * 100 / (total > 0 ? total : 1)))%)${4:+, $4}"
}

# progress_tenths TENTHS_VAR VERB DONE TOTAL [DETAIL]: a progress_line each time DONE
# reaches another tenth of TOTAL; the variable named TENTHS_VAR (0 at the start) keeps
# the tenths already reported.
progress_tenths() {
  local -n tenths_ref=$1
  local done=$3 total=$4
  ((total > 0 && done * 10 / total > tenths_ref)) || return 0
  tenths_ref=$((done * 10 / total))
  progress_line "$2" "$done" "$total" "${@:5}"
}
