#!/usr/bin/env bash
# worker.yml a second time on the converged worker must change nothing (changed=0). The worker is
# the disk test/e2e/ansible-converge.sh published once worker.yml had run on it live and its
# checks had passed, booted again (an overlay of its own) with the same inputs: the model's
# group_vars, the same test vars, the stand-in repositories signed with the key its APT trusts,
# and the keys URL serving the key its admin has. Booted again, it also shows that what the first
# run set survives a reboot (a change the second run made would count).
# A test of its own so that it runs beside the upgrade test (test/run.sh's other lane).
#
#   bash test/e2e/worker-again.sh     (LOLICE_VM_ACCEL=tcg to force emulation)
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
source test/vm/lib.sh
source test/ansible/converge/lib.sh
CONVERGE_ON_CONVERGED=1
cv_begin worker-again

vm=again
disk=$(vm_disk_overlay "$vm" "$CV_CONVERGED_DISK")
vm_start "$vm" --disk "$disk:virtio"
cv_wait_ssh_bench "$vm"
cv_tunnel "$vm" "$STANDIN_PORT" "$vm" 'stand-in' "$CV_STANDIN_VM_PORT"
cv_write_inventory "$vm"
cv_playbook again.log worker.yml || vm_die "worker.yml (second run) failed"
check "second run: changed=0" test "$(cv_recap again.log "$CONVERGE_NODE" changed)" = 0
# The tasks that changed something, if any: what the failure is about.
grep -E '^(TASK|changed:)' "$CONVERGE_WORK/again.log" | grep -B1 '^changed:' | grep '^TASK' >&2 || true
cv_poweroff "$vm"

t_summary
