#!/usr/bin/env bash
# Smoke test of the VM test bench: boots the bench image (UEFI, then BIOS), runs commands
# over SSH, powers off. Usage: bash test/vm/smoke.sh
set -Eeuo pipefail
# shellcheck source=test/vm/lib.sh
source "$(dirname "$0")/lib.sh"
started=$SECONDS
vm_init
for firmware in uefi bios; do
  disk=$(vm_disk_overlay "smoke-$firmware")
  vm_start "smoke-$firmware" --firmware "$firmware" --disk "$disk:virtio"
  vm_wait_ssh "smoke-$firmware" 600
  vm_ssh "smoke-$firmware" 'hostname; uname -r; systemctl is-system-running --wait || true'
  vm_poweroff "smoke-$firmware"
done
echo "smoke: ok in $((SECONDS - started)) s"
