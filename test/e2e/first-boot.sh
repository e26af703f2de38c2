#!/usr/bin/env bash
# First boot of the worker image on new machines (README, "First boot on a new mini PC"), on
# real Debian bookworm VMs of the bench (test/vm/), against the loopback STAND-INS of the
# converge test (test/ansible/standins/: GitHub's key endpoint, pkgs.k8s.io, CRI-O).
#
#   1. the image: a small disk laid out as the autoinstall lays out the worker image (GPT:
#      BIOS boot partition, ESP, ext4 root filling the rest) holding the bench system, GRUB
#      for i386-pc and x86_64-efi (removable path) written by an INSTALLER STAND-IN (what
#      Subiquity's curtin and the late-commands do); worker.yml in image-build mode, as
#      Packer runs it (a hardware profile whose module or firmware file is missing must fail
#      it first; then nothing may be started, loaded or reloaded); then sealed with the
#      sealing script and the shutdown command of the committed Packer templates.
#   2. flashed: the image written onto two disks twice its size, one virtio, one NVMe
#      (the rest of each disk empty, the GPT's backup header left where the image ended).
#   3. first boots: virtio under OVMF, NVMe under SeaBIOS, each with a second NIC: the root
#      partition and file system fill the disk, new machine-id and SSH host keys (not the
#      build's, not each other's), SSH by key as the admin to the node's address on the port
#      chosen by MAC (the other NIC unconfigured), the worker's first boot (hardened sshd,
#      modules, sysctls, CRI-O and kubelet up with one --node-ip), the grower by hand on a
#      full root is a no-op.
#   4. second boot of the virtio disk, under SeaBIOS this time: nothing changes.
#
#   bash test/e2e/first-boot.sh     (LOLICE_VM_ACCEL=tcg to force emulation)
# shellcheck disable=SC2016 # the single-quoted commands run in the VM, where they expand
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
source test/vm/lib.sh
source test/ansible/converge/lib.sh
cv_begin first-boot

