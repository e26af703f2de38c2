#!/usr/bin/env bash
# Builds (or finds in the cache) the VM test bench's Debian bookworm disk image.
#
#   bash test/vm/build-image.sh        # prints the image directory on its last line
#
# The image directory holds:
#   disk.raw     raw GPT disk: partition 1 = ext4 root (label bench-root), 3 GiB sparse
#   vmlinuz, initrd.img, cmdline
#                the bench boots by QEMU direct kernel boot, so the bench itself needs
#                no boot loader: GRUB is the code under test (install-to-disk), not the bench's.
# The bench's SSH key is <cache>/id_ed25519 (made once per cache): root and user "bench"
# (passwordless sudo) accept it.
#
# The machine cache: ${LOLICE_VM_CACHE:-${XDG_CACHE_HOME:-~/.cache}/lolice/vm}, outside the work
# tree, so that every clone and every run on this machine shares one image. The image lives in
# images/<key>/, where <key> hashes everything that shapes it: this script, customize-root.sh
# and zip-bytecode-cache.py,
# the Debian suite and mirror, the package list (plus LOLICE_VM_EXTRA_PACKAGES) and the bench's
# public key. It is built into a temporary directory under an exclusive lock of its own key and
# renamed into place whole; SHA256SUMS (written last) holds the hashes of its files. On use the
# image is checked against SHA256SUMS (once per test run: LOLICE_TEST_RUN_DIR keeps the stamp);
# an image that fails the check, or was left half-built, is built again. Tests hold a shared lock
# of the key while they use the image, so a rebuild never pulls it from under a running VM.
# Downloaded .deb files are kept in <cache>/debs to make rebuilds cheaper.
# Builds in the host's file system only (mmdebstrap + mke2fs -d): no loop mount, no vfat.
#
# The last line of the output is the image directory; a line before it says
# "build-image: cache warm: ..." or "build-image: cache cold: ..." (test/run.sh reports it).
set -Eeuo pipefail

readonly BENCH_SUITE=bookworm
readonly BENCH_MIRROR=http://deb.debian.org/debian
# LOLICE_VM_DISK_MIB: another size (the cache's own check builds small images; part of the key).
readonly BENCH_DISK_SIZE_MIB=${LOLICE_VM_DISK_MIB:-3072}
readonly BENCH_ROOT_OFFSET_MIB=1
# Packages: boot (kernel, systemd, udev), access (ssh, sudo, python3 for Ansible),
# networking (iproute2, systemd-networkd from systemd; netplan.io, which the worker
# playbook configures, idle without a netplan file; growpart, which its first_boot role
# installs), and what install-to-disk needs
# (GRUB for both firmware types, gdisk, dosfstools, rsync, efibootmgr), with Debian's signed
# boot chain standing in for Ubuntu's (shim-signed: the same Microsoft-signed shim; the
# distribution-signed GRUB; mokutil; linux-image-amd64 is signed): the image and the installed
# disks boot under OVMF with Secure Boot enforced (firmware uefi-sb of lib.sh). And what an Ubuntu
# server install has, the worker's roles configure and the playbook tests need, as their VMs reach
# no archive: rsyslog and logrotate; iptables, whose alternatives they switch, with arptables and
# ebtables, which they install. One image serves every VM test: a cold machine builds it once.
readonly BENCH_PACKAGES=(
  linux-image-amd64 systemd systemd-sysv udev dbus kmod
  openssh-server sudo python3 python3-apt iproute2 iputils-ping procps less netplan.io
  cloud-guest-utils
  grub-pc-bin grub-efi-amd64-bin grub2-common gdisk dosfstools e2fsprogs rsync efibootmgr
  shim-signed grub-efi-amd64-signed mokutil
  rsyslog logrotate iptables arptables ebtables
)

# The files of an image directory that SHA256SUMS covers.
readonly IMAGE_FILES=(disk.raw vmlinuz initrd.img cmdline)

here=$(cd "$(dirname "$0")" && pwd)
cache=${LOLICE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lolice/vm}
log() { printf 'build-image: %s\n' "$*" >&2; }

require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null || { log "missing command: $cmd (see test/system-packages.txt)"; exit 127; }
  done
}

ensure_key() {
  mkdir -p "$cache"
  if [[ ! -f $cache/id_ed25519 ]]; then
    log "generating the bench SSH key $cache/id_ed25519"
    ssh-keygen -q -t ed25519 -N '' -C lolice-vm-bench -f "$cache/id_ed25519"
  fi
}

image_key() {
  local extra=${LOLICE_VM_EXTRA_PACKAGES:-}
  {
    cat "$here/build-image.sh" "$here/customize-root.sh" "$here/zip-bytecode-cache.py"
    printf '%s\n' "suite:$BENCH_SUITE" "mirror:$BENCH_MIRROR" "disk:$BENCH_DISK_SIZE_MIB" "${BENCH_PACKAGES[@]}" "extra:$extra"
    cat "$cache/id_ed25519.pub"
  } | sha256sum | cut -c1-16
}

