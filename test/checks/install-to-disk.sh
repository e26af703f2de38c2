#!/usr/bin/env bash
# Host-side checks of install-to-disk (ansible/roles/usb_installer/files/install-to-disk.sh)
# that need no VM: --help and usage errors, partition names for sd/vd/nvme/mmcblk disks, and
# the refusals that are safe on any machine (a missing path, a regular file, a character
# device, a loop device and a partition of one), each by its exit code (docs/exit-codes.md)
# and its message. The refusals on real disks (boot disk, mounted, too small, --yes) and the
# install itself are proven in test/e2e/installer.sh; its exit codes are tied to
# scripts/lib/common.sh by test/checks/exit-codes.sh.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh
readonly SCRIPT=$PWD/ansible/roles/usb_installer/files/install-to-disk.sh
# The exit codes, from the script itself (as it ships: it sources nothing).
eval "$(grep -E '^readonly EX_[A-Z]+=[0-9]+' "$SCRIPT")"
# in_script FUNCTION ARGS...: calls one of the script's functions (sourced: main does not run).
in_script() { bash -c 'source "$1"; shift; "$@"' in_script "$SCRIPT" "$@"; }

expect_exit 0 '^Usage: install-to-disk' "--help prints the usage" bash "$SCRIPT" --help
expect_exit "$EX_USAGE" 'unknown argument: --bogus' "an unknown option is a usage error" bash "$SCRIPT" --bogus
expect_exit "$EX_USAGE" '^Usage:' "--target without a value is a usage error" bash "$SCRIPT" --target

while read -r disk n want; do
  check "partition $n of $disk is $want" test "$(in_script disk_partition_path "$disk" "$n")" == "$want"
done <<'TABLE'
/dev/sda 1 /dev/sda1
/dev/vdb 3 /dev/vdb3
/dev/xvda 2 /dev/xvda2
/dev/nvme0n1 1 /dev/nvme0n1p1
/dev/nvme1n1 3 /dev/nvme1n1p3
/dev/mmcblk0 2 /dev/mmcblk0p2
TABLE

expect_exit "$EX_NOPERM" "refusing: .* does not exist" "refuses a missing path" in_script check_target /dev/lolice-no-such-disk
scratch=$(mktemp -d)
loop=''
cleanup() { [[ -n $loop ]] && losetup -d "$loop"; rm -rf "$scratch"; }
trap cleanup EXIT
truncate -s 64M "$scratch/disk.img"
expect_exit "$EX_NOPERM" "refusing: .* is not a block device \\(regular" "refuses a regular file" in_script check_target "$scratch/disk.img"
expect_exit "$EX_NOPERM" "refusing: .* is not a block device \\(character" "refuses a character device" in_script check_target /dev/zero

sgdisk --new=1:1M:+16M "$scratch/disk.img" >/dev/null
before=$(sha256sum <"$scratch/disk.img")
loop=$(losetup -f --show -P "$scratch/disk.img")
partx -u "$loop" 2>/dev/null || true
for _ in $(seq 20); do [[ -b ${loop}p1 ]] && break; sleep 0.25; done
expect_exit "$EX_NOPERM" "refusing: .* is a loop device" "refuses a loop device ($loop)" in_script check_target "$loop"
expect_exit "$EX_NOPERM" "refusing: .* is partition 1 of" "refuses a partition (${loop}p1)" in_script check_target "${loop}p1"
losetup -d "$loop" && loop=''
check "the refused loop disk is unchanged" test "$(sha256sum <"$scratch/disk.img")" == "$before"

t_summary
