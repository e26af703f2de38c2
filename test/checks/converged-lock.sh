#!/usr/bin/env bash
# shellcheck disable=SC2016 # each `bash -c '...' _ args` body expands its own arguments
# The converged worker's hand-over (test/ansible/converge/lib.sh: cv_converging,
# cv_publish_converged, cv_converged_worker) in a scratch run dir, with a STAND-IN converge test
# (the real functions; a file for a disk, no VM): a test that needs the worker waits while the
# converge test runs and then gets it, fails at once when that test failed, runs the converge
# test itself when started on its own (no deadlock on the lock it holds), and a converge test
# that finds the worker already made ends without touching it.
# Prints "converged-lock: N passed, M failed (S s)". Exit codes: docs/exit-codes.md.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
repo=$(pwd)
# The stand-in converge test: where cv_converged_worker looks for the real one (CONVERGE_REPO).
mkdir -p "$scratch/repo/test/e2e"
cat >"$scratch/repo/test/e2e/ansible-converge.sh" <<'EOF'
#!/usr/bin/env bash
# STAND-IN for test/e2e/ansible-converge.sh (test/checks/converged-lock.sh): the real hand-over
# functions around a wait instead of worker.yml; STANDIN_CONVERGE_FAILS=1 fails after the mark.
set -Eeuo pipefail
source "$REPO/test/vm/lib.sh"
source "$REPO/test/ansible/converge/lib.sh"
VM_IMAGE_DIR=$STANDIN_IMAGE CONVERGE_WORK=$(mktemp -d "$STANDIN_DIR/work.XXXXXX")
cv_converging
echo "converge $$" >>"$STANDIN_DIR/converges"
sleep "${STANDIN_CONVERGE_SECONDS:-0}"
[[ ${STANDIN_CONVERGE_FAILS:-} != 1 ]] || { echo "stand-in converge: failed" >&2; exit 1; }
mkdir -p "$CONVERGE_WORK/standins"
ssh-keygen -q -t ed25519 -N '' -f "$CONVERGE_WORK/admin_key"
echo key >"$CONVERGE_WORK/standins/signing-key.asc"
echo disk >"$CONVERGE_WORK/disk.qcow2"
cv_publish_converged "$CONVERGE_WORK/disk.qcow2"
EOF
export REPO=$repo STANDIN_DIR=$scratch STANDIN_IMAGE=$scratch/bench-image

# needs RUN_DIR: what a test that needs the converged worker does (cv_converged_worker), in a
# shell of its own; prints the disk it got.
needs() {
  LOLICE_TEST_RUN_DIR=$1 bash -c '
    source "$REPO/test/vm/lib.sh"; source "$REPO/test/ansible/converge/lib.sh"
    VM_IMAGE_DIR=$STANDIN_IMAGE CONVERGE_REPO=$STANDIN_DIR/repo
    cv_converged_worker
    echo "$CV_CONVERGED_DISK"'
}
# converge RUN_DIR: the runner's converge stage.
converge() { LOLICE_TEST_RUN_DIR=$1 bash "$scratch/repo/test/e2e/ansible-converge.sh"; }
converges() { wc -l <"$scratch/converges"; }
: >"$scratch/converges"

run=$scratch/run1 && mkdir -p "$run"
STANDIN_CONVERGE_SECONDS=4 converge "$run" 2>"$scratch/converge1.log" &
converging=$!
# Until the converge test has taken the lock, a test that needs the worker would run it itself.
for _ in $(seq 100); do [[ -f $run/converged-worker/failed ]] && break; sleep 0.1; done
needs "$run" >"$scratch/needs1.out" 2>"$scratch/needs1.log" &
needing=$!
sleep 1
check "while the converge test runs, a test that needs the worker waits [converges $(converges)]" \
  bash -c '[[ $1 == 1 ]] && kill -0 "$2" && test ! -s "$3"' _ "$(converges)" "$needing" "$scratch/needs1.out"
wait "$converging"
rc=0 && wait "$needing" || rc=$?
check "... and gets it once it is published, without a converge of its own [converges $(converges), exit $rc]" \
  bash -c '[[ $1 == 1 && $2 == 0 && $(cat "$3") == "$4"/converged-worker/disk.qcow2 ]]' _ "$(converges)" "$rc" "$scratch/needs1.out" "$run"

run=$scratch/run2 && mkdir -p "$run"
STANDIN_CONVERGE_SECONDS=2 STANDIN_CONVERGE_FAILS=1 converge "$run" 2>"$scratch/converge2.log" &
converging=$!
for _ in $(seq 100); do [[ -f $run/converged-worker/failed ]] && break; sleep 0.1; done
rc=0 && needs "$run" >/dev/null 2>"$scratch/needs2.log" || rc=$?
wait "$converging" || true
check "when the converge test failed, a test that needs the worker fails at once, saying so [converges $(converges), exit $rc]" \
  bash -c '[[ $1 == 2 && $2 == 1 ]] && grep -q "the converge test of this run failed" "$3"' _ "$(converges)" "$rc" "$scratch/needs2.log"

run=$scratch/run3 && mkdir -p "$run"
rc=0 && timeout 30 bash -c "$(declare -f needs); needs '$run'" >"$scratch/needs3.out" 2>"$scratch/needs3.log" || rc=$?
check "a test started on its own runs the converge test first, under the lock it holds (no deadlock) [converges $(converges), exit $rc]" \
  bash -c '[[ $1 == 3 && $2 == 0 && $(cat "$3") == "$4"/converged-worker/disk.qcow2 ]]' _ "$(converges)" "$rc" "$scratch/needs3.out" "$run"
before=$(stat -c %Y.%i "$run/converged-worker/disk.qcow2" 2>/dev/null || echo none)
rc=0 && converge "$run" 2>"$scratch/converge4.log" || rc=$?
check "a converge test that finds the run's worker made ends, passed, and leaves it [converges $(converges), exit $rc]" \
  bash -c '[[ $1 == 3 && $2 == 0 && $(stat -c %Y.%i "$3/converged-worker/disk.qcow2") == "$4" ]] && test ! -e "$3/converged-worker/failed" &&
    grep -q "nothing to do" "$5"' _ "$(converges)" "$rc" "$run" "$before" "$scratch/converge4.log"

t_summary
