#!/usr/bin/env bash
# End-to-end test of install-to-disk (ansible/roles/usb_installer/files/install-to-disk.sh)
# on the VM test bench (test/vm, see test/README.md):
#  1. boots the bench image (a raw copy with a known machine-id; root mounted read-only,
#     UEFI firmware so efivars exist) with three more disks: SATA 4 GiB, NVMe 4 GiB and
#     a 512 MiB virtio disk;
#  2. checks every refusal (exit code, message, nothing written: a source without the signed
#     shim or GRUB among them), the interactive mode (on a pseudo-terminal) and an interrupted
#     install (Ctrl-C while copying: everything unmounted, target marked INSTALL-FAILED);
#  3. installs non-interactively to the SATA and the NVMe disk and checks the layout, and that
#     the ESP holds the signed shim and GRUB (removable path and the NVRAM entry's directory);
#  4. powers off and checks the source disk's checksum is unchanged;
#  5. boots each installed disk alone, the SATA disk under OVMF with Secure Boot enforced
#     (Microsoft's keys: uefi-sb), the NVMe disk under SeaBIOS (BIOS), and checks it reached
#     multi-user with the right hostname, from its own root, with a new identity, and under
#     uefi-sb that Secure Boot is on (SecureBoot variable, mokutil, lockdown) (boots by
#     coverage: test/README.md, "Boots by coverage").
# The SSH calls to the source system share one connection (test/vm/lib.sh); a check counts
# sshd's logins to show it.
# Prints progress and "installer: N passed, M failed (S s)". Exit codes: docs/exit-codes.md.
# shellcheck disable=SC2016 # commands for the VM are single-quoted on purpose: they expand there
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/vm/lib.sh
source test/vm/lib.sh
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh

readonly INSTALLER=ansible/roles/usb_installer/files/install-to-disk.sh
readonly REMOTE=/tmp/install-to-disk   # the bench root is read-only; /tmp is a tmpfs
readonly HOSTNAME_WANTED=bench
readonly SOURCE_MACHINE_ID=5eed0000000000000000000000000001
# The installer's exit codes, from the script as it ships (tied to scripts/lib/common.sh by
# test/checks/exit-codes.sh).
eval "$(grep -E '^readonly EX_[A-Z]+=[0-9]+' "$INSTALLER")"
# The signed shim and GRUB, and their places on the ESP, as the installer names them.
eval "$(grep -E '^readonly (SIGNED|ESP)_[A-Z]+=' "$INSTALLER")"

say() { printf '\n=== installer: %s (%d s)\n' "$*" "$((SECONDS - T_STARTED))"; }
allocated() { stat -c %b "$1"; } # 512-byte blocks the sparse disk file really holds

# refusal NAME PATTERN ARGS...: runs the installer with ARGS in the source VM (no tty) and
# expects EX_NOPERM and the refusal's own message ("refusing: ..." matching PATTERN).
refusal() {
  local name=$1 pattern=$2; shift 2
  expect_exit "$EX_NOPERM" "refusing: $pattern" "refuses $name" vm_ssh src "$REMOTE $*"
}

vm_init
say "preparing disks"
source_disk=$(vm_disk_copy source)
printf '%s\n' "$SOURCE_MACHINE_ID" >"$VM_RUN_DIR/machine-id"
vm_disk_put "$source_disk" /etc/machine-id "$VM_RUN_DIR/machine-id" 0444
sata_disk=$(vm_disk_new target-sata 4G)
nvme_disk=$(vm_disk_new target-nvme 4G)
small_disk=$(vm_disk_new small-virtio 512M)
source_sum=$(sha256sum "$source_disk" | cut -d' ' -f1)
echo "source disk sha256 $source_sum"

say "booting the source system (UEFI, read-only root) with virtio, NVMe and SATA disks"
vm_start src --firmware uefi --ro --disk "$source_disk:virtio" --disk "$small_disk:virtio" \
  --disk "$sata_disk:sata" --disk "$nvme_disk:nvme"
