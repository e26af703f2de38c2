#!/usr/bin/env bash
# The one test command (`npx projen test`): system packages, type check, unit
# tests, drift check, external validators (test/checks/*.sh) and the end-to-end
# VM tests (test/e2e/*.sh). Every stage runs; the summary gives each stage's
# seconds, the total, whether the machine cache (the VM bench image) was warm,
# and the line "stages: N passed, M failed". The seconds are a measurement, not
# a test: no stage fails for being slow.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"

bash test/setup-system.sh

# What the tests of this run share (the bench image's check stamp, the converged worker disk):
# made here, removed at the end.
vm_cache=${LOLICE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lolice/vm}
mkdir -p "$vm_cache/runs"
LOLICE_TEST_RUN_DIR=$(mktemp -d "$vm_cache/runs/test-run.XXXXXX")
export LOLICE_TEST_RUN_DIR
trap 'rm -rf "$LOLICE_TEST_RUN_DIR"' EXIT

passed=0 failed=0 failures=() times=()
started=$SECONDS
cache_state='not used (LOLICE_SKIP_E2E=1)'
stage() {
  local name=$1; shift
  local t0=$SECONDS result
  echo "=== ${name}"
  # No stage reads stdin. /dev/null keeps them from sharing the caller's, which ssh can
  # leave non-blocking, and ansible-core refuses a non-blocking stdin.
  if "$@" </dev/null; then
    passed=$((passed + 1)) result=ok
  else
    failed=$((failed + 1)) result=FAILED; failures+=("$name")
  fi
  echo "=== ${name}: ${result} ($((SECONDS - t0)) s)"
  times+=("$(printf '%6d s  %-7s %s' "$((SECONDS - t0))" "$result" "$name")")
}

# vm_image: builds the bench image or finds it in the machine cache (checked against its
# hashes), and notes which it was for the summary.
vm_image() {
  local log rc=0
  log=$(mktemp)
  bash test/vm/build-image.sh 2>"$log" || rc=$?
  cat "$log" >&2
  cache_state=$(sed -n 's/^build-image: cache //p' "$log" | tail -n1)
  rm -f "$log"
  ((rc == 0)) && [[ -n $cache_state ]]
}

# Drift first: later stages must not be the ones that leave files behind.
stage drift bash test/drift.sh
stage typecheck npx projen typecheck
stage build npx projen compile
stage lint npx projen eslint
stage unit npx vitest run
for check in test/checks/*.sh; do
  [[ -e "$check" ]] && stage "check $(basename "$check" .sh)" bash "$check"
done
if [[ "${LOLICE_SKIP_E2E:-}" == 1 ]]; then
  echo "=== e2e: skipped (LOLICE_SKIP_E2E=1)"
else
  stage "vm image" vm_image
  for e2e in test/e2e/*.sh; do
    [[ -e "$e2e" ]] || continue
    stage "e2e $(basename "$e2e" .sh)" bash "$e2e"
  done
fi

echo
echo "stage seconds:"
printf '%s\n' "${times[@]}"
((failed == 0)) || printf 'failed stage: %s\n' "${failures[@]}"
echo "machine cache: ${cache_state}"
echo "total time: $((SECONDS - started)) s"
echo "stages: ${passed} passed, ${failed} failed"
((failed == 0))
