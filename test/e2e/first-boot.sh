#!/usr/bin/env bash
# First boot of the worker image on new machines (README, "First boot on a new mini PC"), on
# real Debian bookworm VMs of the bench (test/vm/), against the loopback STAND-INS of the
# converge test (test/ansible/standins/: GitHub's key endpoint, pkgs.k8s.io, CRI-O).
#
#   1. the image: a small disk laid out as the autoinstall lays out the worker image (GPT:
#      BIOS boot partition, ESP, ext4 root filling the rest) holding the bench system (with
#      Debian's signed shim, GRUB and kernel standing in for Ubuntu's); an INSTALLER STAND-IN
#      does curtin's part and runs the committed user-data's own late-commands (GRUB for
#      i386-pc, the signed chain on the removable UEFI path, the comparison that fails the
#      install otherwise); worker.yml in image-build mode, as Packer runs it (a hardware
#      profile whose module is missing or not the distribution's signed one, or whose firmware
#      file is missing, must fail it first; then nothing may be started, loaded or reloaded);
#      then sealed with the sealing script and the shutdown command of the committed templates.
#   2. flashed: the image written onto two disks twice its size, one NVMe, one SATA (the rest
#      of each disk empty, the GPT's backup header left where the image ended).
#   3. first boots: NVMe under OVMF with Secure Boot enforced (Microsoft's keys: uefi-sb), SATA
#      under SeaBIOS, each with a second NIC: the root partition and file system fill the
#      disk, new machine-id and SSH host keys (not the build's, not each other's), SSH by key
#      as the admin to the node's address on the port chosen by MAC (the other NIC
#      unconfigured), the worker's first boot (hardened sshd, modules, sysctls, CRI-O and
#      kubelet up with one --node-ip), the grower by hand on a full root is a no-op; under
#      uefi-sb the SecureBoot variable is 1, mokutil says enabled, the lockdown is integrity,
#      and the build's Secure Boot check passes (and fails on an unsigned module, a DKMS tree,
#      a GRUB that is not the signed one).
#   4. second boot of the NVMe disk (a copy), under OVMF without Secure Boot: nothing changes.
#      Then the negative control: the copy's GRUB reinstalled with --no-uefi-secure-boot is
#      refused under uefi-sb (no kernel starts) and boots under uefi, from virtio (both watched
#      on the serial console: under uefi the kernel starts and mounts the root from vda3).
#
#   bash test/e2e/first-boot.sh     (LOLICE_VM_ACCEL=tcg to force emulation)
# shellcheck disable=SC2016 # the single-quoted commands run in the VM, where they expand
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
source test/vm/lib.sh
source test/ansible/converge/lib.sh
cv_begin first-boot

admin=$(cv_fact admin_user)
# The signed shim and GRUB, as the installer names them (tied to autoinstall-gen's SIGNED_BOOT
# by test/installer/signed-boot.test.ts).
eval "$(grep -E '^readonly SIGNED_(SHIM|GRUB)=' ansible/roles/usb_installer/files/install-to-disk.sh)"
# The build-only sudo rule: a late-command writes it, Packer's shutdown command removes it.
BUILD_SUDOERS=$(node_modules/.bin/tsx test/e2e/first-boot/packer-commands.ts shutdown | grep -oE '/etc/sudoers\.d/[^ ]+')
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