build() {
  local out=$1 work=$1.tmp
  rm -rf "$work"
  mkdir -p "$work" "$cache/debs"
  local -a include=("${BENCH_PACKAGES[@]}")
  # shellcheck disable=SC2206 # word splitting of the extra package list is intended
  [[ -n ${LOLICE_VM_EXTRA_PACKAGES:-} ]] && include+=(${LOLICE_VM_EXTRA_PACKAGES//,/ })
  log "mmdebstrap $BENCH_SUITE (${#include[@]} packages) into $work/root"
  # shellcheck disable=SC2016 # "$1" is expanded by mmdebstrap's hook shell, not here
  # No documentation, manual pages or translations (as Debian's slim container images): a smaller
  # system for the installer test to copy; the copyright files and locale.alias stay.
  mmdebstrap --quiet --mode=root --variant=apt --format=directory \
    --include="$(IFS=,; echo "${include[*]}")" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --skip=download/empty --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in '$cache/debs' /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives '$cache/debs'" \
    --customize-hook="bash '$here/customize-root.sh' \"\$1\" '$cache/id_ed25519.pub'" \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
    "$BENCH_SUITE" "$work/root" "$BENCH_MIRROR"

  local key uuid
  key=$(basename "$out")
  uuid=${key:0:8}-${key:8:4}-4${key:13:3}-8000-${key:0:12}
  cp "$work"/root/boot/vmlinuz-* "$work/vmlinuz"
  cp "$work"/root/boot/initrd.img-* "$work/initrd.img"
  log "writing disk.raw (${BENCH_DISK_SIZE_MIB} MiB, ext4 root $uuid)"
  truncate -s "${BENCH_DISK_SIZE_MIB}M" "$work/disk.raw"
  local root_mib=$((BENCH_DISK_SIZE_MIB - BENCH_ROOT_OFFSET_MIB - 1))
  mke2fs -q -F -t ext4 -L bench-root -U "$uuid" -d "$work/root" \
    -E offset=$((BENCH_ROOT_OFFSET_MIB * 1024 * 1024)) "$work/disk.raw" "${root_mib}M"
  # The partition table goes in after mke2fs, which zeroes the disk's first sectors.
  sgdisk --clear --new=1:${BENCH_ROOT_OFFSET_MIB}M:+${root_mib}M --typecode=1:8304 \
    --change-name=1:bench-root "$work/disk.raw" >/dev/null
  printf 'root=UUID=%s rw console=ttyS0,115200 net.ifnames=1 systemd.show_status=1\n' "$uuid" >"$work/cmdline"
  rm -rf "$work/root"
  # Read-only from here on: tests only ever read it (qcow2 overlays, copies).
  chmod 0444 "${IMAGE_FILES[@]/#/$work/}"
  (cd "$work" && sha256sum "${IMAGE_FILES[@]}" >SHA256SUMS)
  rm -rf "$out"
  mv "$work" "$out"
}

# verified DIR: the image's files match the hashes written when it was built. Checked once per
# test run (a stamp in LOLICE_TEST_RUN_DIR names the image and its SHA256SUMS' own hash).
verified() {
  local dir=$1 stamp=''
  [[ -f $dir/SHA256SUMS ]] || return 1
  if [[ -n ${LOLICE_TEST_RUN_DIR:-} ]]; then
    stamp=$LOLICE_TEST_RUN_DIR/bench-image-verified.$(basename "$dir").$(sha256sum <"$dir/SHA256SUMS" | cut -c1-16)
    [[ -f $stamp ]] && return 0
  fi
  (cd "$dir" && sha256sum --quiet --strict -c SHA256SUMS) >&2 || return 1
  # The stamp only saves the next check: an image that matched is not built again because the
  # stamp could not be written (a LOLICE_TEST_RUN_DIR that does not exist).
  [[ -z $stamp ]] || : 2>/dev/null >"$stamp" || log "cannot write $stamp: the image is checked again next time"
}

main() {
  require_cmd mmdebstrap sgdisk mke2fs ssh-keygen sha256sum flock
  ensure_key
  local key out state
  key=$(image_key)
  out=$cache/images/$key
  mkdir -p "$cache/images"
  # The key's lock: shared to check the image, exclusive to build it, so two runs never both
  # build it and none reads it half-written. Tests hold it shared while their VMs run
  # (test/vm/lib.sh), so a rebuild waits for them.
  exec 9>>"$out.lock"
  flock -s 9
  if [[ -d $out ]] && verified "$out"; then
    state="cache warm: $out"
  elif flock -u 9 && flock 9 && [[ -d $out ]] && verified "$out"; then
    state="cache warm: $out (built meanwhile by another run)"
  else
    [[ -d $out ]] && log "the image in $out does not match its SHA256SUMS (or is incomplete): building it again"
    local t0=$SECONDS
    build "$out"
    state="cache cold: built $out in $((SECONDS - t0)) s"
  fi
  flock -u 9
  log "$state"
  echo "$out"
}

main "$@"
