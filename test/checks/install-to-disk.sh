#!/usr/bin/env bash
# Host-side checks of install-to-disk (ansible/roles/usb_installer/files/install-to-disk.sh)
# that need no VM: --help and usage errors, unique exit codes, partition names for
# sd/vd/nvme/mmcblk disks, and the refusals that are safe on any machine (a missing path,
# a regular file, a character device, a loop device and a partition of one). The refusals
# on real disks (boot disk, mounted, too small, --yes) and the install itself are proven in
# test/e2e/installer.sh.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
readonly SCRIPT=$PWD/ansible/roles/usb_installer/files/install-to-disk.sh
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "install-to-disk: ok: $*"; }
not_ok() { failed=$((failed + 1)); echo "install-to-disk: FAILED: $*"; }
# expect_exit DESCRIPTION WANT COMMAND...
expect_exit() {
  local what=$1 want=$2 rc=0 out; shift 2
  out=$("$@" 2>&1) || rc=$?
  if ((rc == want)); then ok "$what (exit $rc)"; else not_ok "$what: want exit $want, got $rc: $out"; fi
}
# in_script FUNCTION ARGS...: calls one of the script's functions (sourced: main does not run).
in_script() { bash -c 'source "$1"; shift; "$@"' in_script "$SCRIPT" "$@"; }

expect_exit "--help" 0 bash "$SCRIPT" --help
if bash "$SCRIPT" --help | grep -q '^Usage: install-to-disk'; then ok "--help prints the usage"; else not_ok "--help has no usage line"; fi
expect_exit "an unknown option" 2 bash "$SCRIPT" --bogus
expect_exit "--target without a value" 2 bash "$SCRIPT" --target

codes=$(grep -oE '^readonly EXIT_[A-Z_]+=[0-9]+' "$SCRIPT" | cut -d= -f2)
if [[ $(sort <<<"$codes" | uniq -d) == '' && $(wc -l <<<"$codes") -ge 12 ]]; then
  ok "$(wc -l <<<"$codes") named exit codes, all different"
else
  not_ok "exit codes are not unique: $(paste -sd' ' <<<"$codes")"
fi

while read -r disk n want; do
  got=$(in_script disk_partition_path "$disk" "$n")
  if [[ $got == "$want" ]]; then ok "partition $n of $disk is $got"; else not_ok "partition $n of $disk: want $want, got $got"; fi
done <<'TABLE'
/dev/sda 1 /dev/sda1
/dev/vdb 3 /dev/vdb3
/dev/xvda 2 /dev/xvda2
/dev/nvme0n1 1 /dev/nvme0n1p1
/dev/nvme1n1 3 /dev/nvme1n1p3
/dev/mmcblk0 2 /dev/mmcblk0p2
TABLE

expect_exit "refuses a missing path" 10 in_script check_target /dev/lolice-no-such-disk
scratch=$(mktemp -d)
loop=''
cleanup() { [[ -n $loop ]] && losetup -d "$loop"; rm -rf "$scratch"; }
trap cleanup EXIT
truncate -s 64M "$scratch/disk.img"
expect_exit "refuses a regular file" 11 in_script check_target "$scratch/disk.img"
expect_exit "refuses a character device" 11 in_script check_target /dev/zero

sgdisk --new=1:1M:+16M "$scratch/disk.img" >/dev/null
before=$(sha256sum <"$scratch/disk.img")
loop=$(losetup -f --show -P "$scratch/disk.img")
partx -u "$loop" 2>/dev/null || true
for _ in $(seq 20); do [[ -b ${loop}p1 ]] && break; sleep 0.25; done
expect_exit "refuses a loop device ($loop)" 13 in_script check_target "$loop"
expect_exit "refuses a partition (${loop}p1)" 12 in_script check_target "${loop}p1"
losetup -d "$loop" && loop=''
if [[ $(sha256sum <"$scratch/disk.img") == "$before" ]]; then ok "the refused loop disk is unchanged"; else not_ok "the refused loop disk changed"; fi

echo "install-to-disk: $passed passed, $failed failed"
((failed == 0))
