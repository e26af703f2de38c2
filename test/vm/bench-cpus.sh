#!/usr/bin/env bash
# The VM bench's CPU benchmark (`npx projen bench:vm`): which vCPUs each bench VM should get when
# `npx projen test` runs two lanes of VM tests side by side on a 2-core machine, how many and,
# under TCG, of which model.
#
# Measures, in one run, two bench VMs booted at the same time and then given the same guest
# work at the same time (what one Ansible task costs a guest: a Python start with the modules
# a task imports, fork and exec, a dpkg query), in three configurations, ROUNDS times each,
# alternating: the default (1 vCPU each, the bench's TCG model $VM_TCG_CPU, or KVM's), 2 vCPUs
# each (the old default), and 1 vCPU each of QEMU's "max" model (all the features TCG emulates,
# AVX2 among them; the old model). Prints each figure, the medians, and the ratio of the default
# to each of the others. It is a benchmark, not a test: it never fails for a figure.
# Usage: npx projen bench:vm [ROUNDS=2]   (about 5 min a round under TCG)
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
# The configurations, "VCPUS:MODEL"; the first is the default the others are compared with.
configs=("1:$VM_CPU" "2:$VM_CPU")
[[ $VM_ACCEL == tcg ]] && configs+=("1:max")
declare -A boot_s work_ms
# one_round CONFIG ROUND: two VMs of CONFIG side by side.
one_round() {
  local config=$1 round=$2 vm t0 pids=() out names=()
  for vm in a b; do names+=("bench-${config//[^a-z0-9]/-}-$round-$vm"); done
  t0=$SECONDS
  for vm in "${names[@]}"; do
    VM_CPU=${config#*:} LOLICE_VM_CPUS=${config%%:*} vm_start "$vm" --disk "$(vm_disk_overlay "$vm"):virtio"
  done
  for vm in "${names[@]}"; do vm_wait_ssh "$vm" 600; done
  boot_s[$config]+="$((SECONDS - t0)) "
  for vm in "${names[@]}"; do
    vm_ssh "$vm" "$WORK" >"$VM_RUN_DIR/$vm.work" &
    pids+=($!)
  done
  wait "${pids[@]}"
  for vm in "${names[@]}"; do
    out=$(<"$VM_RUN_DIR/$vm.work")
    [[ $out =~ ^[0-9]+$ ]] || vm_die "$vm: no figure from the guest ('$out')"
    work_ms[$config]+="$out "
    vm_poweroff "$vm"
  done
}
for ((r = 1; r <= rounds; r++)); do
  for config in "${configs[@]}"; do one_round "$config" "$r"; done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo
echo "two bench VMs side by side, $(nproc) host cores, accel $VM_ACCEL, $rounds round(s)"
printf '  %-22s %-36s %s\n' 'vCPUs, model' 'both booted to SSH, s (each round)' 'guest work, ms (each VM)'
for config in "${configs[@]}"; do printf '  %-22s %-36s %s\n' "${config%%:*}, ${config#*:}" "${boot_s[$config]}" "${work_ms[$config]}"; done
default=${configs[0]}
w0=$(median <<<"${work_ms[$default]}") b0=$(median <<<"${boot_s[$default]}")
for config in "${configs[@]:1}"; do
  awk -v w0="$w0" -v b0="$b0" -v w="$(median <<<"${work_ms[$config]}")" -v b="$(median <<<"${boot_s[$config]}")" \
    -v d="${default%%:*} vCPU ${default#*:}" -v c="${config%%:*} vCPU ${config#*:}" 'BEGIN {
    printf "  medians, %s against %s: guest work %d / %d ms = %.2f; boot %s / %s s = %.2f\n", d, c, w0, w, w0 / w, b0, b, b0 / b }'
done
