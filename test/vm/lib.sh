#!/usr/bin/env bash
# The VM test bench: bash functions to boot Debian bookworm VMs in QEMU and drive them
# over SSH on a loopback port. Source it; see test/README.md for the API and an example.
#
#   source test/vm/lib.sh
#   vm_init                                   # run dir, EXIT trap, image (built or cached)
#   root=$(vm_disk_overlay root)              # copy-on-write disk over the bench image
#   vm_start box --disk "$root:virtio" --firmware bios
#   vm_wait_ssh box
#   vm_ssh box 'uname -a'
#   vm_poweroff box
#
# Environment: LOLICE_VM_ACCEL=kvm|tcg (default: kvm when a KVM guest really runs, else tcg),
# LOLICE_VM_CACHE (the machine cache: bench image, key, run dirs; default
# ${XDG_CACHE_HOME:-~/.cache}/lolice/vm), LOLICE_VM_KEEP=1 (keep the run dir), LOLICE_VM_MEMORY
# (MiB, default 1024), LOLICE_VM_CPUS (default 1: two lanes of TCG guests on two cores run
# faster with one vCPU each, see test/vm/bench-cpus.sh), LOLICE_TEST_RUN_DIR (set by
# test/run.sh: what the tests of one run share, such as the converged worker disk).
# shellcheck shell=bash

VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${LOLICE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lolice/vm}
VM_IMAGE_DIR=''   # set by vm_init: disk.raw, vmlinuz, initrd.img, cmdline
VM_RUN_DIR=''     # set by vm_init: per-run disks, logs, pid files
VM_ACCEL=''       # set by vm_init: kvm or tcg
VM_CPU=''         # set by vm_init: the -cpu model
VM_SSH_KEY=$VM_CACHE/id_ed25519
VM_SSH_MUX_DIR='' # set by vm_init: the shared SSH connections' sockets
declare -gA VM_PID=() VM_PORT=() VM_LOG=()
# MAC addresses of a VM's NICs: the first carries SSH (user network with the port forward);
# the second (vm_start --second-nic) sits on a network of its own, with no forward.
readonly VM_NIC1_MAC=52:54:00:12:34:56 VM_NIC2_MAC=52:54:00:12:34:57

