#!/usr/bin/env bash
# The one test command (`npx projen test`): system packages, drift check, type check, lint,
# build, unit tests, external validators (test/checks/*.sh) and the end-to-end VM tests
# (test/e2e/*.sh). Every stage runs; the summary gives each stage's seconds, its CPU seconds
# (every process it started, its daemonized QEMUs among them: a control group of its own), the
# total, whether the machine cache (the VM bench image) was warm, and the line
# "stages: N passed, M failed". The seconds are a measurement, not a test: no stage fails for
# being slow.
#
# Two lanes share the machine's cores: after the drift check, one lane builds or checks the bench
# image and runs the chain of VM tests that share the converged worker (VM_LANE_E2E below), the
# other runs type check, build, lint, unit tests and the validators; then both take the other VM
# tests from a queue. Each stage's output is shown whole when it ends. LOLICE_TEST_LANES=1 runs
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
# CPU time: each stage runs in a cgroup (v2, under this shell's own) whose cpu.stat counts every
# process it starts, even one that leaves its parent (QEMU daemonizes). Where cgroups cannot be
# made (no cgroup2 mount, no write access), the summary says "-" and the run goes on.
cpu_root=$(
  mount=$(findmnt -rn -t cgroup2 -o TARGET | head -n1) && [[ -n $mount ]] &&
    own=$(sed -n 's|^0::/*||p' /proc/self/cgroup) && dir=$mount/${own:+$own/}lolice-test.$$ &&
    mkdir "$dir" 2>/dev/null && echo "$dir"
) || cpu_root=''
[[ -z $cpu_root ]] || mkdir "$cpu_root/chain" "$cpu_root/rest" 2>/dev/null || cpu_root=''
# CPU shares of the lanes: the chain of VM tests (the bench image, then VM_LANE_E2E below) is the
# run's longest path, and nothing waits for the other lane's stages. So while the chain's
# processes want a core they get it first (4 to 1 against the other lane's), and the other lane
# has what they leave, their waits among it (a package lock held, a DaemonSet's readiness, a boot).
# Through cgroup v2's cpu.weight where the cpu controller is delegated to this shell's cgroup,
# else cgroup v1's cpu.shares (cpu_v1: this shell's cpu group, where the lanes' groups are made);
# without either, the lanes share alike. It moves time between the lanes, and checks nothing.
cpu_v1=''
if [[ -n $cpu_root ]] && echo +cpu >"$cpu_root/cgroup.subtree_control" 2>/dev/null; then
  { echo 400 >"$cpu_root/chain/cpu.weight"; echo 100 >"$cpu_root/rest/cpu.weight"; } 2>/dev/null || true
else
  cpu_v1=$(
    mount=$(findmnt -rn -t cgroup -O cpu -o TARGET | head -n1) && [[ -n $mount ]] &&
      own=$(sed -n 's|^[0-9]*:\([^:]*,\)\{0,1\}cpu\(,[^:]*\)\{0,1\}:/*||p' /proc/self/cgroup) && dir=$mount/${own:+$own/}lolice-test.$$ &&
      mkdir "$dir" "$dir/chain" "$dir/rest" 2>/dev/null && echo 1024 >"$dir/chain/cpu.shares" && echo 256 >"$dir/rest/cpu.shares" && echo "$dir"
  ) || cpu_v1=''
fi
# lane_enter chain|rest: this shell's stages run in that lane's CPU share from now on.
lane=rest
lane_enter() {
  lane=$1
  [[ -z $cpu_v1 ]] || echo "$BASHPID" >"$cpu_v1/$lane/cgroup.procs" 2>/dev/null || true
}
cleanup() {
  [[ -z $lane_pid ]] || kill "$lane_pid" 2>/dev/null || true
  rm -rf "$LOLICE_TEST_RUN_DIR"
  [[ -z $cpu_root ]] || find "$cpu_root" -depth -type d -exec rmdir {} + 2>/dev/null || true
  if [[ -n $cpu_v1 ]]; then
    echo "$$" >"${cpu_v1%/*}/cgroup.procs" 2>/dev/null || true
    find "$cpu_v1" -depth -type d -exec rmdir {} + 2>/dev/null || true
  fi
}
trap cleanup EXIT
started=$SECONDS

