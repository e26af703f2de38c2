# shellcheck shell=bash
# Helpers of the VM tests of the playbooks (test/e2e/ansible-converge.sh, first-boot.sh,
# upgrade.sh), on top of the VM bench (test/vm/lib.sh, sourced first): the loopback stand-ins,
# SSH as a given user, playbook runs, and the checks of test/lib/checks.sh (quiet: a check's
# output is shown when it fails). Source it; start the test with cv_begin, end it with
# t_summary.

CONVERGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONVERGE_REPO=$(cd "$CONVERGE_DIR/../../.." && pwd)
# shellcheck source=test/lib/checks.sh
source "$CONVERGE_REPO/test/lib/checks.sh"
T_QUIET=1
CONVERGE_GROUP_VARS=$CONVERGE_REPO/ansible/inventories/production/group_vars/workers.yml
CONVERGE_WORK=''      # scratch dir: stand-ins, keys, inventory, logs
STANDIN_PORT=''       # the HTTP stand-in on 127.0.0.1 (host), tunnelled to CV_STANDIN_VM_PORT in each VM
# Where every VM of every test finds the stand-ins: its own 127.0.0.1, this port (whatever the
# host's is). So the APT sources of the converged worker, written by the converge test, hold in
# each later test that boots it, as pkgs.k8s.io keeps its address.
readonly CV_STANDIN_VM_PORT=18080
STANDIN_PID=''
declare -gA TUNNEL_PID=()

cv_log() { printf '[converge %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# cv_fact NAME: a variable of the generated group_vars/workers.yml (the model's value).
cv_fact() {
  /usr/bin/python3 -c 'import sys, yaml; v = yaml.safe_load(open(sys.argv[1]))[sys.argv[2]]; print(" ".join(map(str, v)) if isinstance(v, list) else v)' \
    "$CONVERGE_GROUP_VARS" "$1"
}

# cv_role_default ROLE NAME: a default of an Ansible role (JSON for lists and maps): what the
# role sets when nothing overrides it.
cv_role_default() {
  /usr/bin/python3 -c 'import json, sys, yaml; v = yaml.safe_load(open(sys.argv[1]))[sys.argv[2]]; print(v if isinstance(v, str) else json.dumps(v))' \
    "$CONVERGE_REPO/ansible/roles/$1/defaults/main.yml" "$2"
}

# cv_node_var FIELD: the bench node's entry of worker_nodes in the test vars (JSON).
cv_node_var() {
  /usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))["worker_nodes"][sys.argv[2]][sys.argv[3]]))' \
    "$CONVERGE_WORK/test-vars.yml" "$CONVERGE_NODE" "$1"
}

# cv_first_worker: name of the model's first worker, from the generated inventory.
cv_first_worker() {
  /usr/bin/python3 -c 'import sys, yaml; print(next(iter(yaml.safe_load(open(sys.argv[1]))["all"]["children"]["workers"]["hosts"])))' \
    "$CONVERGE_REPO/ansible/inventories/production/hosts.yml"
}

# cv_standins_start: builds the stand-in APT repositories, the stand-in of GitHub's key
# endpoint (<user>.keys serving a fresh test key; empty.keys serving nothing) and starts the
# STAND-IN HTTP server on 127.0.0.1 only.
cv_standins_start() {
  # CONVERGE_NEXT_MINOR=1: also the next minor series (the upgrade test). On the converged worker
  # (CONVERGE_ON_CONVERGED), signed with the key it trusts.
  bash "$CONVERGE_REPO/test/ansible/standins/build-repos.sh" "$CONVERGE_WORK/standins" ${CONVERGE_NEXT_MINOR:+--next-minor} \
    ${CV_CONVERGED_KEY:+--key "$CV_CONVERGED_KEY"}
  local www=$CONVERGE_WORK/standins/www
  # The admin's key: a new one, or on the converged worker the one its admin has (so that the keys
  # URL serves what worker.yml installed there).
  if [[ -n $CV_CONVERGED_ADMIN_KEY ]]; then
    install -m 0600 "$CV_CONVERGED_ADMIN_KEY" "$CONVERGE_WORK/admin_key"
    install -m 0644 "$CV_CONVERGED_ADMIN_KEY.pub" "$CONVERGE_WORK/admin_key.pub"
  else
    ssh-keygen -q -t ed25519 -N '' -C 'lolice converge test admin key' -f "$CONVERGE_WORK/admin_key"
  fi
  mkdir -p "$www/github.com"
  cp "$CONVERGE_WORK/admin_key.pub" "$www/github.com/$(cv_fact admin_github_keys_user).keys"
  : >"$www/github.com/empty.keys"
  STANDIN_PORT=$(vm_free_port)
  /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$www" "$STANDIN_PORT" \
    >"$CONVERGE_WORK/standin-http.log" 2>&1 &
  STANDIN_PID=$!
  local _
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$STANDIN_PORT") 2>/dev/null && break
    sleep 0.1
  done
  cv_log "stand-in HTTP server (GitHub keys, pkgs.k8s.io, CRI-O) on 127.0.0.1:$STANDIN_PORT"
}