vm_log() { printf '[vm %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
vm_die() { vm_log "ERROR: $*"; exit 1; }

# vm_init: builds or finds the bench image, picks the accelerator, makes a run dir under
# the cache and installs an EXIT trap that stops every VM this shell started.
vm_init() {
  local cmd
  for cmd in qemu-system-x86_64 qemu-img ssh ssh-keygen sgdisk mmdebstrap mke2fs; do
    command -v "$cmd" >/dev/null || vm_die "missing command $cmd (run test/setup-system.sh)"
  done
  VM_IMAGE_DIR=$(bash "$VM_LIB_DIR/build-image.sh" | tail -n1)
  [[ -f $VM_IMAGE_DIR/disk.raw ]] || vm_die "no bench image in '$VM_IMAGE_DIR'"
  # Held shared until this shell exits: the image is not rebuilt under a running VM.
  exec {VM_IMAGE_LOCK_FD}<"$VM_IMAGE_DIR.lock"
  flock -s "$VM_IMAGE_LOCK_FD"
  mkdir -p "$VM_CACHE/runs"
  VM_RUN_DIR=$(mktemp -d "$VM_CACHE/runs/run.XXXXXX")
  # Short: a socket's path is limited to 107 bytes.
  VM_SSH_MUX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vm-mux.XXXXXX")
  trap vm_teardown EXIT
  trap 'exit 130' INT TERM
  local accel
  accel=$(vm_detect_accel)
  VM_ACCEL=${accel%%:*} VM_CPU=${accel#*:}
  vm_log "image $VM_IMAGE_DIR, accel $VM_ACCEL (cpu $VM_CPU), run dir $VM_RUN_DIR"
}

# The CPU model of TCG guests: QEMU's default, qemu64 (x86-64's baseline, SSE2). Under emulation
# a model with more features is slower, not faster: with "max" (AVX2 and the rest) glibc and
# Python pick vector code paths that TCG emulates op by op. Side by side, the bench's guest work
# (Python starts, fork and exec, dpkg queries) took 20 % longer with "max", a whole worker.yml
# run 2-4 % (test/vm/bench-cpus.sh measures the first). Every system the bench boots (Debian, the
# Ubuntu images) runs on the baseline.
readonly VM_TCG_CPU=qemu64

# vm_detect_accel: "kvm:<cpu>" when the bench kernel really runs under KVM with that CPU
# model (it must get as far as its "Kernel panic" for want of a root file system: in nested
# setups a KVM guest can start and then hang, or "-cpu host" can abort), else "tcg:$VM_TCG_CPU".
# The answer is cached per host boot in $VM_CACHE/accel (for TCG the model is not read from it).
vm_detect_accel() {
  local forced=${LOLICE_VM_ACCEL:-} cached=$VM_CACHE/accel boot_id cpu answer
  [[ $forced == tcg ]] && { echo "tcg:$VM_TCG_CPU"; return; }
  boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
  if [[ -z $forced && -f $cached && $(head -n1 "$cached") == "$boot_id" ]]; then
    answer=$(tail -n1 "$cached")
    [[ $answer == tcg:* ]] && answer=tcg:$VM_TCG_CPU
    echo "$answer"; return
  fi
  answer=tcg:$VM_TCG_CPU
  if [[ -r /dev/kvm && -w /dev/kvm ]]; then
    for cpu in host qemu64; do
      if timeout 20 qemu-system-x86_64 -accel kvm -cpu "$cpu" -machine q35 -m 256 -display none \
        -nodefaults -serial stdio -no-reboot -kernel "$VM_IMAGE_DIR/vmlinuz" \
        -append 'console=ttyS0 panic=-1' 2>/dev/null | grep -q 'Kernel panic'; then
        answer=kvm:$cpu; break
      fi
    done
  fi
  [[ $forced == kvm && $answer == tcg:* ]] && vm_die "LOLICE_VM_ACCEL=kvm but the kernel does not run under KVM here"
  printf '%s\n%s\n' "$boot_id" "$answer" >"$cached"
  echo "$answer"
}

# vm_disk_overlay NAME [BASE [SIZE]]: a qcow2 disk in the run dir backed by BASE (default: the
# bench image; or a disk a test built once and keeps read-only, such as the converged worker),
# SIZE as qemu-img takes it (default: BASE's). The base is never written. Prints its path.
vm_disk_overlay() {
  local path=$VM_RUN_DIR/$1.qcow2 base=${2:-$VM_IMAGE_DIR/disk.raw} fmt=raw
  [[ $base == *.qcow2 ]] && fmt=qcow2
  qemu-img create -q -f qcow2 -F "$fmt" -b "$base" "$path" ${3:+"$3"}
  echo "$path"
}

# vm_disk_copy NAME: a sparse raw copy of the bench image (for checksums of the whole disk).
vm_disk_copy() {
  local path=$VM_RUN_DIR/$1.raw
  cp --sparse=always "$VM_IMAGE_DIR/disk.raw" "$path"
  chmod 0644 "$path" # the cached image is read-only; its copy is the test's to write
  echo "$path"
}

# vm_disk_put RAW_COPY GUEST_PATH LOCAL_FILE [MODE=0644]: writes a file into the bench root
# file system of a raw copy (vm_disk_copy) before it boots (debugfs; no mount needed).
vm_disk_put() {
  local disk=$1 path=$2 file=$3 mode=${4:-0644} fs
  fs="$1?offset=$((1024 * 1024))"
  debugfs -w -R "rm $path" "$fs" >/dev/null 2>&1 || true
  printf 'write %s %s\nsif %s mode 0100%s\n' "$file" "$path" "$path" "${mode#0}" |
    debugfs -w -f - "$fs" >/dev/null 2>&1
  [[ $(debugfs -R "cat $path" "$fs" 2>/dev/null) == "$(<"$file")" ]] || vm_die "vm_disk_put: could not write $path into $disk"
}

# vm_disk_new NAME SIZE: an empty sparse raw disk (SIZE as truncate takes it: 4G, 512M).
vm_disk_new() {
  local path=$VM_RUN_DIR/$1.raw
  truncate -s "$2" "$path"
  echo "$path"
}

# vm_free_port: a 127.0.0.1 TCP port nobody listens on (QEMU's bind is the final check).
vm_free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# vm_disk_args INDEX PATH BUS [boot]: QEMU arguments for one disk on a q35 machine.
# BUS: virtio (/dev/vdX), sata (/dev/sdX, AHCI port INDEX), nvme (/dev/nvmeXn1).
# The disk's serial is its file name without extension (visible in /dev/disk/by-id).
vm_disk_args() {
  local i=$1 path=$2 bus=$3 boot=${4:-} fmt=raw serial
  [[ $path == *.qcow2 ]] && fmt=qcow2
  serial=$(basename "${path%.*}")
  local bootindex=''
  [[ -n $boot ]] && bootindex=",bootindex=1"
  printf '%s\n' -drive "if=none,id=disk$i,file=$path,format=$fmt,cache=unsafe,discard=unmap"
  case $bus in
    virtio) printf '%s\n' -device "virtio-blk-pci,drive=disk$i,serial=$serial$bootindex" ;;
    sata) printf '%s\n' -device "ide-hd,drive=disk$i,bus=ide.$i,serial=$serial$bootindex" ;;
    nvme) printf '%s\n' -device "nvme,drive=disk$i,serial=$serial$bootindex" ;;
    *) vm_die "unknown disk bus '$bus' (virtio, sata or nvme)" ;;
  esac
}

