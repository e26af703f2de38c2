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

# The signals every operator script handles: each stops it through its EXIT trap, with 128 +
# the signal's number as the exit code (SIGHUP 129, SIGINT 130, SIGUSR1 138, SIGPIPE 141,
# SIGALRM 142, SIGTERM 143), the signal's name in $interrupted for the trap to say what was
# interrupted. Left at their defaults, HUP, PIPE, ALRM and USR1 would kill the script without
# its EXIT trap and leave its children running.
readonly HANDLED_SIGNALS=(HUP INT USR1 PIPE ALRM TERM)

# traps_set CLEANUP: runs the function CLEANUP on exit, and exits on each handled signal.
traps_set() {
  local sig
  # shellcheck disable=SC2064 # the name of the function, expanded now on purpose
  trap "$1" EXIT
  for sig in "${HANDLED_SIGNALS[@]}"; do
    # shellcheck disable=SC2064 # the signal's name, expanded now on purpose
    trap "on_signal SIG$sig" "$sig"
  done
}
on_signal() {
  interrupted=$1
  exit $((128 + $(kill -l "${1#SIG}")))
}
# traps_clear: for CLEANUP's first line: the handled signals are ignored from here on (a second
# Ctrl-C, or a closed stderr's SIGPIPE on its own messages, cannot cut the cleanup short).
traps_clear() { trap '' "${HANDLED_SIGNALS[@]}"; }

# job_run COMMAND...: runs COMMAND (a function too) in the background, in a process group of
# its own, and waits for it; returns its status. Bash runs a signal's trap only between
# commands, so a long foreground pipeline would finish before the script could stop; `wait`
# is interrupted at once. job_stop (from the EXIT trap) stops the whole group.
JOB=''
job_run() {
  local status=0
  set -m
  "$@" &
  JOB=$!
  set +m
  wait "$JOB" || status=$?
  JOB=''
  return "$status"
}
# job_stop: stops the running job: SIGTERM to every process of its group, then waits until none
# of them runs any more (at most 10 s), so that nothing it started still writes afterwards.
job_stop() {
  [[ -n ${JOB:-} ]] || return 0
  local i
  kill -TERM -- "-$JOB" 2>/dev/null || true
  wait "$JOB" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    job_running "$JOB" || break
    sleep 0.05
  done
  JOB=''
}
# job_running PGID: a process of group PGID still runs (a zombie does not count).
job_running() {
  local f line state pgrp
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r state _ pgrp _ <<<"${line##*) }"
    [[ $pgrp != "$1" || $state == Z ]] || return 0
  done
  return 1
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
