#!/usr/bin/env bash
# The VM bench's vCPU benchmark (`npx projen bench:vm`): how many vCPUs each bench VM should
# get when `npx projen test` runs two lanes of VM tests side by side on a 2-core machine.
#
# Measures, in one run, two bench VMs booted at the same time and then given the same guest
# work at the same time (what one Ansible task costs a guest: a Python start with the modules
# a task imports, fork and exec, a dpkg query), once with 2 vCPUs each (the old default) and
# once with 1 vCPU each (the default), ROUNDS times each, alternating. Prints each figure, the
# medians, and the ratio 1 vCPU / 2 vCPUs. It is a benchmark, not a test: it never fails
# for a figure. Usage: npx projen bench:vm [ROUNDS=2]   (about 3 min a round under TCG)
set -Eeuo pipefail
# shellcheck source=test/vm/lib.sh
source "$(dirname "$0")/lib.sh"

rounds=${1:-2}
[[ $rounds =~ ^[1-9][0-9]?$ ]] || vm_die "usage: bench-cpus.sh [ROUNDS=2] (1-99)"
# shellcheck disable=SC2016 # expanded in the guest, not here
# The guest work, timed in the guest (milliseconds), so SSH and the host's load are not in it.
readonly WORK='s=$(date +%s%N)
for i in $(seq 20); do python3 -c "import json, subprocess, locale, hashlib; subprocess.run([\"true\"])"; done
for i in $(seq 100); do /bin/true; done
for i in 1 2 3; do dpkg-query -W >/dev/null; done
echo $(( ($(date +%s%N) - s) / 1000000 ))'

vm_init
declare -A boot_s work_ms
# one_round CPUS ROUND: two VMs with CPUS vCPUs each, side by side.
one_round() {
  local cpus=$1 round=$2 vm t0 pids=() out
  t0=$SECONDS
  for vm in a b; do
    LOLICE_VM_CPUS=$cpus vm_start "bench-$cpus-$round-$vm" --disk "$(vm_disk_overlay "bench-$cpus-$round-$vm"):virtio"
  done
  for vm in a b; do vm_wait_ssh "bench-$cpus-$round-$vm" 600; done
  boot_s[$cpus]+="$((SECONDS - t0)) "
  for vm in a b; do
    vm_ssh "bench-$cpus-$round-$vm" "$WORK" >"$VM_RUN_DIR/work-$cpus-$round-$vm" &
    pids+=($!)
  done
  wait "${pids[@]}"
  for vm in a b; do
    out=$(<"$VM_RUN_DIR/work-$cpus-$round-$vm")
    [[ $out =~ ^[0-9]+$ ]] || vm_die "round $round, $cpus vCPU, VM $vm: no figure from the guest ('$out')"
    work_ms[$cpus]+="$out "
  done
  for vm in a b; do vm_poweroff "bench-$cpus-$round-$vm"; done
}
for ((r = 1; r <= rounds; r++)); do
  one_round 2 "$r"
  one_round 1 "$r"
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo
echo "two bench VMs side by side, $(nproc) host cores, accel $VM_ACCEL (cpu $VM_CPU), $rounds round(s)"
printf '  %-8s %-36s %s\n' vCPUs 'both booted to SSH, s (each round)' 'guest work, ms (each VM)'
for cpus in 2 1; do printf '  %-8s %-36s %s\n' "$cpus" "${boot_s[$cpus]}" "${work_ms[$cpus]}"; done
w2=$(median <<<"${work_ms[2]}") w1=$(median <<<"${work_ms[1]}")
b2=$(median <<<"${boot_s[2]}") b1=$(median <<<"${boot_s[1]}")
awk -v w1="$w1" -v w2="$w2" -v b1="$b1" -v b2="$b2" 'BEGIN {
  printf "  medians: guest work %d ms (1 vCPU) / %d ms (2 vCPUs) = %.2f; boot %s s / %s s = %.2f\n", w1, w2, w1 / w2, b1, b2, b1 / b2 }'