# vm_start NAME [--firmware uefi|uefi-sb|bios] [--boot kernel|disk] [--ro] [--cmdline-extra ARGS]
#          --disk PATH:BUS [--disk PATH:BUS ...]
# Starts QEMU in the background; the first disk is the boot disk. --boot kernel (default)
# boots the bench image's kernel directly with root=UUID of the bench image; --boot disk
# lets the firmware boot the first disk (for disks with their own boot loader). Firmware:
# uefi = OVMF, uefi-sb = OVMF with Secure Boot enforced (Microsoft's keys, SMM; --boot disk
# only), bios = SeaBIOS. --ro mounts
# the bench root read-only. SSH is forwarded from 127.0.0.1:${VM_PORT[NAME]}; the serial
# console goes to ${VM_LOG[NAME]}. NICs: $VM_NIC1_MAC, and with --second-nic also $VM_NIC2_MAC
# (its own user network, DHCP would answer there: a port left unconfigured shows no address).
vm_start() {
  local name=$1; shift
  local firmware=bios boot=kernel ro='' extra='' disks=() nics=()
  while (($#)); do
    case $1 in
      --firmware) firmware=$2; shift 2 ;;
      --boot) boot=$2; shift 2 ;;
      --disk) disks+=("$2"); shift 2 ;;
      --ro) ro=1; shift ;;
      --cmdline-extra) extra=$2; shift 2 ;;
      --second-nic) nics=(-netdev "user,id=net1,restrict=on" -device "virtio-net-pci,netdev=net1,mac=$VM_NIC2_MAC"); shift ;;
      *) vm_die "vm_start: unknown option $1" ;;
    esac
  done
  ((${#disks[@]})) || vm_die "vm_start $name: no --disk"
  local dir=$VM_RUN_DIR/$name
  mkdir -p "$dir"
  [[ $firmware == uefi-sb && $boot == kernel ]] &&
    vm_die "vm_start $name: --firmware uefi-sb needs --boot disk (the disk's own shim and GRUB): the bench kernel is signed by Debian, whom only shim trusts, not the firmware"
  local machine=q35
  [[ $firmware == uefi-sb ]] && machine=q35,smm=on
  local -a args=(-name "$name" -machine "$machine" -m "${LOLICE_VM_MEMORY:-1024}" -smp "${LOLICE_VM_CPUS:-1}"
    -display none -nodefaults -serial "file:$dir/serial.log" -pidfile "$dir/qemu.pid"
    -monitor "unix:$dir/monitor.sock,server,nowait" -no-reboot)
  args+=(-accel "$VM_ACCEL" -cpu "$VM_CPU")
  case $firmware in
    uefi)
      cp /usr/share/OVMF/OVMF_VARS_4M.fd "$dir/OVMF_VARS.fd"
      args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
        -drive "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd") ;;
    uefi-sb)
      # Secure Boot enforced, as a mini PC leaves the factory (and as packer-gen's build VM
      # runs): OVMF's Secure Boot build (it requires SMM) with Microsoft's keys enrolled and
      # Secure Boot on in a per-VM copy of the variables, the flash writable only from SMM.
      cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$dir/OVMF_VARS.fd"
      args+=(-global "driver=cfi.pflash01,property=secure,value=on"
        -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
        -drive "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd") ;;
    bios) args+=(-bios /usr/share/seabios/bios-256k.bin) ;;
    *) vm_die "unknown firmware '$firmware' (uefi, uefi-sb or bios)" ;;
  esac
  if [[ $boot == kernel ]]; then
    local cmdline
    cmdline=$(<"$VM_IMAGE_DIR/cmdline")
    [[ -n $ro ]] && cmdline=${cmdline/ rw / ro }
    # No proactive compaction: after a large copy (the installer's 800 MiB) fills the page
    # cache, kcompactd moves pages for minutes under emulation (soft lockups in the console,
    # SSH unanswered for 60-110 s). A test bench setting, not the product's: disks booted by
    # their own boot loader keep their command line.
    # No speculative-execution mitigations either: the emulated CPU executes nothing
    # speculatively, and the retpolines the kernel patches in for it cost 5-10 % of a guest's
    # process-heavy work under TCG (measured side by side, 3 rounds: an Ansible task's pieces).
    cmdline+=' sysctl.vm.compaction_proactiveness=0 mitigations=off'
    args+=(-kernel "$VM_IMAGE_DIR/vmlinuz" -initrd "$VM_IMAGE_DIR/initrd.img" -append "$cmdline $extra")
  fi
  local i spec first=1
  for i in "${!disks[@]}"; do
    spec=${disks[$i]}
    mapfile -t -O "${#args[@]}" args < <(vm_disk_args "$i" "${spec%:*}" "${spec##*:}" "${first:+boot}")
    first=''
  done
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(vm_free_port)
    VM_LOG[$name]=$dir/serial.log
    VM_PORT[$name]=$port
    if qemu-system-x86_64 "${args[@]}" -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:22" \
      -device "virtio-net-pci,netdev=net0,mac=$VM_NIC1_MAC" "${nics[@]}" -daemonize 2>"$dir/qemu.err"; then
      VM_PID[$name]=$(<"$dir/qemu.pid")
      vm_log "$name: started (pid ${VM_PID[$name]}, $firmware, boot $boot, ssh 127.0.0.1:$port, disks ${disks[*]##*/})"
      return 0
    fi
    grep -q 'hostfwd' "$dir/qemu.err" || { cat "$dir/qemu.err" >&2; vm_die "$name: QEMU did not start (attempt $attempt)"; }
  done
  vm_die "$name: no free SSH port after 5 attempts"
}