# cv_router_advertises_dns: QEMU's user network (libslirp), the bench network's router, sends
# router advertisements; it puts its IPv6 DNS proxy (fec0::3) into them as an RDNSS option only
# when the host itself has an IPv6 nameserver (libslirp ip6_icmp.c, ndp_send_ra). So QEMU runs
# with a resolv.conf that has one (a documentation address, RFC 3849: never queried), in a mount
# namespace of its own: a qemu-system-x86_64 ahead of the real one on PATH. The owner's LAN
# advertised DNS servers the same way (boxp/arch BOXP-168).
cv_router_advertises_dns() {
  local real bin=$CONVERGE_WORK/bin
  real=$(command -v qemu-system-x86_64) || vm_die "missing command qemu-system-x86_64"
  mkdir -p "$bin"
  { grep -v '^nameserver .*:' /etc/resolv.conf || true; echo 'nameserver 2001:db8::53'; } >"$CONVERGE_WORK/resolv.conf"
  cat >"$bin/qemu-system-x86_64" <<WRAPPER
#!/bin/sh
# cv_router_advertises_dns (test/ansible/converge/lib.sh): QEMU with an IPv6 nameserver in its resolv.conf.
exec unshare --mount sh -c 'mount --bind "\$0" /etc/resolv.conf && exec "\$@"' '$CONVERGE_WORK/resolv.conf' '$real' "\$@"
WRAPPER
  chmod 0755 "$bin/qemu-system-x86_64"
  PATH=$bin:$PATH
}

# cv_begin NAME: the start of each test: the bench (vm_init: the one bench image of every VM test,
# which carries what the roles configure, test/vm/build-image.sh) and its
# teardown (cv_cleanup), a work dir, a router that advertises a DNS server, a password for the
# bench user, the model's first worker as CONVERGE_NODE, the stand-ins and the test vars.
# CONVERGE_NEXT_MINOR=1: see cv_standins_start. CONVERGE_ON_CONVERGED=1: the test boots the
# converged worker (cv_converged_worker, called here: the stand-ins sign with its key).
# Set both as plain shell variables, not exported: the converge test run from here must not see them.
cv_begin() {
  command -v sshpass >/dev/null || vm_die "missing command sshpass (test/system-packages.txt)"
  command -v unshare >/dev/null || vm_die "missing command unshare (util-linux)"
  vm_init
  trap cv_cleanup EXIT
  CONVERGE_WORK=$(mktemp -d "$VM_RUN_DIR/$1.XXXXXX")
  cv_router_advertises_dns
  CONVERGE_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  CONVERGE_NODE=$(cv_first_worker)
  [[ -z ${CONVERGE_ON_CONVERGED:-} ]] || cv_converged_worker
  cv_standins_start
  cv_write_vars
  cv_log "$1: accel $VM_ACCEL, work dir $CONVERGE_WORK"
}

# cv_cleanup: stops the tunnels and the stand-in server, then the bench's own teardown.
cv_cleanup() {
  local name
  for name in "${!TUNNEL_PID[@]}"; do kill "${TUNNEL_PID[$name]}" 2>/dev/null || true; done
  if [[ -n $STANDIN_PID ]]; then kill "$STANDIN_PID" 2>/dev/null || true; fi
  vm_teardown
  [[ -n $CONVERGE_WORK && ${LOLICE_VM_KEEP:-} != 1 ]] && rm -rf "$CONVERGE_WORK"
  [[ -z $CV_CONVERGING_LOCK ]] || flock -u "$CV_CONVERGING_LOCK"
  return 0
}

