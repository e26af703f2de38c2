#!/bin/sh
# lolice-grow-root: grows the root partition and its ext4 file system to the end of their
# disk, once, on the first boot of an image written straight onto a bigger disk.
# Run by lolice-grow-root.service (ansible role first_boot), which skips it once the
# marker exists. Safe to run again by hand: a partition that is already full is a no-op.
#
# The partition number comes from sysfs (/sys/class/block/<part>/partition), the disk
# from the partition's parent in sysfs: "lsblk -o PARTN" is not available everywhere.
# Exit 0 when grown or already full (growpart's NOCHANGE), non-zero on any failure (the
# marker is then not written and the next boot tries again).
set -eu

marker=${LOLICE_GROW_ROOT_MARKER:-/var/lib/lolice/grow-root.done}
mountpoint=${LOLICE_GROW_ROOT_MOUNTPOINT:-/}

log() { echo "lolice-grow-root: $*"; }
die() { log "error: $*" >&2; exit 1; }

record() {
  mkdir -p "$(dirname "$marker")"
  tmp=$marker.tmp
  {
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "result=$1"
    echo "device=${dev:-}"
    echo "disk=${disk:-}"
    echo "partition=${partnum:-}"
    echo "partition_bytes_before=${before:-}"
    echo "partition_bytes_after=${after:-}"
    echo "filesystem_bytes=${fs_bytes:-}"
  } >"$tmp"
  mv "$tmp" "$marker"
  log "recorded in $marker: $1"
}

source_dev=$(findmnt -n -o SOURCE --target "$mountpoint") || die "no file system mounted at $mountpoint"
dev=$(readlink -f "$source_dev")
[ -b "$dev" ] || die "$mountpoint is on $source_dev, which is not a block device"
name=${dev##*/}
sys=/sys/class/block/$name
if [ ! -r "$sys/partition" ]; then
  # A whole disk, LVM or a device-mapper target: nothing a partition table could grow.
  log "$dev ($mountpoint) is not a partition: nothing to grow"
  record not-a-partition
  exit 0
fi
partnum=$(cat "$sys/partition")
case $partnum in '' | *[!0-9]*) die "unexpected partition number '$partnum' in $sys/partition" ;; esac
parent=$(readlink -f "$sys/..")
disk=/dev/${parent##*/}
[ -b "$disk" ] || die "the disk of $dev ($disk) is not a block device"
fstype=$(findmnt -n -o FSTYPE --target "$mountpoint")
[ "$fstype" = ext4 ] || die "$mountpoint is $fstype; only ext4 is grown"
before=$(($(cat "$sys/size") * 512))

log "growing partition $partnum of $disk ($dev, $before bytes) to the end of the disk"
rc=0
out=$(growpart "$disk" "$partnum" 2>&1) || rc=$?
printf '%s\n' "$out" | sed 's/^/  growpart: /'
if [ "$rc" -eq 0 ]; then
  result=grown
elif [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q '^NOCHANGE:'; then
  result=already-full
else
  die "growpart $disk $partnum failed (exit $rc)"
fi
# The kernel's view of the partition (growpart asks it to re-read; wait for udev).
udevadm settle 2>/dev/null || true
after=$(($(cat "$sys/size") * 512))

# Online resize of the mounted file system; "Nothing to do" when it already fills the partition.
rc=0
out=$(resize2fs "$dev" 2>&1) || rc=$?
printf '%s\n' "$out" | sed 's/^/  resize2fs: /'
[ "$rc" -eq 0 ] || die "resize2fs $dev failed (exit $rc)"
fs_bytes=$(($(stat -f -c '%b * %S' "$mountpoint")))
log "$result: partition $before -> $after bytes, file system $fs_bytes bytes"
record "$result"