# The installer stand-in, run in the VM on the image's own disk: what curtin does (ESP, fstab
# by UUID, grub.cfg, the target mounted at /target), then the autoinstall's own late-commands,
# the text of the committed user-data run as Subiquity runs them (GRUB for BIOS and, signed, for
# the removable UEFI path; the check that fails the install unless EFI/BOOT holds the signed
# shim and GRUB; the build-only sudo rule), through a STAND-IN curtin (first-boot/curtin:
# "curtin in-target" only); and a stand-in for cloud-init's command (the bench runs no
# cloud-init; the sealing script calls "cloud-init clean --logs").
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
mkdir -p /boot/grub
grub-mkconfig -o /boot/grub/grub.cfg 2>&1
mkdir -p /target && mount --bind / /target && mount --bind /boot/efi /target/boot/efi
install -m 0755 /tmp/curtin /usr/local/bin/curtin
rc=0
sh -x /tmp/late-commands.sh 2>&1 || rc=$?
umount /target/boot/efi /target
rm /usr/local/bin/curtin
[ "$rc" = 0 ] || { echo "the late-commands failed (exit $rc)"; exit "$rc"; }
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
  node_modules/.bin/tsx test/e2e/first-boot/packer-commands.ts late-commands >"$CONVERGE_WORK/late-commands.sh"
  vm_scp "$vm" "$CONVERGE_WORK/late-commands.sh" /tmp/late-commands.sh
  vm_scp "$vm" test/e2e/first-boot/curtin /tmp/curtin
  check "the curtin stand-in fails as curtin does: an unknown option, no target (exit 2)" vm_ssh "$vm" \
    'sh /tmp/curtin in-target --bogus -- true 2>/dev/null; a=$?; sh /tmp/curtin in-target -- true 2>/dev/null; test "$a$?" = 22'
  vm_ssh "$vm" "$INSTALLER_STANDIN" >"$CONVERGE_WORK/installer-standin.log" 2>&1 ||
    { tail -n 30 "$CONVERGE_WORK/installer-standin.log" >&2; vm_die "the installer stand-in failed"; }
  check "the user-data's late-commands ran, GRUB for EFI with --uefi-secure-boot, then their own comparison with the signed files" \
    grep -q -- "--uefi-secure-boot" "$CONVERGE_WORK/installer-standin.log"
  check "... and EFI/BOOT holds the signed chain: BOOTX64.EFI is $SIGNED_SHIM, grubx64.efi is $SIGNED_GRUB" \
    vm_ssh "$vm" "cmp $SIGNED_SHIM /boot/efi/EFI/BOOT/BOOTX64.EFI && cmp $SIGNED_GRUB /boot/efi/EFI/BOOT/grubx64.efi"
  check "... and wrote the build-only sudo rule $BUILD_SUDOERS" vm_ssh "$vm" "test -s $BUILD_SUDOERS"
  cv_prepare "$vm"
  cv_write_inventory "$vm"

  cv_log "image build: a profile module that is not the distribution's (unsigned, out of tree) fails the build"
  vm_ssh "$vm" "$PLANT_UNSIGNED_MODULE" >/dev/null
  cv_playbook hw-oot.log worker.yml --extra-vars "lolice_image_build=true" --start-at-task "$HW_CHECK_TASK" \
    --extra-vars '{"hardware_profiles": {"bench_two_ports": {"description": "x", "wired_ports": 2, "kernel_flavour": "", "kernel_modules": ["lolice_oot"], "firmware_packages": [], "firmware_files": [], "microcode_packages": [], "extra_packages": []}}}' \
    && check "worker.yml fails on a profile module no kernel package ships, unsigned" false
  # The callback folds a long message over lines (and doubles a quote): read it as one line.
  check "... naming the module and why" bash -c 'tr -s "[:space:]" " " <"$1" | grep -q "$2"' _ "$CONVERGE_WORK/hw-oot.log" \
    "Module lolice_oot of kernel [^ ]* ([^)]*) is not the distribution'*s signed module: package none, signer none"
  vm_ssh "$vm" "$REMOVE_UNSIGNED_MODULE"

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
  # The build's id and commit as the image workflow hands them to Packer, and Packer to Ansible.
  local build_id=20260101-0123abc commit
  commit=$(printf '0123abc%.0s' 1 2 3 4 5)01234
  cv_playbook build.log worker.yml --extra-vars "lolice_image_build=true" \
    --extra-vars '{"kubernetes_components_kubelet_config_extra": {"resolvConf": "/run/systemd/resolve/resolv.conf"}, "kubernetes_components_kubelet_extra_args": ["--v=2"]}' \
    --extra-vars "$(node_modules/.bin/tsx test/e2e/first-boot/packer-commands.ts build-record-vars "$build_id" "$commit")" \
    || vm_die "worker.yml (image build) failed"
  check "hardware profile checked: the module is in every installed kernel" grep -q 'virtio_net in ' "$CONVERGE_WORK/build.log"
  check "... and is the distribution's signed module (kernel package, signer)" grep -q "Fail when a profile's module is not the distribution's, signed" "$CONVERGE_WORK/build.log"

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
  # build_recorded: the image's build record holds the build's id and commit, the node and the model's versions.
  build_recorded() {
    in_vm_bench "$vm" 'cat /etc/lolice/build.json' | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
got = (r["buildId"], r["gitCommit"], r["node"], r["kubernetes"]["kubelet"], r["crio"]["package"])
sys.exit(0 if got == tuple(sys.argv[1:]) else f"build record {r}")' "$build_id" "$commit" "$CONVERGE_NODE" \
      "$(cv_fact kubernetes_kubelet_version)" "$(cv_fact crio_package_version)"
  }
  check "the image records its build: /etc/lolice/build.json with the build id, commit, node and the model's versions" build_recorded
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