vm_running() { [[ -n ${VM_PID[$1]:-} ]] && kill -0 "${VM_PID[$1]}" 2>/dev/null; }

# vm_ssh_as USER KEY NAME COMMAND...: runs a command in VM NAME as USER with KEY (arguments
# joined as ssh does); the command's exit code passes through. A connection that fails before
# the command starts (no SSH banner within 30 s, the key exchange cut, nothing listening) is
# tried again for up to 4 minutes: an emulated guest can stop answering for tens of seconds, e.g.
# after an install's writes. VM_SSH_PROBE=1: one attempt, 10 s (the wait loops). ssh's own
# errors are shown.
# The calls of one user to one VM share one connection (OpenSSH's ControlMaster: one handshake,
# which costs 1-2 s under emulation, instead of one per call). VM_SSH_FRESH=1 makes a new
# connection of its own: for the checks that are about sshd itself (a refused login, new host
# keys, the port sshd listens on), which a connection opened earlier would not test.
VM_SSH_PREAUTH='during banner exchange|kex_exchange_identification|connect to host .* port [0-9]+: (Connection refused|Connection timed out)'
vm_ssh_as() {
  local user=$1 key=$2 name=$3 err rc t0=$SECONDS timeout=30 retry=240
  shift 3
  [[ ${VM_SSH_PROBE:-} == 1 ]] && timeout=10 retry=0
  err=$(mktemp "${TMPDIR:-/tmp}/vm-ssh.XXXXXX")
  while :; do
    rc=0
    # shellcheck disable=SC2046 # the mux options are words
    ssh -E "$err" -i "$key" -p "${VM_PORT[$name]}" "${VM_SSH_OPTIONS[@]}" -o ConnectTimeout=$timeout \
      $(vm_ssh_mux_options) "$user@127.0.0.1" "$@" || rc=$?
    if ((rc != 255 || SECONDS - t0 >= retry)) || ! grep -qE "$VM_SSH_PREAUTH" "$err" || ! vm_running "$name"; then
      break
    fi
    vm_log "$name: SSH did not connect ($(tail -n1 "$err" | tr -d '\r')), trying again"
    : >"$err"
    sleep 5
  done
  cat "$err" >&2
  rm -f "$err"
  return "$rc"
}

