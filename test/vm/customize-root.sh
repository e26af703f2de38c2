#!/usr/bin/env bash
# mmdebstrap customize hook for the bench image (called by build-image.sh):
#   customize-root.sh <root-dir> <ssh-public-key-file>
# Hostname, DHCP on the first NIC, volatile journal, /tmp on tmpfs, SSH access for root
# and the sudo user "bench", the GRUB defaults that install-to-disk copies along, and the
# bench's bytecode cache for Ansible's zipped modules (zip-bytecode-cache.py: speed only).
set -Eeuo pipefail
root=$1 pubkey=$2

echo bench >"$root/etc/hostname"
# Where an installed system mounts its EFI system partition (install-to-disk's e2e test
# mounts one there, as on a real USB stick).
mkdir -p "$root/boot/efi"
printf '127.0.0.1 localhost\n127.0.1.1 bench\n' >"$root/etc/hosts"
# No root entry: the kernel command line's ro/rw decides how / is mounted.
printf '# bench image: / is mounted by the initramfs (ro or rw from the kernel command line)\n' >"$root/etc/fstab"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >"$root/etc/systemd/network/50-dhcp.network"
printf 'nameserver 10.0.2.3\n' >"$root/etc/resolv.conf"
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/bench.conf"
cp "$root/usr/share/systemd/tmp.mount" "$root/etc/systemd/system/tmp.mount"
chroot "$root" systemctl enable -q systemd-networkd tmp.mount ssh

# Kernel modules of hardware QEMU never gives the bench (its NICs and disks are virtio, NVMe and
# AHCI; no display, sound, radio or fabric), dropped: a smaller system for the installer test to
# copy and for the build's Secure Boot check to read (it runs modinfo on every module).
for kernel in "$root"/usr/lib/modules/*/kernel; do
  rm -rf "$kernel"/sound "$kernel"/net/{bluetooth,mac80211,wireless} \
    "$kernel"/drivers/{gpu,media,infiniband,staging,iio,comedi,isdn,bluetooth,mtd,hwmon,thunderbolt,firewire} \
    "$kernel"/drivers/net/{wireless,ethernet,can}
  version=$(basename "$(dirname "$kernel")")
  chroot "$root" depmod "$version"
done

# Serial console and a short menu timeout for systems installed from the bench.
cat >"$root/etc/default/grub" <<'EOF'
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
EOF

install -d -m 0700 "$root/root/.ssh"
install -m 0600 "$pubkey" "$root/root/.ssh/authorized_keys"
chroot "$root" useradd -m -s /bin/bash -G sudo bench
install -d -m 0700 -o 1000 -g 1000 "$root/home/bench/.ssh"
install -m 0600 -o 1000 -g 1000 "$pubkey" "$root/home/bench/.ssh/authorized_keys"
printf 'bench ALL=(ALL) NOPASSWD:ALL\n' >"$root/etc/sudoers.d/bench"
chmod 0440 "$root/etc/sudoers.d/bench"
: >"$root/etc/machine-id"

# Ansible's modules run from zip files, which Python compiles anew on each import: under
# emulation most of a task's time in the guest. Root's imports keep their bytecode (speed only).
here=$(cd "$(dirname "$0")" && pwd)
pythons=("$root"/usr/lib/python3.[0-9]*)
site=$root/usr/local/lib/${pythons[0]##*/}/dist-packages
mkdir -p "$site"
install -m 0644 "$here/zip-bytecode-cache.py" "$site/lolice_bench_zip_bytecode_cache.py"
echo 'import lolice_bench_zip_bytecode_cache' >"$site/lolice-bench-zip-bytecode-cache.pth"