# stage NAME CMD...: runs one stage, its output to a file shown whole when it ends (so that two
# lanes never interleave), and records "SECONDS CPU_SECONDS RESULT NAME" in the results.
stage() {
  local name=$1; shift
  local t0=$SECONDS result=ok log cg='' cpu=-
  log=$(mktemp "$LOLICE_TEST_RUN_DIR/stage.XXXXXX")
  [[ -z $cpu_root ]] || { cg=$(mktemp -d "$cpu_root/$lane/stage.XXXXXX") 2>/dev/null || cg=''; }
  # No stage reads stdin. /dev/null keeps them from sharing the caller's, which ssh can
  # leave non-blocking, and ansible-core refuses a non-blocking stdin.
  # (A subshell that moves itself into the cgroup, then runs the stage: a command or a function.)
  (
    [[ -z $cg ]] || echo "$BASHPID" >"$cg/cgroup.procs" 2>/dev/null || true
    "$@"
  ) </dev/null >"$log" 2>&1 || result=FAILED
  [[ -z $cg ]] || cpu=$(awk '$1 == "usage_usec" { printf "%.0f", $2 / 1e6 }' "$cg/cpu.stat" 2>/dev/null) || cpu=-
  {
    flock 8
    echo "=== ${name}"
    cat "$log"
    echo "=== ${name}: ${result} ($((SECONDS - t0)) s, CPU ${cpu:--} s)"
    printf '%d %s %s %s\n' "$((SECONDS - t0))" "${cpu:--}" "$result" "$name" >>"$results"
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

# The VM tests are independent of each other (each boots its own overlays of the bench image or
# of the converged worker), so they are shared out between the lanes to end together. The VM lane
# runs VM_LANE_E2E, in this order, after the bench image: the converge test and the test that
# boots its worker three times, the longest chain. Every other test/e2e/*.sh goes to a queue, in
# name order, that each lane takes from when its own stages are done (the other lane after the
# validators, the VM lane after its chain): whichever lane is free runs the next one, so both end
# at about the same time on any machine. The image and the converged worker are made by then, or
# their locks are waited for. With one lane, the queue follows the chain.
readonly VM_LANE_E2E=(ansible-converge upgrade)
e2e_queue=$LOLICE_TEST_RUN_DIR/e2e-queue
for e2e in test/e2e/*.sh; do
  case " ${VM_LANE_E2E[*]} " in *" $(basename "$e2e" .sh) "*) ;; *) basename "$e2e" .sh ;; esac
done >"$e2e_queue"

# e2e_stage NAME: test/e2e/NAME.sh as the stage "e2e NAME".
e2e_stage() { stage "e2e $1" bash "test/e2e/$1.sh"; }

# e2e_take: runs the queue's VM tests, each a stage, the next one taken under the queue's lock,
# until none is left.
e2e_take() {
  [[ "${LOLICE_SKIP_E2E:-}" == 1 ]] && return 0
  local name
  # shellcheck disable=SC2016 # "$1" is the inner shell's argument
  while name=$(flock "$e2e_queue.lock" sh -c 'head -n1 "$1" && sed -i 1d "$1"' _ "$e2e_queue") && [[ -n $name ]]; do
    e2e_stage "$name"
  done
}

vm_lane() {
  if [[ "${LOLICE_SKIP_E2E:-}" == 1 ]]; then
    echo "=== e2e: skipped (LOLICE_SKIP_E2E=1)"
    return 0
  fi
  [[ ${1:-} == alone ]] || lane_enter chain
  stage "vm image" vm_image
  local name
  for name in "${VM_LANE_E2E[@]}"; do e2e_stage "$name"; done
  lane_enter rest
  e2e_take
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
  [[ ${1:-} == alone ]] || e2e_take
}

# Drift first, alone: later stages must not be the ones that leave files behind, and none may
# read a generated file while it is rewritten.
stage drift bash test/drift.sh
if [[ ${LOLICE_TEST_LANES:-2} == 1 ]]; then
  other_lane alone
  vm_lane alone
else
  vm_lane &
  lane_pid=$!
  lane_enter rest
  other_lane
  wait "$lane_pid" || true
  lane_pid=''
fi

passed=$(grep -c ' ok ' "$results" || true)
failed=$(grep -c ' FAILED ' "$results" || true)
echo
echo "stage seconds, wall and CPU (two lanes side by side unless LOLICE_TEST_LANES=1):"
while read -r seconds cpu result name; do printf '%6d s %7s CPU s  %-7s %s\n' "$seconds" "$cpu" "$result" "$name"; done <"$results"
((failed == 0)) || sed -n 's/^[0-9]* [0-9-]* FAILED /failed stage: /p' "$results"
if [[ ${LOLICE_TEST_LANES:-2} == 1 ]]; then shares='one lane'
elif [[ -n $cpu_v1 ]]; then shares='the chain 4 to 1 against the other lane (cgroup v1 cpu.shares)'
elif [[ -f ${cpu_root:-/nonexistent}/chain/cpu.weight ]]; then shares='the chain 4 to 1 against the other lane (cgroup v2 cpu.weight)'
else shares='alike (no cpu controller to weigh them)'; fi
echo "lanes' CPU shares: $shares"
echo "machine cache: $(cat "$LOLICE_TEST_RUN_DIR/cache-state" 2>/dev/null || echo 'not used (LOLICE_SKIP_E2E=1)')"
echo "total time: $((SECONDS - started)) s, CPU $(awk '$2 != "-" { s += $2 } END { printf "%d", s }' "$results") s of the stages (nproc $(nproc))"
echo "stages: ${passed} passed, ${failed} failed"
((failed == 0))
