#!/usr/bin/env bash
# install-to-disk: copies the running system (booted from a USB stick) to an internal disk
# and makes that disk bootable on both BIOS and UEFI firmware.
# Installed as /usr/local/bin/install-to-disk by the Ansible role usb_installer.
set -Eeuo pipefail

readonly PROG=install-to-disk
# Exit codes: sysexits(3), as every operator script (docs/exit-codes.md). This script is
# shipped alone, so it repeats the values of scripts/lib/common.sh; test/checks/exit-codes.sh
# fails when they differ. Every refusal happens before a byte is written; its message says
# which refusal it is.
readonly EX_USAGE=64       # unknown option or missing argument
readonly EX_UNAVAILABLE=69 # a command, GRUB platform or the signed shim/GRUB is missing; no disk
readonly EX_IOERR=74       # the install failed or was interrupted after writing began (target marked)
readonly EX_NOPERM=77      # not root; --target refused (missing, not a whole physical disk, the
                           # boot disk, in use, too small); no terminal and no --yes; not confirmed

# Layout of the target disk (GPT): BIOS boot for i386-pc GRUB, the EFI system partition,
# and root on the rest. The root partition's GPT name tells the state of the install.
readonly BIOS_BOOT_MIB=1
readonly ESP_MIB=512
readonly ROOT_NAME_BUSY=install-in-progress
readonly ROOT_NAME_DONE=root
readonly ROOT_NAME_FAILED=INSTALL-FAILED
readonly MARKER_FILE=INSTALL-FAILED.txt
readonly SSH_KEYGEN_UNIT=install-to-disk-ssh-host-keys.service
# Never copied (the directories themselves are kept, empty).
readonly COPY_EXCLUDES=(/dev /proc /sys /run /tmp /mnt /media /lost+found)
# Secure Boot stays on: the Microsoft-signed shim (shim-signed) and the distribution-signed GRUB
# (grub-efi-amd64-signed), which grub-install --uefi-secure-boot copies to the ESP (the shim as
# the loader, GRUB beside it under the name shim starts). Without them grub-install writes an
# unsigned core image to the same place, without a warning; so the source must have them and the
# ESP is compared with them afterwards. (autoinstall-gen's SIGNED_BOOT; tied by
# test/installer/signed-boot.test.ts.)
readonly SIGNED_SHIM=/usr/lib/shim/shimx64.efi.signed
readonly SIGNED_GRUB=/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed
readonly ESP_SHIM=EFI/BOOT/BOOTX64.EFI
readonly ESP_GRUB=EFI/BOOT/grubx64.efi

# State for the EXIT trap.
TARGET_DISK=''
WORK_DIR=''
WRITING=0
STEP=''

usage() {
  cat <<EOF
Usage: $PROG [--target DISK [--yes]] | --list | --help

Copies the running system to DISK and makes DISK bootable on BIOS and UEFI machines.
EVERYTHING ON DISK IS ERASED. The disk the running system booted from is never offered
and never accepted.

  (no options)      interactive: lists the disks, asks for one, asks you to type "yes"
  --target DISK     the whole disk to install to (/dev/nvme0n1, /dev/sda, /dev/vdb, ...)
  --yes             do not ask for confirmation (needed when there is no terminal)
  --list            print the disks it would install to, one a line, tab-separated:
                    path, size in bytes, transport, model, serial
  -h, --help        this text

DISK gets a GPT with a BIOS boot partition ($BIOS_BOOT_MIB MiB), an EFI system partition
($ESP_MIB MiB, FAT32) and an ext4 root on the rest; GRUB for i386-pc and x86_64-efi with the
signed chain for Secure Boot (the signed shim as the removable path $ESP_SHIM, the
signed GRUB beside it, both checked byte for byte; plus an NVRAM entry when booted by UEFI); an
fstab by UUID; a new machine-id and new SSH host keys on first boot.

Exit codes (docs/exit-codes.md; every refusal happens before anything is written):
  0    installed
  $EX_USAGE   bad arguments
  $EX_UNAVAILABLE   a needed command or GRUB platform is missing, the signed shim or GRUB is
       missing (shim-signed, grub-efi-amd64-signed), or no disk to install to
  $EX_IOERR   failed or interrupted after writing began: DISK's root partition is named
       $ROOT_NAME_FAILED
  $EX_NOPERM   not run as root, or refused: DISK does not exist, is not a block device, is a
       partition, is a loop/zram/ram/optical/mapped/read-only device, holds the running
       system, is mounted or in use, or is too small; no terminal and no --yes; not confirmed
  130  interrupted (SIGINT), 143 terminated (SIGTERM), before writing began
EOF
}