# cv_bench NAME COMMAND..., cv_admin NAME COMMAND...: a command in VM NAME as the bench user
# (bench key) or as the admin (the test's admin key), through the bench's vm_ssh_as.
cv_bench() { vm_ssh_as bench "$VM_SSH_KEY" "$@"; }
cv_admin() { local name=$1; shift; vm_ssh_as "$(cv_fact admin_user)" "$CONVERGE_WORK/admin_key" "$name" "$@"; }

# cv_wait_ssh_bench NAME: like vm_wait_ssh, as the bench user (root may log in no more).
cv_wait_ssh_bench() {
  local name=$1 t0=$SECONDS
  until VM_SSH_PROBE=1 cv_bench "$name" true 2>/dev/null; do
    vm_running "$name" || vm_die "$name: QEMU exited before SSH came up"
    ((SECONDS - t0 < 600)) || { tail -n 30 "${VM_LOG[$name]}" >&2; vm_die "$name: no SSH after 600 s"; }
    sleep 2
  done
  cv_log "$name: SSH (bench user) up after $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------- the converged worker
# One disk per test run holds a worker that worker.yml configured live at the model's versions
# (not joined): test/e2e/ansible-converge.sh leaves it, powered off, once its checks passed.
# It is kept read-only in the run's shared dir (LOLICE_TEST_RUN_DIR, set by test/run.sh) and
# every test that needs a converged worker boots its own copy-on-write overlay of it
# (vm_disk_overlay NAME "$CV_CONVERGED_DISK"): worker.yml runs in full once for all of them.
# In it, root and passwords may not log in; the bench user (bench key, passwordless sudo) and
# the admin (CV_CONVERGED_ADMIN_KEY) may.
# shellcheck disable=SC2034 # read by the tests that source this file
CV_CONVERGED_DISK='' CV_CONVERGED_ADMIN_KEY='' CV_CONVERGED_KEY='' CV_CONVERGING_LOCK=''
cv_converged_dir() { echo "${LOLICE_TEST_RUN_DIR:-$VM_RUN_DIR}/converged-worker"; }

# cv_converging: (the converge test, first) takes the converged worker's lock and marks it failed
# until cv_publish_converged; the lock is let go when it is published or the test ends. A test
# that needs the converged worker (cv_converged_worker) waits for the lock, then boots it, or
# fails at once on the mark: it never runs the converge test a second time. When
# cv_converged_worker runs this test itself, it holds the lock already (CV_CONVERGED_LOCK_HELD).
# When the run has a converged worker already (a test that needed it first made it), there is
# nothing to do: the test ends, passed.
cv_converging() {
  local dir
  dir=$(cv_converged_dir)
  mkdir -p "$dir"
  if [[ -z ${CV_CONVERGED_LOCK_HELD:-} ]]; then
    exec {CV_CONVERGING_LOCK}>>"$dir.lock"
    flock "$CV_CONVERGING_LOCK"
  fi
  if [[ -f $dir/ready ]]; then
    cv_log "this run has its converged worker already ($dir): nothing to do"
    exit 0
  fi
  : >"$dir/failed"
}

# cv_publish_converged DISK: (the converge test) keeps DISK, its VM powered off, as this run's
# converged worker.
cv_publish_converged() {
  local dir
  dir=$(cv_converged_dir)
  mkdir -p "$dir"
  mv "$1" "$dir/disk.qcow2"
  chmod 0444 "$dir/disk.qcow2"
  install -m 0600 "$CONVERGE_WORK/admin_key" "$dir/admin_key"
  install -m 0644 "$CONVERGE_WORK/admin_key.pub" "$dir/admin_key.pub"
  install -m 0600 "$CONVERGE_WORK/standins/signing-key.asc" "$dir/signing-key.asc"
  # The bench image it was made from: its kernel boots it (root=UUID of that image).
  echo "$VM_IMAGE_DIR" >"$dir/bench-image"
  rm -f "$dir/failed"
  : >"$dir/ready"
  [[ -z $CV_CONVERGING_LOCK ]] || flock -u "$CV_CONVERGING_LOCK"
  cv_log "the converged worker is $dir/disk.qcow2 (read-only; tests boot overlays of it)"
}

# cv_converged_worker: sets CV_CONVERGED_DISK and CV_CONVERGED_ADMIN_KEY to this run's converged
# worker, CV_CONVERGED_KEY to the stand-in repositories' signing key its APT trusts. While the
# converge test of this run runs, waits for it (its lock: cv_converging). When the run has none
# yet (a test started on its own), runs test/e2e/ansible-converge.sh first, under the lock;
# when the converge test of this run failed, fails at once; when it was made from another bench
# image than this test's (whose kernel would not find its root), too.
cv_converged_worker() {
  [[ -n ${LOLICE_TEST_RUN_DIR:-} ]] || export LOLICE_TEST_RUN_DIR=$VM_RUN_DIR
  local dir lock
  dir=$(cv_converged_dir)
  mkdir -p "$dir"
  exec {lock}>>"$dir.lock"
  flock "$lock"
  if [[ ! -f $dir/ready ]]; then
    [[ ! -f $dir/failed ]] || vm_die "the converge test of this run failed: there is no converged worker"
    cv_log "no converged worker in this run yet: running test/e2e/ansible-converge.sh first"
    CV_CONVERGED_LOCK_HELD=1 bash "$CONVERGE_REPO/test/e2e/ansible-converge.sh" </dev/null >&2 || true
    [[ -f $dir/ready ]] || vm_die "test/e2e/ansible-converge.sh left no converged worker"
  fi
  flock -u "$lock"
  exec {lock}>&-
  [[ $(cat "$dir/bench-image") == "$VM_IMAGE_DIR" ]] ||
    vm_die "the converged worker was made from the bench image $(cat "$dir/bench-image"), this test boots $VM_IMAGE_DIR (another LOLICE_VM_EXTRA_PACKAGES?)"
  # shellcheck disable=SC2034 # read by the tests that source this file
  CV_CONVERGED_DISK=$dir/disk.qcow2 CV_CONVERGED_ADMIN_KEY=$dir/admin_key CV_CONVERGED_KEY=$dir/signing-key.asc
}

# cv_poweroff NAME: powers the VM off through the bench user's sudo.
cv_poweroff() {
  cv_bench "$1" 'sudo systemctl poweroff' 2>/dev/null || true
  vm_wait_exit "$1" 180
  cv_log "$1: powered off"
}

# cv_prepare NAME: makes a fresh bench VM a worker-to-be: the Debian archive is switched off
# (the VM may reach nothing but the stand-ins), the bench user gets a password (so the test
# can show that password SSH works before and is refused after), and the stand-in server is
# tunnelled to the VM's own 127.0.0.1:CV_STANDIN_VM_PORT with an SSH remote forward.
cv_prepare() {
  local name=$1
  # shellcheck disable=SC2016 # expands in the VM
  vm_ssh "$name" 'for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do [ -f "$f" ] && mv "$f" "$f.bench-disabled"; done; true'
  vm_ssh "$name" "echo 'bench:$CONVERGE_PASSWORD' | chpasswd"
  cv_tunnel "$name" "$STANDIN_PORT" "$name" 'stand-in' "$CV_STANDIN_VM_PORT"
}

# cv_tunnel NAME PORT KEY WHAT [GUEST_PORT]: this host's 127.0.0.1:PORT forwarded to the VM's own
# 127.0.0.1:GUEST_PORT (PORT by default; an SSH remote forward as the bench user), its ssh's pid in
# TUNNEL_PID[KEY]; waits until the VM reaches it (WHAT names it in the failure).
cv_tunnel() {
  local name=$1 port=$2 guest_port=${5:-$2} _
  ssh -N -q -i "$VM_SSH_KEY" -p "${VM_PORT[$name]}" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ExitOnForwardFailure=yes -o ServerAliveInterval=15 \
    -R "127.0.0.1:$guest_port:127.0.0.1:$port" bench@127.0.0.1 &
  TUNNEL_PID[$3]=$!
  for _ in $(seq 30); do
    VM_SSH_PROBE=1 cv_bench "$name" "exec 3<>/dev/tcp/127.0.0.1/$guest_port" 2>/dev/null && return 0
    sleep 1
  done
  vm_die "$name: the $4 tunnel did not come up"
}

# cv_password_login NAME: succeeds when SSH accepts the bench user's password.
cv_password_login() {
  SSHPASS=$CONVERGE_PASSWORD sshpass -e ssh -q -p "${VM_PORT[$1]}" -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 -o PubkeyAuthentication=no \
    -o PreferredAuthentications=password,keyboard-interactive -o NumberOfPasswordPrompts=1 bench@127.0.0.1 true
}

# cv_write_inventory NAME: the test inventory: the VM as the model's first worker (reached as
# the bench user) and, for join.yml, as a stand-in control-plane node (reached as the admin).
cv_write_inventory() {
  local name=$1 port=${VM_PORT[$1]} common='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
  cat >"$CONVERGE_WORK/inventory.ini" <<INI
[workers]
$CONVERGE_NODE ansible_host=127.0.0.1 ansible_port=$port ansible_user=bench ansible_ssh_private_key_file=$VM_SSH_KEY ansible_ssh_common_args='$common'

[control_plane]
standin-control-plane ansible_host=127.0.0.1 ansible_port=$port ansible_user=$(cv_fact admin_user) ansible_ssh_private_key_file=$CONVERGE_WORK/admin_key ansible_ssh_common_args='$common'
INI
}

# cv_write_vars: test-only values on top of the generated group_vars (as Packer passes them):
# addresses of QEMU's user network, so the VM keeps its connectivity, and the stand-ins' URLs
# (the repositories' as the role's own templates: each follows the minor series a run asks for).
# The keys URL is read on this host (the role fetches it on the controller), the repositories in
# the VM.
cv_write_vars() {
  local base=http://127.0.0.1:$CV_STANDIN_VM_PORT
  cat >"$CONVERGE_WORK/test-vars.yml" <<VARS
node_ip: 10.0.2.15
network_gateway: 10.0.2.2
network_dns_servers: [10.0.2.3]
network_prefix_length: 24
user_management_keys_url: http://127.0.0.1:$STANDIN_PORT/github.com/$(cv_fact admin_github_keys_user).keys
kubernetes_components_kubernetes_repo_url: "$base/pkgs.k8s.io/core:/stable:/v{{ kubernetes_components_kubernetes_version }}/deb/"
kubernetes_components_crio_repo_url: "$base/download.opensuse.org/repositories/isv:/cri-o:/stable:/v{{ kubernetes_components_crio_version }}/deb/"
# linux-firmware is not in the bench's offline package set.
network_configuration_packages: [netplan.io]
# The bench node's registration and host directory: test values (the model's first worker may
# have none), under the prefix the model owns (two: the upgrade test's model change drops one),
# a kubelet label of Kubernetes', a taint without a value.
worker_nodes:
  $CONVERGE_NODE:
    labels: {"$(cv_fact node_label_owned_prefix)bench": "true", "$(cv_fact node_label_owned_prefix)pool": bench, "topology.kubernetes.io/zone": bench-zone}
    taints:
      - {key: "$(cv_fact node_label_owned_prefix)bench", value: "true", effect: NoSchedule}
      - {key: "$(cv_fact node_label_owned_prefix)quiet", value: "", effect: PreferNoSchedule}
    host_directories:
      - {path: /var/lib/lolice-bench/models, owner: root, group: root, mode: "0750"}
# The VM as a machine with two wired ports: the address goes to the first, chosen by MAC
# (vm_start --second-nic); a test profile, since the bench runs Debian's kernel (no Ubuntu
# kernel flavour or firmware packages): its module is the bench NIC's driver.
node_port_match: {macaddress: "$VM_NIC1_MAC"}
hardware_profile: bench_two_ports
hardware_profiles:
  bench_two_ports:
    description: bench VM with two virtio NICs
    wired_ports: 2
    kernel_flavour: ""
    kernel_modules: [virtio_net]
    firmware_packages: []
    firmware_files: []
    microcode_packages: []
    extra_packages: []
VARS
}

# cv_playbook LOG PLAYBOOK [ansible-playbook args...]: runs a playbook of ansible/playbooks as
# Packer does (extra vars from the generated group_vars/workers.yml), plus the test vars.
# Output goes to LOG and, filtered to task names and the recap, to stderr. Stdin is /dev/null:
# ansible-core refuses a non-blocking stdin ("requires blocking IO"), which is what a test
# run under npm/projen inherits from Node. ANSIBLE_TIMEOUT: the SSH connect timeout, 30 s as
# vm_ssh's (an emulated guest can take that long to send its banner; Ansible's default is 10).
cv_playbook() {
  local log=$CONVERGE_WORK/$1 playbook=$2; shift 2
  local t0=$SECONDS rc=0
  cv_log "ansible-playbook $playbook $* (log $log)"
  ANSIBLE_CONFIG=$CONVERGE_REPO/ansible/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_TIMEOUT=30 \
    ansible-playbook -i "$CONVERGE_WORK/inventory.ini" \
    --extra-vars "@$CONVERGE_GROUP_VARS" --extra-vars "@$CONVERGE_WORK/test-vars.yml" \
    "$@" "$CONVERGE_REPO/ansible/playbooks/$playbook" </dev/null >"$log" 2>&1 || rc=$?
  grep -E '^(PLAY RECAP|TASK|RUNNING HANDLER|fatal|[a-z0-9-]+ +: ok=)' "$log" | grep -v '^TASK: ' | sed 's/ \*\+$//' | cut -c1-150 >&2 || true
  cv_log "$playbook: exit $rc after $((SECONDS - t0)) s"
  # A failure's log must reach CI's output: the run dir (and the log) is removed at the end.
  if ((rc != 0)); then
    cv_log "last lines of $log:"
    tail -n 40 "$log" | sed 's/^/  | /' >&2
  fi
  return "$rc"
}

# cv_nic1 NAME, cv_nic2 NAME: the VM's interface name of the first and second NIC (by MAC).
cv_nic1() { in_vm "$1" "ip -o link | awk -v mac=$VM_NIC1_MAC '\$0 ~ mac {sub(\":\", \"\", \$2); print \$2}'"; }
cv_nic2() { in_vm "$1" "ip -o link | awk -v mac=$VM_NIC2_MAC '\$0 ~ mac {sub(\":\", \"\", \$2); print \$2}'"; }

# cv_one_port NAME: the address is on the first NIC only; the second has no IPv4 address and
# systemd-networkd does not manage it (no DHCP).
cv_one_port() {
  local nic2
  nic2=$(cv_nic2 "$1") && [[ -n $nic2 ]] || return 1
  in_vm "$1" "ip -o -4 addr show | grep -q 'inet 10.0.2.15/24' && test -z \"\$(ip -o -4 addr show dev $nic2)\" && networkctl list $nic2 --no-legend | grep -qw unmanaged"
}

# cv_recap LOG HOST FIELD: a number of the host's PLAY RECAP line (ok, changed, failed...).
cv_recap() {
  grep -E "^$2 +:" "$CONVERGE_WORK/$1" | tail -n1 | grep -oE "$3=[0-9]+" | cut -d= -f2
}

# in_vm NAME COMMAND: runs a shell command as root in the VM, through the admin's sudo.
in_vm() { local name=$1; shift; cv_admin "$name" "sudo -n sh -c $(printf '%q' "$*")"; }
in_vm_bench() { local name=$1; shift; cv_bench "$name" "sudo -n sh -c $(printf '%q' "$*")"; }

# fresh COMMAND...: runs COMMAND with every SSH call on a new connection of its own (VM_SSH_FRESH=1),
# for the checks about sshd itself (a refusal, the host keys, the port), which a shared
# connection opened earlier would not test.
fresh() { VM_SSH_FRESH=1 "$@"; }

# fails COMMAND...: succeeds when the command fails (for checks of refusals).
fails() { ! "$@"; }

# cv_check_netplan NAME: the VM's netplan file, parsed here, is exactly the static
# configuration of the test vars: mode 0600, address, default route, DNS, the one port by MAC.
cv_check_netplan() {
  local name=$1
  test "$(in_vm "$name" 'stat -c %a /etc/netplan/60-lolice-static.yaml')" = 600 || return 1
  in_vm "$name" 'cat /etc/netplan/60-lolice-static.yaml' | MAC=$VM_NIC1_MAC /usr/bin/python3 -c '
import os, sys, yaml
doc = yaml.safe_load(sys.stdin)
eth = doc["network"]["ethernets"]
assert list(eth) == ["lan"], eth
lan = eth["lan"]
assert lan["match"] == {"macaddress": os.environ["MAC"]}, lan
assert lan["addresses"] == ["10.0.2.15/24"], lan
assert lan["routes"] == [{"to": "default", "via": "10.0.2.2"}], lan
assert lan["nameservers"] == {"addresses": ["10.0.2.3"]}, lan
assert lan["dhcp4"] is False and "gateway4" not in lan, lan
assert doc["network"]["renderer"] == "networkd", doc
'
}