admin=$(cv_fact admin_user)
# The first task of the checks that must fail the build (those runs start there; no need to
# install anything to prove that a check fails): hardware_support's module and firmware checks,
# kubernetes_components' check of the kubelet's flags and drop-ins.
first_task() { /usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[0]["name"])' "$1"; }
HW_CHECK_TASK=$(first_task ansible/roles/hardware_support/tasks/check.yml)
KUBELET_GUARD_TASK=$(first_task ansible/roles/kubernetes_components/tasks/kubelet.yml)
# The image's partition sizes in MiB, by the partition's flag, from the generated autoinstall.
ud_partition_mib() {
  /usr/bin/python3 -c 'import re, sys, yaml
parts = [a for a in yaml.safe_load(open(sys.argv[1]))["autoinstall"]["storage"]["config"] if a.get("flag") == sys.argv[2]]
n, unit = re.fullmatch(r"(\d+)([KMG]?)", str(parts[0]["size"])).groups()
print(int(n) * 1024 ** " KMG".index(unit or " ") // 1024 ** 2)' packer/x86_64/http/user-data "$1"
}
BIOS_BOOT_MIB=$(ud_partition_mib bios_grub)
ESP_MIB=$(ud_partition_mib boot)
readonly MIB=1048576 BIOS_BOOT_MIB ESP_MIB
# The role's paths (ansible/roles/first_boot/defaults/main.yml).
fb_default() { /usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' ansible/roles/first_boot/defaults/main.yml "$1"; }
marker=$(fb_default first_boot_grow_root_marker)
grow_unit=$(fb_default first_boot_grow_root_unit)
keys_unit=$(fb_default first_boot_ssh_host_keys_unit)
grower=$(fb_default first_boot_grow_root_script)

# ---------------------------------------------------------------- 1. the image
# fb_make_image OUT: the worker image's layout (http/user-data's curtin config: BIOS boot
# partition, ESP, ext4 root on the rest) around a copy of the bench's root file system,
# the root partition exactly as large as the file system (as the installer leaves it).
fb_make_image() {
  local out=$1 bench=$VM_IMAGE_DIR/disk.raw first last sectors total
  first=$(sgdisk -i 1 "$bench" | awk '/^First sector:/ {print $3}')
  last=$(sgdisk -i 1 "$bench" | awk '/^Last sector:/ {print $3}')
  [[ $first =~ ^[0-9]+$ && $last =~ ^[0-9]+$ ]] || vm_die "cannot read the bench image's root partition"
  sectors=$((last - first + 1))
  # GPT + alignment (1 MiB), BIOS boot, ESP, root, backup GPT (1 MiB, rounded).
  total=$(((1 + BIOS_BOOT_MIB + ESP_MIB + 1) * MIB + sectors * 512))
  truncate -s "$total" "$out"
  sgdisk -o -n "1:2048:+${BIOS_BOOT_MIB}M" -t 1:EF02 -c 1:bios -n "2:0:+${ESP_MIB}M" -t 2:EF00 -c 2:esp \
    -n "3:0:+$sectors" -t 3:8300 -c 3:root "$out" >/dev/null 2>&1 || vm_die "sgdisk could not lay out the image"
  local p3
  p3=$(sgdisk -i 3 "$out" | awk '/^First sector:/ {print $3}')
  [[ $p3 =~ ^[0-9]+$ && $p3 -gt 2048 ]] || vm_die "the image has no root partition 3"
  dd if="$bench" of="$out" bs=4M iflag=skip_bytes,count_bytes oflag=seek_bytes conv=sparse,notrunc status=none \
    skip=$((first * 512)) seek=$((p3 * 512)) count=$((sectors * 512))
  echo "$total"
}

# The installer stand-in, run in the VM on the image's own disk: what curtin and the
# autoinstall's late-commands do (ESP, fstab by UUID, GRUB for BIOS and the removable UEFI
# path, grub.cfg), and a stand-in for cloud-init's command (the bench runs no cloud-init;
# the sealing script calls "cloud-init clean --logs").
read -r -d '' INSTALLER_STANDIN <<'SH' || true
set -eu
root=$(findmnt -no SOURCE /)
disk=/dev/$(lsblk -no PKNAME "$root")
esp=$(lsblk -lnpo NAME "$disk" | sed -n 3p)
mkfs.vfat -F 32 -n ESP "$esp" >/dev/null
mkdir -p /boot/efi
cat >/etc/fstab <<EOF
UUID=$(blkid -s UUID -o value "$root") / ext4 errors=remount-ro 0 1
UUID=$(blkid -s UUID -o value "$esp") /boot/efi vfat umask=0077 0 1
EOF
mount /boot/efi
grub-install --target=i386-pc "$disk" 2>&1
grub-install --target=x86_64-efi --efi-directory=/boot/efi --removable --no-nvram 2>&1
grub-mkconfig -o /boot/grub/grub.cfg 2>&1
cat >/usr/local/bin/cloud-init <<'EOF'
#!/bin/sh
# STAND-IN for cloud-init (the bench runs none): records how the sealing script calls it.
echo "cloud-init $*" >>/var/log/cloud-init-standin.log
EOF
chmod 0755 /usr/local/bin/cloud-init
SH

# fb_identity NAME: the machine's identity, one line each: machine-id and the SSH host keys' fingerprints.
fb_identity() { fresh in_vm "$1" 'cat /etc/machine-id; for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "$k" | cut -d" " -f2; done'; }

phase_image() {
  local vm=image
  IMAGE=$VM_RUN_DIR/image.raw
  IMAGE_BYTES=$(fb_make_image "$IMAGE")
  cv_log "image: $((IMAGE_BYTES / MIB)) MiB (BIOS boot, ESP, root), the bench system in its root"
  vm_start "$vm" --disk "$IMAGE:virtio" --second-nic
  vm_wait_ssh "$vm" 600
  vm_ssh "$vm" "$INSTALLER_STANDIN" >"$CONVERGE_WORK/installer-standin.log" 2>&1 ||
    { tail -n 30 "$CONVERGE_WORK/installer-standin.log" >&2; vm_die "the installer stand-in failed"; }
  cv_prepare "$vm"
  cv_write_inventory "$vm"

  cv_log "image build: a hardware profile whose module or firmware file is missing fails the build"
  cv_playbook hw-module.log worker.yml --extra-vars "lolice_image_build=true" --start-at-task "$HW_CHECK_TASK" \
    --extra-vars '{"hardware_profiles": {"bench_two_ports": {"description": "x", "wired_ports": 2, "kernel_flavour": "", "kernel_modules": ["lolice_no_such_module"], "firmware_packages": [], "firmware_files": [], "microcode_packages": [], "extra_packages": []}}}' \
    && check "worker.yml fails on a missing module" false
  check "... naming the module" grep -q 'lolice_no_such_module' "$CONVERGE_WORK/hw-module.log"
  cv_playbook hw-firmware.log worker.yml --extra-vars "lolice_image_build=true" --start-at-task "$HW_CHECK_TASK" \
    --extra-vars '{"hardware_profiles": {"bench_two_ports": {"description": "x", "wired_ports": 2, "kernel_flavour": "", "kernel_modules": [], "firmware_packages": [], "firmware_files": ["lolice/missing.fw"], "microcode_packages": [], "extra_packages": []}}}' \
    && check "worker.yml fails on a missing firmware file" false
  check "... naming the file" grep -q '/lib/firmware/lolice/missing.fw is missing' "$CONVERGE_WORK/hw-firmware.log"
  cv_log "image build: a kubelet drop-in that sets KUBELET_EXTRA_ARGS (the field notes' --resolv-conf) fails the build"
  in_vm_bench "$vm" 'mkdir -p /etc/systemd/system/kubelet.service.d && printf "[Service]\nEnvironment=\"KUBELET_EXTRA_ARGS=--resolv-conf=/run/systemd/resolve/resolv.conf\"\n" >/etc/systemd/system/kubelet.service.d/30-resolv-conf.conf'
  cv_playbook kubelet-dropin.log worker.yml --extra-vars "lolice_image_build=true" --start-at-task "$KUBELET_GUARD_TASK" \
    && check "worker.yml fails on a kubelet drop-in that sets KUBELET_EXTRA_ARGS" false
  check "... naming the drop-in" grep -q '30-resolv-conf.conf sets KUBELET_EXTRA_ARGS' "$CONVERGE_WORK/kubelet-dropin.log"
  in_vm_bench "$vm" 'rm /etc/systemd/system/kubelet.service.d/30-resolv-conf.conf'

  # The way to a --resolv-conf: the KubeletConfiguration field (merged), plus one flag of its own.
  cv_playbook build.log worker.yml --extra-vars "lolice_image_build=true" \
    --extra-vars '{"kubernetes_components_kubelet_config_extra": {"resolvConf": "/run/systemd/resolve/resolv.conf"}, "kubernetes_components_kubelet_extra_args": ["--v=2"]}' \
    || vm_die "worker.yml (image build) failed"
  check "hardware profile checked: the module is in every installed kernel" grep -q 'virtio_net in ' "$CONVERGE_WORK/build.log"

  cv_log "image build: files written, units enabled, nothing started, loaded, applied or reloaded"
  check "sshd drop-in, netplan file, modules-load.d, sysctl.d, /etc/default/kubelet written" \
    in_vm_bench "$vm" 'test -s /etc/ssh/sshd_config.d/10-hardening.conf && test -s /etc/netplan/60-lolice-static.yaml && test -s /etc/modules-load.d/kubernetes.conf && test -s /etc/sysctl.d/99-kubernetes.conf && test -s /etc/default/kubelet'
  check "crio and kubelet enabled but not started" \
    in_vm_bench "$vm" 'systemctl is-enabled crio kubelet && ! systemctl is-active crio && ! systemctl is-active kubelet'
  check "first boot units enabled, not run: $grow_unit, $keys_unit; no marker yet" \
    in_vm_bench "$vm" "systemctl is-enabled $grow_unit $keys_unit && ! systemctl is-active $grow_unit && test ! -e $marker && test -x $grower"
  check "br_netfilter not loaded (no modprobe)" in_vm_bench "$vm" '! grep -q "^br_netfilter " /proc/modules'
  check "net.ipv4.ip_forward still 0 (no live sysctl)" in_vm_bench "$vm" 'test "$(sysctl -n net.ipv4.ip_forward)" = 0'
  check "sshd not reloaded: password login still accepted" cv_password_login "$vm"
  check "netplan not applied: the default route is still DHCP's" in_vm_bench "$vm" 'ip -4 route show default | grep -q "proto dhcp"'
  check "running hostname unchanged, /etc/hostname set" in_vm_bench "$vm" "test \"\$(hostname)\" = bench && grep -qx '$CONVERGE_NODE' /etc/hostname"

  cv_log "image build: sealed as the Packer build seals it (k8s-worker.pkr.hcl), then its shutdown command"
  BUILD_IDENTITY=$(in_vm_bench "$vm" 'cat /etc/machine-id; for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "$k" | cut -d" " -f2; done')
  node_modules/.bin/tsx test/e2e/first-boot/packer-commands.ts seal >"$CONVERGE_WORK/seal.sh"
  vm_scp "$vm" "$CONVERGE_WORK/seal.sh" /tmp/seal.sh
  # One SSH session, as Packer's provisioner and shutdown command share one connection: once the
  # host keys are gone, sshd accepts no new one.
  local sealed="! ls /etc/ssh/ssh_host_* 2>/dev/null && test ! -s /etc/machine-id && grep -qx 'cloud-init clean --logs' /var/log/cloud-init-standin.log && passwd -S $admin | awk '{exit \$2 != \"L\"}'"
  cv_bench "$vm" "sudo -n sh -eux /tmp/seal.sh && echo 'SEAL: done' && if sudo -n sh -c $(printf '%q' "$sealed"); then echo 'SEAL: checked'; fi && $(node_modules/.bin/tsx test/e2e/first-boot/packer-commands.ts shutdown)" \
    >"$CONVERGE_WORK/seal.log" 2>&1 || true
  grep -qx 'SEAL: done' "$CONVERGE_WORK/seal.log" || { tail -n 30 "$CONVERGE_WORK/seal.log" >&2; vm_die "the sealing script failed"; }
  check "sealed: no host keys, empty machine-id, cloud-init cleaned (stand-in called), admin password locked" grep -qx 'SEAL: checked' "$CONVERGE_WORK/seal.log"
  vm_wait_exit "$vm" 180
  chmod 0444 "$IMAGE"
  cv_log "image: sealed and powered off"
}

# ---------------------------------------------------------------- 2.-4. flashed, first and second boot
# fb_flash NAME: the image written onto a new disk twice its size (as dd or flash-image.sh would:
# the image's bytes at the start, the rest of the disk empty): a copy-on-write overlay of the
# sealed image, which stays read-only for every flashed disk.
fb_flash() {
  vm_disk_overlay "$1" "$IMAGE" $((2 * IMAGE_BYTES / MIB * MIB + MIB))
}

# In the VM: the root partition, its disk, and whether both the partition and the file system
# reach the end of the disk (within the GPT's backup header and alignment: 1 MiB); the GPT valid.
read -r -d '' FILLS_DISK <<'SH' || true
set -eu
part=$(readlink -f "$(findmnt -no SOURCE /)"); name=${part##*/}
sys=/sys/class/block/$name; disk=/dev/$(basename "$(readlink -f "$sys/..")")
disk_bytes=$(blockdev --getsize64 "$disk")
part_end=$((($(cat "$sys/start") + $(cat "$sys/size")) * 512))
fs_bytes=$(dumpe2fs -h "$part" 2>/dev/null | awk -F: '/^Block count/ {c=$2} /^Block size/ {s=$2} END {printf "%.0f\n", c * s}')
echo "disk $disk $disk_bytes bytes, root partition $part ends at $part_end, file system $fs_bytes bytes"
test $((disk_bytes - part_end)) -le 1048576
test $((($(cat "$sys/size") * 512) - fs_bytes)) -le 1048576
sgdisk -v "$disk" | grep -q 'No problems found'
SH

# The state a second boot must not change: marker, partition table, file system size, identity.
read -r -d '' STATE <<'SH' || true
part=$(readlink -f "$(findmnt -no SOURCE /)"); disk=/dev/$(lsblk -no PKNAME "$part")
cat MARKER; sfdisk -d "$disk"; dumpe2fs -h "$part" 2>/dev/null | grep '^Block count'
cat /etc/machine-id; for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "$k"; done
SH
STATE=${STATE//MARKER/$marker}

# fb_first_boot NAME DISK BUS FIRMWARE: boots a flashed disk for the first time and checks it.
fb_first_boot() {
  local vm=$1 disk=$2 bus=$3 firmware=$4 full=${5:-}
  cv_log "$vm: first boot of the image flashed onto a $((2 * IMAGE_BYTES / MIB)) MiB $bus disk under $firmware"
  vm_start "$vm" --firmware "$firmware" --boot disk --disk "$disk:$bus" --second-nic
  cv_wait_admin "$vm"
  check "$vm: boot finished (is-system-running: running; no failed unit)" in_vm "$vm" 'test "$(systemctl is-system-running --wait)" = running'
  local efi='test -d /sys/firmware/efi' rootdev=vda3 disk_name
  [[ $firmware == uefi ]] || efi="! $efi"
  [[ $bus == nvme ]] && rootdev=nvme0n1p3
  disk_name=${rootdev%p3}; disk_name=${disk_name%3}
  check "$vm: booted by $firmware from the $bus disk (root on $rootdev)" in_vm "$vm" "$efi && test \"\$(findmnt -no SOURCE /)\" = /dev/$rootdev"
  check "$vm: root partition and file system fill the disk; GPT backup header at its end" in_vm "$vm" "$FILLS_DISK"
  check "$vm: $grow_unit ran once and recorded 'grown' in $marker; logged in the journal" in_vm "$vm" \
    "grep -qx result=grown $marker && journalctl -b -u $grow_unit | grep -q 'lolice-grow-root: grown'"
  check "$vm: new machine-id and SSH host keys (not the build's)" fb_new_identity "$vm"
  check "$vm: SSH by key as $admin to 10.0.2.15 on the port chosen by MAC (a fresh connection); the second NIC unconfigured" \
    fresh cv_one_port "$vm"
  check "$vm: password SSH refused, root SSH refused (fresh connections)" fb_refusals "$vm"
  check "$vm: /run/sshd exists; $keys_unit ran before sshd (a fresh connection)" fresh in_vm "$vm" "test -d /run/sshd && systemctl is-active $keys_unit"
  check "$vm: hostname is $CONVERGE_NODE" in_vm "$vm" "test \"\$(hostname)\" = $CONVERGE_NODE"
  if [[ -n $full ]]; then
    check "$vm: network-online reached without a wait-online timeout" in_vm "$vm" 'systemctl is-active systemd-networkd-wait-online'
    check "$vm: overlay and br_netfilter loaded, sysctls set at boot" in_vm "$vm" 'grep -q "^overlay " /proc/modules && grep -q "^br_netfilter " /proc/modules && test "$(sysctl -n net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables | sort -u)" = 1'
    check "$vm: static address and default route on the chosen port" in_vm "$vm" 'ip -4 route show default | grep -q "via 10.0.2.2 .*proto static"'
    check "$vm: crio and kubelet started at boot, kubelet with exactly one --node-ip=10.0.2.15, the extra flag after it" in_vm "$vm" 'systemctl is-active crio && systemctl is-active kubelet && test "$(grep -c "^--node-ip=" /run/kubelet-standin/args)" = 1 && grep -qx -- "--node-ip=10.0.2.15" /run/kubelet-standin/args && grep -qx -- "--v=2" /run/kubelet-standin/args'
    check "$vm: resolvConf in the KubeletConfiguration drop-in, beside the cluster DNS (fields merged, no flag)" in_vm "$vm" 'grep -qx "resolvConf: /run/systemd/resolve/resolv.conf" /etc/kubernetes/kubelet.conf.d/20-cluster.conf && grep -q "^clusterDNS:" /etc/kubernetes/kubelet.conf.d/20-cluster.conf'
    check "$vm: the grower by hand on the full root: already-full, exit 0, partition table unchanged" in_vm "$vm" \
      "before=\$(sfdisk -d /dev/$disk_name) && LOLICE_GROW_ROOT_MARKER=/run/grow-again $grower && grep -qx result=already-full /run/grow-again && test \"\$(sfdisk -d /dev/$disk_name)\" = \"\$before\""
  fi
}

cv_wait_admin() {
  local name=$1 t0=$SECONDS
  until cv_admin "$name" true 2>/dev/null; do
    vm_running "$name" || { tail -n 30 "${VM_LOG[$name]}" >&2; vm_die "$name: QEMU exited before SSH came up"; }
    ((SECONDS - t0 < 600)) || { tail -n 30 "${VM_LOG[$name]}" >&2; vm_die "$name: no SSH for $admin after 600 s"; }
    sleep 2
  done
  cv_log "$name: SSH ($admin, by key) up after $((SECONDS - t0)) s"
}

declare -A IDENTITY=()
fb_new_identity() {
  local name=$1 id other
  id=$(fb_identity "$name") || return 1
  [[ $(wc -l <<<"$id") -ge 2 && $(head -n1 <<<"$id") =~ ^[0-9a-f]{32}$ ]] || return 1
  # Not one line (machine-id or key) shared with the build or another flashed disk.
  for other in "$BUILD_IDENTITY" "${IDENTITY[@]}"; do
    [[ -z $(comm -12 <(sort <<<"$id") <(sort <<<"$other")) ]] || return 1
  done
  IDENTITY[$name]=$id
}

fb_refusals() { ! cv_password_login "$1" && ! vm_ssh_fresh "$1" true; }

phase_boots() {
  local virtio nvme
  virtio=$(fb_flash flashed-virtio)
  nvme=$(fb_flash flashed-nvme)

  fb_first_boot virtio "$virtio" virtio uefi full
  local state
  state=$(in_vm virtio "$STATE")
  cv_admin virtio 'sudo -n systemctl poweroff' 2>/dev/null || true
  vm_wait_exit virtio 180

  fb_first_boot nvme "$nvme" nvme bios
  cv_admin nvme 'sudo -n systemctl poweroff' 2>/dev/null || true
  vm_wait_exit nvme 180

  cv_log "virtio: second boot, under SeaBIOS this time"
  vm_start virtio-again --firmware bios --boot disk --disk "$virtio:virtio" --second-nic
  cv_wait_admin virtio-again
  check "second boot: boot finished, no failed unit" in_vm virtio-again 'test "$(systemctl is-system-running --wait)" = running'
  check "second boot: $grow_unit skipped (its marker exists)" in_vm virtio-again "test \"\$(systemctl show -p ConditionResult --value $grow_unit)\" = no"
  check "second boot: marker, partition table, file system size, machine-id and host keys unchanged" \
    test "$(in_vm virtio-again "$STATE")" = "$state"
  cv_admin virtio-again 'sudo -n systemctl poweroff' 2>/dev/null || true
  vm_wait_exit virtio-again 180
}

phase_image
phase_boots

t_summary