# ---- logging: everything human goes to stderr; stdout carries only --list output ----
log_info() { printf '%s: %s\n' "$PROG" "$*" >&2; }
log_step() { STEP=$2; printf '%s: [%s/7] %s\n' "$PROG" "$1" "$2" >&2; }
refuse() {
  local code=$1; shift
  printf '%s: refusing: %s\n' "$PROG" "$*" >&2
  exit "$code"
}

require_cmd() {
  local cmd missing=()
  for cmd in "$@"; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
  ((${#missing[@]} == 0)) || refuse "$EX_UNAVAILABLE" "missing commands: ${missing[*]}; install them (the usb_installer role does)"
}

require_grub_platforms() {
  local platform
  for platform in i386-pc x86_64-efi; do
    [[ -d /usr/lib/grub/$platform ]] ||
      refuse "$EX_UNAVAILABLE" "GRUB platform $platform is missing (/usr/lib/grub/$platform); install grub-pc-bin and grub-efi-amd64-bin"
  done
}

# ---- the signed boot chain ----

# boot_signed_missing ROOT: the signed binaries missing under ROOT ('' for the running system).
boot_signed_missing() {
  local root=$1 file
  for file in "$SIGNED_SHIM" "$SIGNED_GRUB"; do
    [[ -f $root$file ]] || echo "$file"
  done
}

require_signed_boot() {
  local missing
  missing=$(boot_signed_missing '')
  [[ -z $missing ]] ||
    refuse "$EX_UNAVAILABLE" "the signed boot chain is missing ($(paste -sd ' ' <<<"$missing")): grub-install would write an unsigned image that Secure Boot refuses; install shim-signed and grub-efi-amd64-signed (the usb_installer role does)"
}

# boot_esp_unsigned ROOT [DIR]: the loader files on ROOT's ESP (the removable path, or EFI/DIR
# for an NVRAM entry) that are not byte for byte the signed shim and GRUB, one a line. An
# absolute symlink (Ubuntu's shimx64.efi.signed is an alternative) resolves in the running
# system, the source ROOT was copied from: the same bytes.
boot_esp_unsigned() {
  local root=$1 dir=${2:-} shim=$ESP_SHIM grub=$ESP_GRUB
  [[ -z $dir ]] || shim=EFI/$dir/shimx64.efi grub=EFI/$dir/grubx64.efi
  cmp -s -- "$root$SIGNED_SHIM" "$root/boot/efi/$shim" || echo "/boot/efi/$shim is not $SIGNED_SHIM"
  cmp -s -- "$root$SIGNED_GRUB" "$root/boot/efi/$grub" || echo "/boot/efi/$grub is not $SIGNED_GRUB"
  return 0
}

# ---- disks ----

# disk_partition_path DISK N: the kernel's name for partition N of DISK
# (/dev/sda -> /dev/sda1, /dev/nvme0n1 -> /dev/nvme0n1p1, /dev/mmcblk0 -> /dev/mmcblk0p1).
disk_partition_path() {
  local disk=$1 n=$2
  if [[ $disk =~ [0-9]$ ]]; then echo "${disk}p$n"; else echo "$disk$n"; fi
}

# disk_of_source SOURCE: the whole disks under a mount source (through partitions, LVM, RAID).
disk_of_source() {
  local src=$1
  [[ -b $src ]] || return 0
  lsblk -nrpso NAME,TYPE "$src" 2>/dev/null | awk '$2 == "disk" { print $1 }'
}

# disk_boot_mounts: "disk<TAB>mount point<TAB>source" for each mount of the running system
# (/, /boot, /boot/efi, /usr, /var, live media) and each disk under it.
disk_boot_mounts() {
  local mnt src disk
  for mnt in / /boot /boot/efi /usr /var /run/live/medium /lib/live/mount/medium /cdrom; do
    src=$(findmnt -nvo SOURCE --mountpoint "$mnt" 2>/dev/null | head -n1) || continue
    [[ -n $src ]] || continue
    for disk in $(disk_of_source "$src"); do printf '%s\t%s\t%s\n' "$disk" "$mnt" "$src"; done
  done
}

# disk_boot_disks: the disks the running system lives on.
disk_boot_disks() { disk_boot_mounts | cut -f1 | sort -u; }

# disk_unsuitable_reason NAME: why the kernel block device NAME is no install target ('' if fine).
disk_unsuitable_reason() {
  local name=$1 sys=/sys/block/$1
  case $name in
    loop*) echo "a loop device"; return ;;
    zram*) echo "a compressed RAM disk (zram)"; return ;;
    ram*) echo "a RAM disk"; return ;;
    sr* | fd*) echo "an optical or floppy drive"; return ;;
    dm-* | md*) echo "a device-mapper or RAID device, not a physical disk"; return ;;
  esac
  [[ -e $sys/device ]] || { echo "not backed by a disk device"; return; }
  [[ $(cat "$sys/device/type" 2>/dev/null || echo 0) != 5 ]] || { echo "an optical drive"; return; }
  [[ $(cat "$sys/ro") == 0 ]] || { echo "read-only"; return; }
  [[ $(cat "$sys/size") != 0 ]] || { echo "empty (no medium)"; return; }
}