# fb_root_device BUS: the root partition of a flashed disk, the only disk of its VM, on BUS.
fb_root_device() {
  case $1 in virtio) echo vda3 ;; sata) echo sda3 ;; nvme) echo nvme0n1p3 ;; esac
}

# The SecureBoot EFI variable: 4 bytes of attributes, then 1 (enforced) or 0.
readonly SB_VAR=/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c

# fb_secure_boot_facts NAME FIRMWARE: under uefi-sb, the firmware enforces Secure Boot and the
# kernel knows it: the SecureBoot variable is 1, mokutil says enabled, the lockdown is
# integrity. Under uefi (OVMF without keys) the same readings say it is off: they can tell.
fb_secure_boot_facts() {
  local vm=$1 firmware=$2
  case $firmware in
    uefi-sb)
      check "$vm: Secure Boot enforced: the SecureBoot EFI variable is 1" in_vm "$vm" "test \"\$(od -An -tu1 -j4 -N1 $SB_VAR | tr -d ' ')\" = 1"
      check "$vm: mokutil --sb-state says SecureBoot enabled" in_vm "$vm" 'test "$(mokutil --sb-state)" = "SecureBoot enabled"'
      check "$vm: the kernel is locked down: integrity" in_vm "$vm" 'grep -q "\[integrity\]" /sys/kernel/security/lockdown' ;;
    uefi)
      check "$vm: no Secure Boot: the SecureBoot EFI variable is 0, mokutil says disabled, no lockdown" in_vm "$vm" \
        "test \"\$(od -An -tu1 -j4 -N1 $SB_VAR | tr -d ' ')\" = 0 && mokutil --sb-state | grep -qx 'SecureBoot disabled' && grep -q '\\[none\\]' /sys/kernel/security/lockdown" ;;
  esac
}