vm_wait_ssh src 900
vm_scp src "$INSTALLER" "$REMOTE"
vm_ssh src "chmod 0755 $REMOTE; lsblk -o NAME,SIZE,TYPE,MOUNTPOINTS"
source_hostkey=$(vm_ssh src 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub' | cut -d' ' -f2)
check "source runs with machine-id $SOURCE_MACHINE_ID" \
  test "$(vm_ssh src cat /etc/machine-id)" == "$SOURCE_MACHINE_ID"

say "--help and --list"
check "--help prints usage and the exit codes" vm_ssh src "$REMOTE --help | grep -q 'Usage: install-to-disk' && $REMOTE --help | grep -q INSTALL-FAILED"
list=$(vm_ssh src "$REMOTE --list")
printf '%s\n' "$list"
check "--list offers /dev/sda, /dev/nvme0n1 and /dev/vdb" \
  test "$(cut -f1 <<<"$list" | sort | paste -sd' ')" == "/dev/nvme0n1 /dev/sda /dev/vdb"
check "--list gives sizes in bytes" grep -qxP '/dev/sda\t4294967296\t.*' <<<"$list"
check "--list never offers the boot disk /dev/vda" bash -c '! grep -q "^/dev/vda\b" <<<"$1"' _ "$list"

say "refusals (each before a byte is written)"
refusal "the boot disk" "/dev/vda holds the running system" --target /dev/vda --yes
refusal "a partition (of the boot disk)" "/dev/vda1 is partition 1 of /dev/vda" --target /dev/vda1 --yes
refusal "a missing path" "/dev/does-not-exist does not exist" --target /dev/does-not-exist --yes
refusal "a regular file" "/etc/hostname is not a block device" --target /etc/hostname --yes
refusal "a character device" "/dev/null is not a block device" --target /dev/null --yes
refusal "a too-small disk" "/dev/vdb has [0-9]+ MiB, the running system needs" --target /dev/vdb --yes
vm_ssh src 'mkfs.ext4 -q -F -L busy /dev/vdb && mount /dev/vdb /mnt'
refusal "a disk with a mounted file system" "/dev/vdb is in use: /dev/vdb is mounted on /mnt" --target /dev/vdb --yes
check "the mounted disk still holds its file system" vm_ssh src 'test "$(blkid -s LABEL -o value /dev/vdb)" = busy && findmnt -n /mnt >/dev/null'
vm_ssh src 'umount /mnt'
loop=$(vm_ssh src 'truncate -s 4G /tmp/loop.img && losetup -f --show /tmp/loop.img')
refusal "a loop device" "/dev/loop[0-9]+ is a loop device" --target "$loop" --yes
vm_ssh src "losetup -d $loop; rm /tmp/loop.img"
refusal "non-interactive use without --yes" "no terminal to confirm on" --target /dev/sda
refusal "interactive mode without a terminal" "interactive mode needs a terminal"
expect_exit "$EX_USAGE" 'unknown argument: --force' "an unknown option is a usage error" vm_ssh src "$REMOTE --target /dev/sda --force"
vm_ssh src "mount -t tmpfs -o size=1M hidden ${SIGNED_SHIM%/*}"
expect_exit "$EX_UNAVAILABLE" "refusing: the signed boot chain is missing \\($SIGNED_SHIM\\).*install shim-signed and grub-efi-amd64-signed" \
  "refuses a source without the signed shim (shim-signed), before anything else" vm_ssh src "$REMOTE --target /dev/sda --yes"
vm_ssh src "umount ${SIGNED_SHIM%/*}"
check "refusals wrote nothing to the SATA and NVMe disks" \
  test "$(allocated "$sata_disk")/$(allocated "$nvme_disk")" == 0/0

say "interactive mode on a pseudo-terminal: choose disk 1, then answer 'no'"
rc=0
out=$(vm_ssh src "printf '1\nno\n' | script -qec $REMOTE /dev/null") || rc=$?
printf '%s\n' "$out" | tr -d '\r' | sed 's/^/  | /'
check "interactive abort exits $EX_NOPERM (got $rc), not confirmed" \
  bash -c '[[ $1 == "$2" ]] && grep -q "refusing: not confirmed" <<<"$3"' _ "$rc" "$EX_NOPERM" "$out"
check "interactive menu lists the disks, not the boot disk" \
  bash -c 'grep -q "1) /dev/" <<<"$1" && ! grep -q "/dev/vda " <<<"$1"' _ "$out"
check "the chosen value is a clean disk path (prompts do not leak into it)" \
  grep -qE 'ALL DATA ON /dev/(nvme0n1|sda|vdb) WILL BE ERASED' <<<"$out"
check "interactive abort wrote nothing" test "$(allocated "$sata_disk")/$(allocated "$nvme_disk")" == 0/0

say "interrupted install (SIGINT to the installer's process group while it copies)"
vm_ssh src "setsid bash -c '$REMOTE --target /dev/nvme0n1 --yes >/tmp/interrupted.log 2>&1; echo \$? >/tmp/interrupted.rc' </dev/null >/dev/null 2>&1 & echo \$! >/tmp/interrupted.pgid"
vm_ssh src 'for i in $(seq 300); do grep -q "copying /" /tmp/interrupted.log && exit 0; sleep 1; done; exit 1' ||
  t_fail "the interrupted install never reached the copy"
sleep 2
vm_ssh src 'kill -INT -- -"$(cat /tmp/interrupted.pgid)"; for i in $(seq 120); do [ -s /tmp/interrupted.rc ] && exit 0; sleep 1; done; exit 1' ||
  t_fail "the interrupted installer did not exit"
vm_ssh src 'sed "s/^/  | /" /tmp/interrupted.log | grep -v "%"'
check "interrupted install exits $EX_IOERR (a failed write: the disk is marked)" test "$(vm_ssh src cat /tmp/interrupted.rc)" == "$EX_IOERR"
check "interrupted install says what failed" vm_ssh src 'grep -q "FAILED while copying" /tmp/interrupted.log'
check "interrupted install left nothing mounted" vm_ssh src '! findmnt -rn -o SOURCE | grep -q nvme0n1 && ! ls -d /run/install-to-disk.* 2>/dev/null'
check "interrupted install marked the root partition INSTALL-FAILED" \
  test "$(vm_ssh src 'blkid -p -o value -s PART_ENTRY_NAME /dev/nvme0n1p3')" == INSTALL-FAILED
check "interrupted install left a marker file in the root file system" \
  vm_ssh src 'mount -o ro /dev/nvme0n1p3 /mnt && trap "umount /mnt" EXIT && grep -q "copying" /mnt/INSTALL-FAILED.txt'

say "an EFI system partition on /dev/vdb at /boot/efi (as on the USB stick), a loop mount at /srv"
vm_ssh src 'mkfs.vfat -n SOURCEESP /dev/vdb >/dev/null && mount /dev/vdb /boot/efi && mkdir -p /boot/efi/EFI/source && echo source >/boot/efi/EFI/source/marker'
list=$(vm_ssh src "$REMOTE --list")
check "--list no longer offers /dev/vdb (it holds /boot/efi)" bash -c '! grep -q "^/dev/vdb" <<<"$1"' _ "$list"
refusal "the disk that holds /boot/efi" "/dev/vdb holds the running system \\(/boot/efi" --target /dev/vdb --yes
vm_ssh src 'truncate -s 64M /tmp/srv.img && mkfs.ext4 -q /tmp/srv.img && mount -o loop /tmp/srv.img /srv && touch /srv/from-a-loop-mount'

install_to() { # install_to DEV PART_PREFIX
  local dev=$1 p=$2 t0=$SECONDS rc=0
  say "install-to-disk --target $dev --yes"
  vm_ssh src "$REMOTE --target $dev --yes" || rc=$?
  check "install to $dev exits 0 (took $((SECONDS - t0)) s)" test "$rc" == 0
  local layout
  layout=$(vm_ssh src "for n in 1 2 3; do echo \$n \$(blkid -p -o value -s PART_ENTRY_NAME ${p}\$n) \$(blkid -p -o value -s TYPE ${p}\$n); done | paste -sd' '")
  check "$dev: partitions ${p}1 bios-boot, ${p}2 EFI (vfat), ${p}3 root (ext4) [$layout]" \
    test "$layout" == "1 bios-boot 2 EFI vfat 3 root ext4"
  check "$dev: partition types BIOS boot (EF02), ESP (EF00)" \
    vm_ssh src "sgdisk -p $dev | grep -qE '^ +1 .* EF02 ' && sgdisk -p $dev | grep -qE '^ +2 .* EF00 '"
  check "$dev: GRUB i386-pc in the MBR, EFI/BOOT/BOOTX64.EFI on its own ESP (nothing of the source's ESP)" vm_ssh src "
    dd if=$dev bs=512 count=1 2>/dev/null | grep -aq GRUB &&
    mount -o ro ${p}2 /mnt && trap 'umount /mnt' EXIT && test -s /mnt/EFI/BOOT/BOOTX64.EFI &&
    test ! -e /mnt/EFI/source"
  check "$dev: the signed chain on its ESP: $ESP_SHIM is $SIGNED_SHIM, $ESP_GRUB is $SIGNED_GRUB, and so are the NVRAM entry's EFI/debian/shimx64.efi and grubx64.efi" vm_ssh src "
    mount -o ro ${p}2 /mnt && trap 'umount /mnt' EXIT &&
    cmp $SIGNED_SHIM /mnt/$ESP_SHIM && cmp $SIGNED_GRUB /mnt/$ESP_GRUB &&
    cmp $SIGNED_SHIM /mnt/EFI/debian/shimx64.efi && cmp $SIGNED_GRUB /mnt/EFI/debian/grubx64.efi"
  check "$dev: fstab by UUID, machine-id empty, SSH host keys removed, keygen unit enabled, loop mount not copied" vm_ssh src "
    mount -o ro ${p}3 /mnt && trap 'umount /mnt' EXIT &&
    grep -q \"^UUID=\$(blkid -s UUID -o value ${p}3) / ext4 \" /mnt/etc/fstab &&
    grep -q \"^UUID=\$(blkid -s UUID -o value ${p}2) /boot/efi vfat \" /mnt/etc/fstab &&
    test ! -s /mnt/etc/machine-id && ! ls /mnt/etc/ssh/ssh_host_* 2>/dev/null &&
    test -d /mnt/srv && test ! -e /mnt/srv/from-a-loop-mount &&
    test -L /mnt/etc/systemd/system/multi-user.target.wants/install-to-disk-ssh-host-keys.service &&
    test \"\$(cat /mnt/etc/hostname)\" = $HOSTNAME_WANTED"
}
install_to /dev/sda /dev/sda
install_to /dev/nvme0n1 /dev/nvme0n1p
check "UEFI NVRAM entry written (booted by OVMF, efivars present), starting the shim" vm_ssh src 'efibootmgr -v | grep -i debian | grep -qi "shimx64.efi"'

logins=$(vm_ssh src 'journalctl -b -u ssh --no-pager | grep -c "Accepted publickey for root"' || true)
check "the source system's many SSH calls shared one connection: sshd accepted ${logins:-?} root logins (at most 3)" \
  test "${logins:-99}" -le 3
# The source's root is read-only and the installer unmounted what it wrote: QEMU is ended, not
# shut down, so the installed disks must be complete when install-to-disk says done.
say "stopping the source system"
vm_stop src
check "the source disk is unchanged (sha256 $source_sum)" \
  test "$(sha256sum "$source_disk" | cut -d' ' -f1)" == "$source_sum"

boot_installed() { # boot_installed NAME DISK BUS FIRMWARE ROOT_DEVICE
  local name=$1 disk=$2 bus=$3 firmware=$4 root=$5
  say "booting the installed $bus disk alone under $firmware"
  vm_start "$name" --boot disk --firmware "$firmware" --disk "$disk:$bus"
  vm_wait_ssh "$name" 900
  local facts
  # A fresh connection: the host key it reads is the one sshd presents.
  facts=$(vm_ssh_fresh "$name" 'systemctl is-active multi-user.target; hostname; findmnt -nvo SOURCE /;
    test -d /sys/firmware/efi && echo uefi || echo bios; cat /etc/machine-id;
    ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub | cut -d" " -f2;
    od -An -tu1 -j4 -N1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c 2>/dev/null | tr -d " " | grep . || echo none;
    mokutil --sb-state 2>&1 | head -n1; grep -o "\[[a-z]*\]" /sys/kernel/security/lockdown;
    systemctl is-system-running || true')
  printf '%s\n' "$facts" | sed 's/^/  | /'
  mapfile -t f <<<"$facts"
  check "$name: multi-user.target active" test "${f[0]}" == active
  check "$name: hostname $HOSTNAME_WANTED" test "${f[1]}" == "$HOSTNAME_WANTED"
  check "$name: root is $root" test "${f[2]}" == "$root"
  check "$name: booted by $firmware firmware" test "${f[3]}" == "${firmware%-sb}"
  check "$name: new machine-id" bash -c '[[ $1 =~ ^[0-9a-f]{32}$ && $1 != "$2" ]]' _ "${f[4]}" "$SOURCE_MACHINE_ID"
  check "$name: new SSH host key" bash -c '[[ -n $1 && $1 != "$2" ]]' _ "${f[5]}" "$source_hostkey"
  if [[ $firmware == uefi-sb ]]; then
    check "$name: Secure Boot enforced: SecureBoot variable 1, mokutil 'SecureBoot enabled', lockdown [integrity]" \
      test "${f[6]}/${f[7]}/${f[8]}" == "1/SecureBoot enabled/[integrity]"
  fi
  vm_poweroff "$name"
}
# Boots by coverage, not by product (test/README.md, "Boots by coverage"): each installed disk
# once, the SATA disk under UEFI with Secure Boot enforced, the NVMe disk under BIOS;
# first-boot.sh boots the other pairs.
boot_installed sata-uefi-sb "$sata_disk" sata uefi-sb /dev/sda3
boot_installed nvme-bios "$nvme_disk" nvme bios /dev/nvme0n1p3

t_summary