# disk_candidates: whole disks one may install to, as "path<TAB>bytes<TAB>tran<TAB>model<TAB>serial".
disk_candidates() {
  local boot sys name path
  boot=$(disk_boot_disks)
  for sys in /sys/block/*; do
    name=${sys##*/} path=/dev/$name
    [[ -z $(disk_unsuitable_reason "$name") ]] || continue
    grep -qxF "$path" <<<"$boot" && continue
    printf '%s\t%s\t%s\t%s\t%s\n' "$path" "$(($(cat "$sys/size") * 512))" \
      "$(lsblk -dno TRAN "$path" 2>/dev/null | xargs)" \
      "$(lsblk -dno MODEL "$path" 2>/dev/null | tr -s '\t ' ' ' | xargs)" \
      "$(lsblk -dno SERIAL "$path" 2>/dev/null | xargs)"
  done
}

# disk_in_use DISK: prints what uses DISK or its partitions (mounts, swap, holders).
disk_in_use() {
  local disk=$1 dev mnt holder
  while read -r dev; do
    while read -r mnt; do
      [[ -n $mnt ]] && echo "$dev is mounted on $mnt"
    done < <(findmnt -rno TARGET --source "$dev" 2>/dev/null)
    if awk 'NR > 1 { print $1 }' /proc/swaps | grep -qxF "$dev"; then echo "$dev is active swap"; fi
    for holder in /sys/class/block/"${dev##*/}"/holders/*; do
      [[ -e $holder ]] && echo "$dev is held by /dev/${holder##*/}"
    done
  done < <(lsblk -nrpo NAME "$disk")
  return 0
}

