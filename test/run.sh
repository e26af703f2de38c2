#!/usr/bin/env bash
# The one test command (`npx projen test`): system packages, type check, unit
# tests, drift check, external validators (test/checks/*.sh) and the end-to-end
# VM tests (test/e2e/*.sh). Every stage runs; the summary line counts them.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"

bash test/setup-system.sh

passed=0 failed=0 failures=()
started=$SECONDS
stage() {
  local name=$1; shift
  local t0=$SECONDS
  echo "=== ${name}"
  # No stage reads stdin. /dev/null keeps them from sharing the caller's, which ssh can
  # leave non-blocking, and ansible-core refuses a non-blocking stdin.
  if "$@" </dev/null; then
    passed=$((passed + 1)); echo "=== ${name}: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== ${name}: FAILED ($((SECONDS - t0)) s)"
  fi
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
  for e2e in test/e2e/*.sh; do
    [[ -e "$e2e" ]] || continue
    stage "e2e $(basename "$e2e" .sh)" bash "$e2e"
  done
fi

echo
((failed == 0)) || printf 'failed stage: %s\n' "${failures[@]}"
echo "total time: $((SECONDS - started)) s"
echo "stages: ${passed} passed, ${failed} failed"
((failed == 0))