# The options of every SSH connection to a bench VM (vm_ssh_as, vm_scp).
VM_SSH_OPTIONS=(-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o IdentitiesOnly=yes -o ServerAliveInterval=15 -o ServerAliveCountMax=8)

# vm_ssh_mux_options: the connection sharing options (one word each): a master per user and
# port in VM_SSH_MUX_DIR, or none with VM_SSH_FRESH=1 or before vm_init.
vm_ssh_mux_options() {
  if [[ ${VM_SSH_FRESH:-} == 1 || -z ${VM_SSH_MUX_DIR:-} ]]; then
    echo '-o ControlMaster=no -o ControlPath=none'
  else
    echo "-o ControlMaster=auto -o ControlPath=$VM_SSH_MUX_DIR/%r@%p -o ControlPersist=600"
  fi
}

# vm_ssh_close NAME: closes the shared connections to VM NAME (before it stops: its port may
# serve another VM later).
vm_ssh_close() {
  local port=${VM_PORT[$1]:-} sock user
  [[ -n $port && -n ${VM_SSH_MUX_DIR:-} ]] || return 0
  for sock in "$VM_SSH_MUX_DIR"/*@"$port"; do
    [[ -S $sock ]] || continue
    user=${sock##*/} user=${user%@*}
    ssh -o ControlPath="$sock" -O exit -p "$port" "$user@127.0.0.1" >/dev/null 2>&1 || true
    rm -f "$sock"
  done
}

# vm_ssh NAME COMMAND...: runs a command as root in the VM (vm_ssh_as with the bench key).
vm_ssh() { vm_ssh_as root "$VM_SSH_KEY" "$@"; }

# vm_ssh_fresh NAME COMMAND...: vm_ssh on a new connection of its own (VM_SSH_FRESH=1).
vm_ssh_fresh() { VM_SSH_FRESH=1 vm_ssh "$@"; }