# fs_system_mounts: the mount points whose file systems are copied: / and every other
# whole-file-system mount (no bind mount) of a block device on the boot disk(s), except
# /boot/efi and the excluded trees (so never this script's own mounts under /run, nor loop
# mounts such as snaps, nor file systems of other disks).
fs_system_mounts() {
  local boot target src fsroot ex skip seen
  boot=$(disk_boot_disks)
  seen=" $(findmnt -nvo SOURCE --mountpoint /) "
  echo /
  while read -r target src fsroot; do
    [[ $target != / && $target != /boot/efi && $fsroot == / && -b $src ]] || continue
    [[ $seen == *" $src "* ]] && continue
    skip=0
    for ex in "${COPY_EXCLUDES[@]}"; do
      [[ $target == "$ex" || $target == "$ex"/* ]] && skip=1
    done
    ((skip)) && continue
    disk_of_source "$src" | grep -qxF -f - <(printf '%s\n' "$boot") || continue
    seen+="$src "
    echo "$target"
  done < <(findmnt -rnvo TARGET,SOURCE,FSROOT | sort)
}

# fs_used_bytes: bytes used by the file systems fs_system_mounts copies.
fs_used_bytes() {
  local total=0 mnt used
  while read -r mnt; do
    used=$(df -B1 --output=used "$mnt" | tail -n1)
    total=$((total + used))
  done < <(fs_system_mounts)
  echo "$total"
}

# ---- checks: all of them before the first write ----

# check_target PATH: refuses anything but a whole, unused, big-enough disk that is not the
# boot disk; prints the canonical /dev path.
check_target() {
  local path=$1 real name sys
  [[ -e $path ]] || refuse "$EX_NOPERM" "$path does not exist; run '$PROG --list' to see the disks"
  [[ -b $path ]] || refuse "$EX_NOPERM" "$path is not a block device ($(stat -Lc %F "$path")); give a whole disk such as /dev/nvme0n1 or /dev/sda"
  real=$(readlink -f "$path") name=${real##*/} sys=/sys/class/block/${real##*/}
  if [[ -e $sys/partition ]]; then
    local parent
    parent=$(basename "$(readlink -f "$sys/..")")
    refuse "$EX_NOPERM" "$path is partition $(cat "$sys/partition") of /dev/$parent; give the whole disk (/dev/$parent)"
  fi
  local reason
  reason=$(disk_unsuitable_reason "$name")
  [[ -z $reason ]] || refuse "$EX_NOPERM" "$path is $reason; give a physical disk (see '$PROG --list')"
  local held
  held=$(disk_boot_mounts | awk -F '\t' -v d="/dev/$name" '$1 == d { printf "%s%s on %s", sep, $2, $3; sep = ", " }')
  [[ -z $held ]] || refuse "$EX_NOPERM" "$path holds the running system ($held); it is the disk to install FROM; choose another disk"
  local usage
  usage=$(disk_in_use "/dev/$name")
  [[ -z $usage ]] || refuse "$EX_NOPERM" "$path is in use: $(paste -sd ';' <<<"$usage"); unmount it (umount, swapoff) first"
  local size need
  size=$(($(cat "/sys/block/$name/size") * 512))
  need=$(target_min_bytes)
  ((size >= need)) || refuse "$EX_NOPERM" "$path has $((size >> 20)) MiB, the running system needs at least $((need >> 20)) MiB; choose a bigger disk"
  echo "/dev/$name"
}

# target_min_bytes: the system's used bytes plus 10 %, the boot partitions and 256 MiB.
target_min_bytes() {
  local used
  used=$(fs_used_bytes)
  echo $((used + used / 10 + (BIOS_BOOT_MIB + ESP_MIB + 2 + 256) * 1024 * 1024))
}

# ---- interactive mode: prompts on stderr, answers from the terminal on stdin ----

ask() {
  local prompt=$1 answer
  printf '%s' "$prompt" >&2
  IFS= read -r answer || answer=''
  printf '%s' "$answer"
}

choose_disk() {
  local -a disks=()
  mapfile -t disks < <(disk_candidates)
  ((${#disks[@]})) || refuse "$EX_UNAVAILABLE" "no disk to install to (the boot disk is never offered); attach the target disk and try again"
  local i path bytes tran model serial
  printf 'Disks (the disk this system runs from is not listed):\n' >&2
  for i in "${!disks[@]}"; do
    IFS=$'\t' read -r path bytes tran model serial <<<"${disks[$i]}"
    printf '  %d) %-14s %8s MiB  %-5s %s %s\n' "$((i + 1))" "$path" "$((bytes >> 20))" "${tran:--}" "$model" "$serial" >&2
  done
  local choice
  choice=$(ask "Install to which disk? [1-${#disks[@]}, q to quit]: ")
  if [[ ! $choice =~ ^[0-9]+$ ]] || ((choice < 1 || choice > ${#disks[@]})); then
    refuse "$EX_NOPERM" "no disk chosen ('$choice'); nothing was written"
  fi
  printf '%s' "${disks[$((choice - 1))]%%$'\t'*}"
}

confirm() {
  local disk=$1 answer
  lsblk -o NAME,SIZE,TYPE,FSTYPE,LABEL,MODEL "$disk" >&2 || true
  answer=$(ask "ALL DATA ON $disk WILL BE ERASED. Type yes to install: ")
  [[ $answer == yes ]] || refuse "$EX_NOPERM" "not confirmed (typed '$answer', not 'yes'); nothing was written"
}

# ---- the install ----

install_partition() {
  local disk=$1 part
  for part in $(lsblk -nrpo NAME,TYPE "$disk" | awk '$2 == "part" { print $1 }'); do
    wipefs -aq "$part"
  done
  wipefs -aq "$disk" 2>/dev/null || wipefs -aq "$disk"
  sgdisk --zap-all "$disk" >/dev/null
  sgdisk --new=1:1M:+${BIOS_BOOT_MIB}M --typecode=1:EF02 --change-name=1:bios-boot \
    --new=2:0:+${ESP_MIB}M --typecode=2:EF00 --change-name=2:EFI \
    --new=3:0:0 --typecode=3:8304 --change-name=3:$ROOT_NAME_BUSY "$disk" >/dev/null
  partx -u "$disk" 2>/dev/null || true
  udevadm settle || true
  local n waited=0
  for n in 1 2 3; do
    part=$(disk_partition_path "$disk" "$n")
    until [[ -b $part ]]; do
      ((waited++ < 20)) || { log_info "partition $part did not appear"; return 1; }
      sleep 0.5
    done
  done
}

install_filesystems() {
  local disk=$1
  mkfs.vfat -F 32 -n EFI "$(disk_partition_path "$disk" 2)" >/dev/null
  mkfs.ext4 -F -q "$(disk_partition_path "$disk" 3)"
}

install_mount() {
  local disk=$1 target=$WORK_DIR/target
  mkdir -p "$target"
  mount "$(disk_partition_path "$disk" 3)" "$target"
  mkdir -p "$target/boot/efi"
  mount "$(disk_partition_path "$disk" 2)" "$target/boot/efi"
}

# install_copy: rsync of every system mount; progress lines at each 10 % step.
install_copy() {
  local target=$WORK_DIR/target mnt ex swap
  local -a opts=(-aHAXx --numeric-ids --info=progress2 --no-inc-recursive)
  for ex in "${COPY_EXCLUDES[@]}"; do opts+=("--exclude=$ex/*"); done
  # The running system's ESP is not copied: the target's own ESP is mounted there (FAT takes
  # no owners or modes) and gets GRUB from grub-install.
  opts+=(--exclude=/boot/efi)
  while read -r swap; do opts+=("--exclude=$swap"); done < <(awk 'NR > 1 && $2 == "file" { print $1 }' /proc/swaps)
  while read -r mnt; do
    log_info "copying $mnt"
    mkdir -p "$target$mnt"
    rsync "${opts[@]}" "${mnt%/}/" "$target${mnt%/}/" | tr '\r' '\n' | awk '
      match($0, /[0-9]+%/) { p = substr($0, RSTART, RLENGTH - 1) + 0
        if (p >= last + 10 || p == 100 && last != 100) { printf "  %3d%%  %s\n", p, $1 > "/dev/stderr"; last = p - p % 10 } }'
  done < <(fs_system_mounts)
}

install_configure() {
  local disk=$1 target=$WORK_DIR/target root_uuid esp_uuid
  root_uuid=$(blkid -s UUID -o value "$(disk_partition_path "$disk" 3)")
  esp_uuid=$(blkid -s UUID -o value "$(disk_partition_path "$disk" 2)")
  cat >"$target/etc/fstab" <<EOF
# /etc/fstab: written by $PROG
UUID=$root_uuid / ext4 errors=remount-ro 0 1
UUID=$esp_uuid /boot/efi vfat umask=0077 0 1
EOF
  # A new identity: systemd makes a machine-id on first boot; SSH host keys are made anew.
  : >"$target/etc/machine-id"
  [[ -L $target/var/lib/dbus/machine-id ]] || rm -f "$target/var/lib/dbus/machine-id"
  rm -f "$target/var/lib/systemd/random-seed" "$target"/etc/ssh/ssh_host_*
  # The root grower of a worker image (role first_boot) runs again on the new disk's first
  # boot: it finds the root already full and records that, as on a disk flashed directly.
  rm -f "$target/var/lib/lolice/grow-root.done"
  # No default dependencies: ordered before ssh.socket, which starts before basic.target.
  cat >"$target/etc/systemd/system/$SSH_KEYGEN_UNIT" <<EOF
[Unit]
Description=Generate missing SSH host keys (first boot after $PROG)
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
DefaultDependencies=no
After=local-fs.target
Before=ssh.service ssh.socket sshd.service shutdown.target
Conflicts=shutdown.target

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
EOF
  systemctl --root="$target" enable "$SSH_KEYGEN_UNIT" >/dev/null 2>&1
}

install_bootloader() {
  local disk=$1 target=$WORK_DIR/target dir id
  for dir in dev proc sys; do
    mount --rbind "/$dir" "$target/$dir"
    mount --make-rslave "$target/$dir"
  done
  id=$(sed -n 's/^ID=//p' "$target/etc/os-release" | tr -d '"')
  chroot "$target" grub-install --target=i386-pc "$disk" 2>&1 | sed 's/^/  /' >&2
  chroot "$target" grub-install --target=x86_64-efi --efi-directory=/boot/efi --removable \
    --no-nvram --uefi-secure-boot 2>&1 | sed 's/^/  /' >&2
  local unsigned
  unsigned=$(boot_esp_unsigned "$target")
  if [[ -n $unsigned ]]; then
    log_info "grub-install did not install the signed chain: $(paste -sd ';' <<<"$unsigned")"
    return 1
  fi
  if [[ -d /sys/firmware/efi/efivars ]]; then
    log_info "UEFI boot: adding an NVRAM boot entry '${id:-linux}'"
    chroot "$target" grub-install --target=x86_64-efi --efi-directory=/boot/efi \
      --bootloader-id="${id:-linux}" --uefi-secure-boot 2>&1 | sed 's/^/  /' >&2
    unsigned=$(boot_esp_unsigned "$target" "${id:-linux}")
    if [[ -n $unsigned ]]; then
      log_info "grub-install did not install the signed chain: $(paste -sd ';' <<<"$unsigned")"
      return 1
    fi
  fi
  log_info "the ESP holds the signed shim and GRUB ($ESP_SHIM, $ESP_GRUB)"
  chroot "$target" grub-mkconfig -o /boot/grub/grub.cfg 2>&1 | sed 's/^/  /' >&2
}

# unmount_all: unmounts everything under the work dir, innermost first; retries when busy.
unmount_all() {
  [[ -n $WORK_DIR && -d $WORK_DIR/target ]] || return 0
  local try
  for try in 1 2 3 4 5; do
    mountpoint -q "$WORK_DIR/target" || return 0
    umount -R "$WORK_DIR/target" 2>/dev/null && return 0
    sleep "$try"
  done
  umount -R "$WORK_DIR/target"
}

on_exit() {
  local rc=$?
  set +e
  if ((WRITING)); then
    if [[ -n $WORK_DIR ]] && mountpoint -q "$WORK_DIR/target"; then
      printf 'install-to-disk failed at: %s (exit %s)\nThis disk is not a complete install. Run install-to-disk again.\n' \
        "$STEP" "$rc" >"$WORK_DIR/target/$MARKER_FILE"
    fi
    unmount_all
    sgdisk --change-name="3:$ROOT_NAME_FAILED" "$TARGET_DISK" >/dev/null 2>&1
    printf '%s: FAILED while %s (exit %s). Everything was unmounted. %s is NOT a usable install: its root partition is named %s. Fix the cause above and run %s again (it rewrites the whole disk).\n' \
      "$PROG" "$STEP" "$rc" "$TARGET_DISK" "$ROOT_NAME_FAILED" "$PROG" >&2
    # Any failure after writing began, an interruption too, is a failed write: the disk is
    # marked. (A signal's own code would race with the failing child's under set -e.)
    rc=$EX_IOERR
  else
    unmount_all
  fi
  [[ -n $WORK_DIR ]] && rmdir "$WORK_DIR/target" "$WORK_DIR" 2>/dev/null
  exit "$rc"
}

run_install() {
  local disk=$1 t0=$SECONDS
  TARGET_DISK=$disk
  WORK_DIR=$(mktemp -d /run/install-to-disk.XXXXXX)
  WRITING=1
  log_step 1 "partitioning $disk (GPT: BIOS boot, EFI system, root)"
  install_partition "$disk"
  log_step 2 "making file systems on $(disk_partition_path "$disk" 2) (FAT32) and $(disk_partition_path "$disk" 3) (ext4)"
  install_filesystems "$disk"
  log_step 3 "mounting the new file systems"
  install_mount "$disk"
  log_step 4 "copying the running system ($(($(fs_used_bytes) >> 20)) MiB)"
  install_copy
  log_step 5 "writing fstab, resetting machine-id and SSH host keys"
  install_configure "$disk"
  log_step 6 "installing GRUB for i386-pc and x86_64-efi (signed: shim, GRUB)"
  install_bootloader "$disk"
  log_step 7 "unmounting and marking the install complete"
  unmount_all
  sgdisk --change-name="3:$ROOT_NAME_DONE" "$disk" >/dev/null
  udevadm settle || true
  sync
  WRITING=0
  log_info "done: $disk is installed ($((SECONDS - t0)) s); remove the USB stick and boot from it"
}

main() {
  local target='' yes=0 list=0
  while (($#)); do
    case $1 in
      --target) [[ $# -ge 2 ]] || { usage >&2; exit "$EX_USAGE"; }; target=$2; shift 2 ;;
      --target=*) target=${1#*=}; shift ;;
      --yes | -y) yes=1; shift ;;
      --list) list=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) printf '%s: unknown argument: %s\n' "$PROG" "$1" >&2; usage >&2; exit "$EX_USAGE" ;;
    esac
  done
  require_cmd lsblk findmnt awk df
  if ((list)); then disk_candidates; exit 0; fi
  [[ $EUID -eq 0 ]] || refuse "$EX_NOPERM" "writing a disk needs root; run it with sudo"
  require_cmd sgdisk wipefs partx udevadm mkfs.vfat mkfs.ext4 blkid rsync chroot mount umount \
    mountpoint grub-install grub-mkconfig systemctl cmp
  require_grub_platforms
  require_signed_boot
  local interactive=0
  [[ -t 0 ]] && interactive=1
  if [[ -z $target ]]; then
    ((interactive)) || refuse "$EX_NOPERM" "interactive mode needs a terminal; use --target DISK --yes"
    target=$(choose_disk)
    printf '\n' >&2
  fi
  local disk
  disk=$(check_target "$target")
  if ((!yes)); then
    ((interactive)) || refuse "$EX_NOPERM" "no terminal to confirm on; add --yes to erase $disk without asking"
    confirm "$disk"
  fi
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  run_install "$disk"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