# fb_first_boot NAME DISK BUS FIRMWARE: boots a flashed disk for the first time and checks it.
fb_first_boot() {
  local vm=$1 disk=$2 bus=$3 firmware=$4 full=${5:-}
  cv_log "$vm: first boot of the image flashed onto a $((2 * IMAGE_BYTES / MIB)) MiB $bus disk under $firmware"
  vm_start "$vm" --firmware "$firmware" --boot disk --disk "$disk:$bus" --second-nic
  cv_wait_admin "$vm"
  check "$vm: boot finished (is-system-running: running; no failed unit)" in_vm "$vm" 'test "$(systemctl is-system-running --wait)" = running'
  local efi='test -d /sys/firmware/efi' rootdev disk_name
  [[ $firmware == uefi* ]] || efi="! $efi"
  rootdev=$(fb_root_device "$bus")
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
  check "$vm: the build-only sudo rule of the late-commands is gone (the shutdown command removed it)" in_vm "$vm" "test ! -e $BUILD_SUDOERS"
  fb_secure_boot_facts "$vm" "$firmware"
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

# An out-of-tree module: virtio_net copied under updates/ as lolice_oot.ko without its appended
# signature (what a DKMS or vendor build leaves: a module no kernel package ships, unsigned).
read -r -d '' PLANT_UNSIGNED_MODULE <<'SH' || true
set -eu
k=$(uname -r); mkdir -p /lib/modules/$k/updates
python3 - "$(modinfo -k "$k" -F filename virtio_net)" /lib/modules/$k/updates/lolice_oot.ko <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic = b"~Module signature appended~\n"
assert data.endswith(magic), "virtio_net is not signed"
(length,) = struct.unpack(">I", data[-len(magic) - 4:-len(magic)])
open(sys.argv[2], "wb").write(data[: -(len(magic) + 12 + length)])
PY
depmod -a "$k"
test -z "$(modinfo -F signer /lib/modules/$k/updates/lolice_oot.ko)"
SH
readonly REMOVE_UNSIGNED_MODULE='rm -r "/lib/modules/$(uname -r)/updates" && depmod -a "$(uname -r)"'

# fb_build_check NAME LOG: the build's Secure Boot check, the committed provisioner's own text
# (k8s-worker.pkr.hcl), run as Packer runs it (sudo -n sh -eux), as the admin.
fb_build_check() {
  cv_admin "$1" 'sudo -n sh -eux' <"$CONVERGE_WORK/secure-boot.sh" >"$CONVERGE_WORK/$2" 2>&1
}

# fb_secure_boot_check NAME: on the flashed image booted under enforcing firmware, the build's
# Secure Boot check passes; an unsigned out-of-tree module, a DKMS tree or a GRUB on EFI/BOOT
# that is not the signed one each fail it, saying which (then each is undone).
fb_secure_boot_check() {
  local vm=$1
  node_modules/.bin/tsx test/e2e/first-boot/packer-commands.ts secure-boot >"$CONVERGE_WORK/secure-boot.sh"
  check "$vm: the build's Secure Boot check passes (mokutil, lockdown, the signed shim and GRUB, no DKMS, every module signed)" \
    fb_build_check "$vm" secure-boot.log
  in_vm "$vm" "$PLANT_UNSIGNED_MODULE" >/dev/null
  check "$vm: ... fails on an unsigned out-of-tree module, naming it" \
    fails fb_build_check "$vm" secure-boot-module.log
  check "$vm: ... (its log names updates/lolice_oot.ko)" grep -q 'updates/lolice_oot.ko' "$CONVERGE_WORK/secure-boot-module.log"
  in_vm "$vm" "$REMOVE_UNSIGNED_MODULE"
  in_vm "$vm" 'mkdir -p /var/lib/dkms/lolice/1.0'
  check "$vm: ... fails on a DKMS tree in /var/lib/dkms" fails fb_build_check "$vm" secure-boot-dkms.log
  check "$vm: ... (its log says /var/lib/dkms is not empty)" grep -q '/var/lib/dkms is not empty' "$CONVERGE_WORK/secure-boot-dkms.log"
  in_vm "$vm" 'rm -r /var/lib/dkms'
  in_vm "$vm" 'cp /boot/efi/EFI/BOOT/grubx64.efi /run/grubx64.efi && printf x >>/boot/efi/EFI/BOOT/grubx64.efi'
  check "$vm: ... fails when EFI/BOOT/grubx64.efi is not the signed GRUB" fails fb_build_check "$vm" secure-boot-esp.log
  check "$vm: ... (its log says EFI/BOOT does not hold the signed shim and GRUB)" \
    grep -q 'does not hold the signed shim and GRUB' "$CONVERGE_WORK/secure-boot-esp.log"
  in_vm "$vm" 'cp /run/grubx64.efi /boot/efi/EFI/BOOT/grubx64.efi'
}

# fb_poweroff NAME: powers the VM off through the admin's sudo and waits for QEMU to exit.
fb_poweroff() {
  cv_admin "$1" 'sudo -n systemctl poweroff' 2>/dev/null || true
  vm_wait_exit "$1" 180
}

# fb_console NAME SECONDS REGEX: watches the VM's serial console until REGEX, a refusal of the
# firmware or shim ("Access Denied", "Security Violation", "Verification failed") or SECONDS
# pass, then kills the VM and shows the console's last lines.
readonly REFUSED='Access Denied|Security Violation|Verification failed'
fb_console() {
  local vm=$1 bound=$2 until=$3 t0=$SECONDS
  until grep -aqE "$REFUSED|$until" "${VM_LOG[$vm]}" || ((SECONDS - t0 >= bound)); do
    vm_running "$vm" || break
    sleep 2
  done
  sleep 3 # what follows, for the log
  kill "${VM_PID[$vm]}" 2>/dev/null || true
  vm_wait_exit "$vm" 30
  cv_log "$vm: console after $((SECONDS - t0)) s:"
  tr -d '\r' <"${VM_LOG[$vm]}" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^[[:space:]]*$' | tail -n 8 | sed 's/^/  | /' >&2
}
# fb_refused_without_kernel NAME SECONDS: the firmware or shim refuses the boot loader and no
# kernel starts ("Linux version"), the console watched for at most SECONDS.
fb_refused_without_kernel() {
  fb_console "$1" "$2" 'Linux version'
  grep -aqE "$REFUSED" "${VM_LOG[$1]}" && ! grep -aq 'Linux version' "${VM_LOG[$1]}"
}
# fb_kernel_mounts_root NAME SECONDS DEVICE: the boot loader starts a kernel ("Linux version"),
# which mounts the root file system from DEVICE, and nothing was refused: the console watched
# for at most SECONDS. What the refusal above lacks, seen the same way.
fb_kernel_mounts_root() {
  local mounted="EXT4-fs \\($3\\): mounted filesystem"
  fb_console "$1" "$2" "$mounted"
  grep -aq 'Linux version' "${VM_LOG[$1]}" && grep -aqE "$mounted" "${VM_LOG[$1]}" && ! grep -aqE "$REFUSED" "${VM_LOG[$1]}"
}

# Boots by coverage (test/README.md, "Boots by coverage"): the image on NVMe under enforcing
# firmware (uefi-sb, what a mini PC does) with every check; on SATA under SeaBIOS; the NVMe
# disk's second boot under plain OVMF, on a copy (qcow2 overlay) that then gets GRUB without
# the signed chain: the negative control, on virtio, refused under uefi-sb, booted under uefi.
phase_boots() {
  local nvme sata copy
  nvme=$(fb_flash flashed-nvme)
  sata=$(fb_flash flashed-sata)

  fb_first_boot nvme "$nvme" nvme uefi-sb full
  local state
  state=$(in_vm nvme "$STATE")
  fb_secure_boot_check nvme
  fb_poweroff nvme

  fb_first_boot sata "$sata" sata bios
  fb_poweroff sata

  cv_log "nvme: second boot, under OVMF without Secure Boot, on a copy of the disk"
  copy=$(vm_disk_overlay nvme-copy "$nvme")
  vm_start nvme-again --firmware uefi --boot disk --disk "$copy:nvme" --second-nic
  cv_wait_admin nvme-again
  check "second boot: boot finished, no failed unit" in_vm nvme-again 'test "$(systemctl is-system-running --wait)" = running'
  check "second boot: $grow_unit skipped (its marker exists)" in_vm nvme-again "test \"\$(systemctl show -p ConditionResult --value $grow_unit)\" = no"
  check "second boot: marker, partition table, file system size, machine-id and host keys unchanged" \
    test "$(in_vm nvme-again "$STATE")" = "$state"
  fb_secure_boot_facts nvme-again uefi

  cv_log "negative control: the copy's GRUB reinstalled with --no-uefi-secure-boot (an unsigned core image as EFI/BOOT/BOOTX64.EFI)"
  check "the copy: grub-install --no-uefi-secure-boot writes an unsigned EFI/BOOT/BOOTX64.EFI, not the shim" in_vm nvme-again \
    "grub-install --target=x86_64-efi --efi-directory=/boot/efi --removable --no-nvram --no-uefi-secure-boot && ! cmp -s $SIGNED_SHIM /boot/efi/EFI/BOOT/BOOTX64.EFI"
  fb_poweroff nvme-again
  vm_start unsigned-sb --firmware uefi-sb --boot disk --disk "$copy:virtio"
  check "negative control: under uefi-sb the firmware refuses the unsigned boot loader, no kernel starts (watched 240 s at most)" \
    fb_refused_without_kernel unsigned-sb 240
  # Its counterpart, seen the same way (the full boot of this disk is nvme-again's, before the
  # GRUB was replaced): the unsigned GRUB starts the kernel, which mounts the root from virtio.
  vm_start unsigned-uefi --firmware uefi --boot disk --disk "$copy:virtio"
  check "negative control: under uefi (no Secure Boot) the same disk boots: a kernel starts and mounts the root from virtio (vda3) (watched 300 s at most)" \
    fb_kernel_mounts_root unsigned-uefi 300 vda3
}

phase_image
phase_boots

t_summary