# vm_scp NAME SRC DEST: copies a local file into the VM (DEST is a path in the VM), as root,
# over the shared connection.
vm_scp() {
  # shellcheck disable=SC2046 # the mux options are words
  scp -q -i "$VM_SSH_KEY" -P "${VM_PORT[$1]}" "${VM_SSH_OPTIONS[@]}" $(vm_ssh_mux_options) "$2" "root@127.0.0.1:$3"
}

# vm_wait_ssh NAME [TIMEOUT_SECONDS=600]: waits until SSH answers; prints progress (the
# last serial console line) every 15 s; on timeout shows the console tail and fails.
vm_wait_ssh() {
  local name=$1 timeout=${2:-600} t0=$SECONDS next=15
  while ! VM_SSH_PROBE=1 vm_ssh "$name" true 2>/dev/null; do
    vm_running "$name" || { tail -n 30 "${VM_LOG[$name]}" >&2; vm_die "$name: QEMU exited before SSH came up"; }
    if ((SECONDS - t0 >= timeout)); then
      tail -n 30 "${VM_LOG[$name]}" >&2
      vm_die "$name: no SSH after ${timeout} s"
    fi
    if ((SECONDS - t0 >= next)); then
      vm_log "$name: waiting for SSH ($((SECONDS - t0)) s): $(vm_console_tail "$name")"
      next=$((next + 15))
    fi
    sleep 2
  done
  vm_log "$name: SSH up after $((SECONDS - t0)) s"
}

# vm_console_tail NAME: the last non-empty serial console line, control characters removed.
vm_console_tail() {
  tr -d '\r' <"${VM_LOG[$1]}" 2>/dev/null | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^[[:space:]]*$' | tail -n1 | cut -c1-100
}

# vm_wait_exit NAME [TIMEOUT=120]: waits for QEMU to exit; kills it after the timeout.
vm_wait_exit() {
  local name=$1 timeout=${2:-120} t0=$SECONDS
  vm_ssh_close "$name"
  while vm_running "$name"; do
    if ((SECONDS - t0 >= timeout)); then
      vm_log "$name: still running after ${timeout} s, killing it"
      kill "${VM_PID[$name]}" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 1
  done
  VM_PID[$name]=''
}

# vm_poweroff NAME [TIMEOUT=180]: clean shutdown over SSH, then waits for QEMU to exit.
vm_poweroff() {
  local name=$1 timeout=${2:-180}
  vm_running "$name" || return 0
  vm_ssh "$name" 'systemctl poweroff' 2>/dev/null || true
  vm_wait_exit "$name" "$timeout"
  vm_log "$name: powered off"
}

# vm_stop NAME: ends QEMU at once (SIGTERM: QEMU completes its disk writes and exits) with no
# shutdown in the guest, as pulling the plug. For a VM whose root is mounted read-only and whose
# other disks hold nothing unwritten (the installer's source system, after install-to-disk said
# done): its clean poweroff took 50-70 s under emulation and proved nothing.
vm_stop() {
  local name=$1
  vm_running "$name" || return 0
  vm_ssh_close "$name"
  kill "${VM_PID[$name]}" 2>/dev/null || true
  vm_wait_exit "$name" 30
  vm_log "$name: stopped (QEMU ended, no shutdown in the guest)"
}

# vm_teardown: kills every VM still running, removes the run dir (unless LOLICE_VM_KEEP=1).
vm_teardown() {
  local name
  for name in "${!VM_PID[@]}"; do
    vm_ssh_close "$name"
    if vm_running "$name"; then
      vm_log "$name: killing QEMU (pid ${VM_PID[$name]})"
      kill "${VM_PID[$name]}" 2>/dev/null || true
    fi
  done
  sleep 0.5
  [[ -n $VM_SSH_MUX_DIR ]] && rm -rf "$VM_SSH_MUX_DIR"
  if [[ -n $VM_RUN_DIR && -d $VM_RUN_DIR ]]; then
    if [[ ${LOLICE_VM_KEEP:-} == 1 ]]; then vm_log "kept $VM_RUN_DIR"; else rm -rf "$VM_RUN_DIR"; fi
  fi
}
