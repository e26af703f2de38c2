# shellcheck shell=bash
# shellcheck disable=SC2154 # force: flash-image.sh's option
# The targets flash-image.sh writes to, checked before the first download or write (sourced
# after common.sh): a whole removable disk (never the one under the running system's root, a
# partition, or, without --force, a mounted or non-removable one), or a new regular file.

refuse() { die "$EX_NOPERM" "refusing to write $1: $2"; }

disk_check() {
  local dev=$1 name type removable tran hotplug used
  [[ -b $dev ]] || refuse "$dev" "not a block device (for an image file use --output)"
  [[ -w $dev ]] || refuse "$dev" "not writable by $(id -un) (run with sudo)"
  name=$(lsblk -dno KNAME "$dev")
  type=$(lsblk -dno TYPE "$dev")
  [[ $type == disk || $type == loop ]] ||
    refuse "$dev" "it is a $type, not a whole disk: give the disk itself (e.g. /dev/sdb, not /dev/sdb1)"
  # The disk(s) under the running system's root file system: never, not even with --force.
  local root_src
  root_src=$(findmnt -no SOURCE / 2>/dev/null || true)
  if [[ -b $root_src ]] && lsblk -nsro KNAME "$root_src" | grep -qx "$name"; then
    refuse "$dev" "it holds the running system's root file system"
  fi
  used=$(lsblk -nro NAME,TYPE,MOUNTPOINTS "$dev" |
    awk '$3 != "" || $2 ~ /^(lvm|crypt|raid|md)/ { print $1 ($3 == "" ? " (" $2 ")" : " on " $3) }' | paste -sd, -)
  if [[ -n $used ]]; then
    ((force)) || refuse "$dev" "it is in use: $used; unmount it first (or pass --force)"
    log "warning: $dev is in use ($used); writing anyway (--force)"
  fi
  removable=$(cat "/sys/class/block/$name/removable")
  tran=$(lsblk -dno TRAN "$dev" | tr -d ' ')
  hotplug=$(lsblk -dno HOTPLUG "$dev" | tr -d ' ')
  if [[ $removable != 1 && $tran != usb && $hotplug != 1 ]]; then
    ((force)) || refuse "$dev" "not a removable or USB disk (removable=$removable, transport=${tran:-none}); pass --force if you really mean it"
    log "warning: $dev is not removable; writing anyway (--force)"
  fi
}

file_check() {
  local file=$1
  [[ -d $(dirname "$file") ]] || refuse "$file" "its directory does not exist"
  if [[ -e $file ]]; then
    [[ -f $file ]] || refuse "$file" "it exists and is not a regular file (for a disk use --device)"
    ((force)) || refuse "$file" "it already exists; pass --force to overwrite it"
  fi
}
