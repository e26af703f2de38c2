#!/usr/bin/env bash
# The one test command (`npx projen test`): system packages, drift check, type check, lint,
# build, unit tests, external validators (test/checks/*.sh) and the end-to-end VM tests
# (test/e2e/*.sh). Every stage runs; the summary gives each stage's seconds, the total, whether
# the machine cache (the VM bench image) was warm, and the line "stages: N passed, M failed".
# The seconds are a measurement, not a test: no stage fails for being slow.
#
# Two lanes share the machine's cores: after the drift check, the VM tests (one after the
# other: they share the bench and the converged worker) run beside the other stages (one after
# the other). A VM test spends much of its time waiting on one emulated CPU, which leaves a core
# for the rest. Each stage's output is shown whole when it ends. LOLICE_TEST_LANES=1 runs
# everything in one lane, in order.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"

bash test/setup-system.sh

# What the tests of this run share (the bench image's check stamp, the converged worker disk,
# the stages' results): made here, removed at the end.
vm_cache=${LOLICE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lolice/vm}
mkdir -p "$vm_cache/runs"
LOLICE_TEST_RUN_DIR=$(mktemp -d "$vm_cache/runs/test-run.XXXXXX")
export LOLICE_TEST_RUN_DIR
results=$LOLICE_TEST_RUN_DIR/results
lane_pid=''
cleanup() {
  [[ -z $lane_pid ]] || kill "$lane_pid" 2>/dev/null || true
  rm -rf "$LOLICE_TEST_RUN_DIR"
}
trap cleanup EXIT
started=$SECONDS

# stage NAME CMD...: runs one stage, its output to a file shown whole when it ends (so that two
# lanes never interleave), and records "SECONDS RESULT NAME" in the results.
stage() {
  local name=$1; shift
  local t0=$SECONDS result=ok log
  log=$(mktemp "$LOLICE_TEST_RUN_DIR/stage.XXXXXX")
  # No stage reads stdin. /dev/null keeps them from sharing the caller's, which ssh can
  # leave non-blocking, and ansible-core refuses a non-blocking stdin.
  "$@" </dev/null >"$log" 2>&1 || result=FAILED
  {
    flock 8
    echo "=== ${name}"
    cat "$log"
    echo "=== ${name}: ${result} ($((SECONDS - t0)) s)"
    printf '%d %s %s\n' "$((SECONDS - t0))" "$result" "$name" >>"$results"
  } 8>>"$results.lock"
  rm -f "$log"
}

# vm_image: the bench image from the machine cache (checked against its hashes), or built; the
# state goes to the summary.
vm_image() {
  local log rc=0
  log=$(mktemp)
  bash test/vm/build-image.sh 2>"$log" || rc=$?
  cat "$log" >&2
  sed -n 's/^build-image: cache //p' "$log" | tail -n1 >"$LOLICE_TEST_RUN_DIR/cache-state"
  rm -f "$log"
  ((rc == 0)) && [[ -s $LOLICE_TEST_RUN_DIR/cache-state ]]
}

vm_lane() {
  if [[ "${LOLICE_SKIP_E2E:-}" == 1 ]]; then
    echo "=== e2e: skipped (LOLICE_SKIP_E2E=1)"
    return 0
  fi
  stage "vm image" vm_image
  local e2e
  for e2e in test/e2e/*.sh; do
    [[ -e "$e2e" ]] && stage "e2e $(basename "$e2e" .sh)" bash "$e2e"
  done
}

other_lane() {
  stage typecheck npx projen typecheck
  stage build npx projen compile
  stage lint npx projen eslint
  stage unit npx vitest run
  local check
  for check in test/checks/*.sh; do
    [[ -e "$check" ]] && stage "check $(basename "$check" .sh)" bash "$check"
  done
}

# Drift first, alone: later stages must not be the ones that leave files behind, and none may
# read a generated file while it is rewritten.
stage drift bash test/drift.sh
if [[ ${LOLICE_TEST_LANES:-2} == 1 ]]; then
  other_lane
  vm_lane
else
  vm_lane &
  lane_pid=$!
  other_lane
  wait "$lane_pid" || true
  lane_pid=''
fi

passed=$(grep -c ' ok ' "$results" || true)
failed=$(grep -c ' FAILED ' "$results" || true)
echo
echo "stage seconds (two lanes side by side unless LOLICE_TEST_LANES=1):"
while read -r seconds result name; do printf '%6d s  %-7s %s\n' "$seconds" "$result" "$name"; done <"$results"
((failed == 0)) || sed -n 's/^[0-9]* FAILED /failed stage: /p' "$results"
echo "machine cache: $(cat "$LOLICE_TEST_RUN_DIR/cache-state" 2>/dev/null || echo 'not used (LOLICE_SKIP_E2E=1)')"
echo "total time: $((SECONDS - started)) s"
echo "stages: ${passed} passed, ${failed} failed"
((failed == 0))
