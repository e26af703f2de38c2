#!/usr/bin/env bash
# Host-side checks of install-to-disk (ansible/roles/usb_installer/files/install-to-disk.sh)
# that need no VM: --help and usage errors, partition names for sd/vd/nvme/mmcblk disks, and
# the refusals that are safe on any machine (a missing path, a regular file, a character
# device, a loop device and a partition of one), each by its exit code (docs/exit-codes.md)
# and its message; the signed boot chain on a scratch root (a source without shim-signed or
# grub-efi-amd64-signed is refused before the target is looked at; an ESP whose loader files are
# not byte for byte the signed shim and GRUB is named). The refusals on real disks (boot disk, mounted, too small, --yes) and the
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

# The signed boot chain, on a scratch root: what the source must hold, what the ESP must be.
eval "$(grep -E '^readonly (SIGNED|ESP)_[A-Z]+=' "$SCRIPT")"
root=$scratch/root
mkdir -p "$root${SIGNED_SHIM%/*}" "$root${SIGNED_GRUB%/*}" "$root/boot/efi/${ESP_SHIM%/*}" "$root/boot/efi/EFI/debian"
check "a source without shim-signed and grub-efi-amd64-signed lacks both" \
  test "$(in_script boot_signed_missing "$root")" == "$SIGNED_SHIM"$'\n'"$SIGNED_GRUB"
printf 'shim, signed by Microsoft\n' >"$root$SIGNED_SHIM"
check "a source without grub-efi-amd64-signed lacks the signed GRUB" test "$(in_script boot_signed_missing "$root")" == "$SIGNED_GRUB"
printf 'GRUB, signed by the distribution\n' >"$root$SIGNED_GRUB"
check "a source with both lacks nothing" test -z "$(in_script boot_signed_missing "$root")"
if [[ -z $(in_script boot_signed_missing '') ]]; then
  check "this host has the signed chain: require_signed_boot passes" in_script require_signed_boot
else
  expect_exit "$EX_UNAVAILABLE" "refusing: the signed boot chain is missing .*install shim-signed and grub-efi-amd64-signed" \
    "refuses a source without the signed shim or GRUB (this host), before anything else" in_script require_signed_boot
fi
# shellcheck disable=SC2016 # awk's pattern names the script's own "$target", literally
check "main checks the signed chain before it looks at the target" \
  awk '/^main\(\)/ {m = 1} m && /require_signed_boot/ {s = NR} m && /check_target "\$target"/ {t = NR} END {exit !(s && t && s < t)}' "$SCRIPT"

cp "$root$SIGNED_SHIM" "$root/boot/efi/$ESP_SHIM"
cp "$root$SIGNED_GRUB" "$root/boot/efi/$ESP_GRUB"
check "an ESP with the signed shim and GRUB passes" test -z "$(in_script boot_esp_unsigned "$root")"
printf 'core.efi (grub-mkimage, unsigned)\n' >"$root/boot/efi/$ESP_GRUB"
check "an unsigned GRUB core image on the ESP is named" \
  test "$(in_script boot_esp_unsigned "$root")" == "/boot/efi/$ESP_GRUB is not $SIGNED_GRUB"
rm "$root/boot/efi/$ESP_SHIM"
check "a missing shim on the ESP is named too" \
  test "$(in_script boot_esp_unsigned "$root" | wc -l)" == 2
cp "$root$SIGNED_SHIM" "$root/boot/efi/EFI/debian/shimx64.efi"
cp "$root$SIGNED_GRUB" "$root/boot/efi/EFI/debian/grubx64.efi"
check "the NVRAM entry's directory (EFI/debian) with the signed shim and GRUB passes" \
  test -z "$(in_script boot_esp_unsigned "$root" debian)"
cp "$root$SIGNED_GRUB" "$root/boot/efi/EFI/debian/shimx64.efi"
check "... and GRUB in the place of the shim there is named" \
  test "$(in_script boot_esp_unsigned "$root" debian)" == "/boot/efi/EFI/debian/shimx64.efi is not $SIGNED_SHIM"

t_summary
