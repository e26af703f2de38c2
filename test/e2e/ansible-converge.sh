#!/usr/bin/env bash
# Converge test of the worker playbook on real Debian bookworm VMs
# (the bench of test/vm/), against loopback STAND-INS of GitHub's key endpoint and of the
# pkgs.k8s.io and CRI-O APT repositories (test/ansible/standins/).
#
# The image build (worker.yml with lolice_image_build=true, nothing started; the image's first
# boot) is test/e2e/first-boot.sh, on a disk laid out like the worker image: one VM less here.
#
#   live node: a fresh VM; a keys URL serving no key must fail the play before any change;
#   worker.yml live; checks of the result. Powered off, that disk is this run's converged worker
#   (cv_publish_converged): kept read-only, it is the base of every later test that needs a
#   converged worker, each on an overlay of its own:
#   - test/e2e/worker-again.sh: worker.yml a second time must change nothing;
#   - test/e2e/upgrade.sh: the worker boots on its own, join.yml (its refusals, the join, a second
#     join that changes nothing) against the stand-in control plane, then day two.
#   Both run beside each other (test/run.sh's two lanes): this test ends as soon as the disk is
#   published, and they wait for it (cv_converging).
#
#   bash test/e2e/ansible-converge.sh     (LOLICE_VM_ACCEL=tcg to force emulation)
# shellcheck disable=SC2016 # the single-quoted commands run in the VM, where they expand
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
source test/vm/lib.sh
source test/ansible/converge/lib.sh
cv_begin converge
cv_converging

admin=$(cv_fact admin_user)
kubelet_version=$(cv_fact kubernetes_kubelet_version)
kubelet_newer=${kubelet_version%%-*}; kubelet_newer=${kubelet_newer%.*}.$((${kubelet_newer##*.} + 1))-${kubelet_version#*-}
cluster_dns=$(cv_fact kubernetes_cluster_dns)
cluster_domain=$(cv_fact kubernetes_cluster_domain)

# ---------------------------------------------------------------- the owner's settings (docs/parity.md)
# Each value comes from the role that sets it (its defaults) or from the test vars (the bench
# node's labels, taints, host directory); each check reads the running VM.

# ra_dns NAME: the DNS servers systemd-networkd holds for the first NIC, once it has taken the
# bench router's advertisement (its prefix fec0::/64 on the link); fails without one in 60 s.
ra_dns() {
  in_vm_bench "$1" "nic=\$(ip -o link | awk -v mac=$VM_NIC1_MAC '\$0 ~ mac {sub(\":\", \"\", \$2); print \$2}')
    for i in \$(seq 60); do ip -6 addr show dev \$nic | grep -q 'inet6 fec0::' && break; sleep 1; done
    ip -6 addr show dev \$nic | grep -q 'inet6 fec0::' && networkctl status --no-pager -n0 \$nic | sed -n '/^ *DNS:/,/^ *[A-Z][A-Za-z ]*:/p'"
}
ra_dns_taken() { ra_dns "$1" | grep -q fec0::3; }
ra_dns_refused() {
  local dns
  dns=$(ra_dns "$1") && ! grep -q fec0::3 <<<"$dns" && grep -q 10.0.2.3 <<<"$dns"
}
check_inotify() {
  local key
  for key in fs.inotify.max_user_watches fs.inotify.max_user_instances; do
    test "$(in_vm "$1" "sysctl -n $key")" = "$(cv_role_default kubernetes_components kubernetes_components_sysctls | jq -r --arg k "$key" '.[$k]')" || return 1
  done
}
check_crio_config() {
  in_vm "$1" 'crio config' | /usr/bin/python3 -c '
import sys, tomllib
c = tomllib.loads(sys.stdin.read())["crio"]
assert c["runtime"].get("log_size_max") == int(sys.argv[1]), c["runtime"]
assert c["image"].get("short_name_mode") == sys.argv[2], c["image"]
# crio config comments out what has its default: the deprecated global conmon_cgroup is not set
# (crio started, so the handler'"'"'s monitor_cgroup puts conmon in the pod'"'"'s cgroup).
assert "conmon_cgroup" not in c["runtime"], c["runtime"]' \
    "$(cv_role_default kubernetes_components kubernetes_components_crio_log_size_max)" "$(cv_role_default kubernetes_components kubernetes_components_crio_short_name_mode)" &&
    test "$(in_vm "$1" 'grep -v "^#" /etc/containers/registries.conf.d/99-short-name-mode.conf')" = \
      "short-name-mode = \"$(cv_role_default kubernetes_components kubernetes_components_registries_short_name_mode)\""
}
# The kubelet's merged configuration (its drop-ins, as the kubelet stand-in loaded them: /configz).
check_kubelet_config() {
  in_vm "$1" 'cat /run/kubelet-standin/configz.json' | /usr/bin/python3 -c '
import json, sys
c, taints = json.load(sys.stdin)["kubeletconfig"], json.loads(sys.argv[5])
want = {"containerLogMaxSize": sys.argv[1], "containerLogMaxFiles": int(sys.argv[2]),
        "serverTLSBootstrap": sys.argv[3] == "true", "rotateCertificates": sys.argv[4] == "true",
        "registerWithTaints": [{k: v for k, v in t.items() if v != ""} for t in taints]}
got = {k: c.get(k) for k in want}
assert got == want, (got, want)' \
    "$(cv_role_default kubernetes_components kubernetes_components_container_log_max_size)" \
    "$(cv_role_default kubernetes_components kubernetes_components_container_log_max_files)" \
    "$(cv_role_default kubernetes_components kubernetes_components_server_tls_bootstrap)" \
    "$(cv_role_default kubernetes_components kubernetes_components_rotate_certificates)" "$(cv_node_var taints)"
}
check_node_labels_flag() {
  local want
  want=--node-labels=$(cv_node_var labels | jq -r 'to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(",")')
  test "$(in_vm "$1" 'grep -c "^--node-labels=" /run/kubelet-standin/args')" = 1 && in_vm "$1" "grep -qxF -- '$want' /run/kubelet-standin/args"
}
check_host_dirs() {
  local dir
  while IFS=$'\t' read -r path owner group mode; do
    dir=$(in_vm "$1" "stat -c '%U %G %a' $path") && test "$dir" = "$owner $group ${mode#0}" || return 1
  done < <(cv_node_var host_directories | jq -r '.[] | [.path, .owner, .group, .mode] | @tsv')
}
check_iptables_legacy() {
  local alt
  for alt in $(cv_role_default kubernetes_components kubernetes_components_iptables_alternatives | jq -r '.[]'); do
    in_vm "$1" "update-alternatives --query $alt | grep -qx 'Value: /usr/sbin/$alt-legacy'" || return 1
  done
}
check_journald_limits() {
  local merged dropin started
  merged=$(in_vm "$1" 'systemd-analyze cat-config systemd/journald.conf')
  grep -qx "SystemMaxUse=$(cv_role_default system_logs system_logs_journald_system_max_use)" <<<"$merged" &&
    grep -qx "RuntimeMaxUse=$(cv_role_default system_logs system_logs_journald_runtime_max_use)" <<<"$merged" || return 1
  # ... and the running journald started after the drop-in was written (it read it)
  dropin=$(in_vm "$1" "stat -c %Y $(cv_role_default system_logs system_logs_journald_dropin)")
  started=$(in_vm "$1" 'date -d "$(systemctl show -p ActiveEnterTimestamp --value systemd-journald)" +%s')
  ((started >= dropin))
}
# rsyslog bounded by size: the hourly timer's logrotate.service rotates a syslog just past the
# bound (a sparse file: no I/O), whatever its weekly schedule says.
check_rsyslog_bounded() {
  local bytes
  bytes=$(numfmt --from=iec "$(cv_role_default system_logs system_logs_rsyslog_maxsize)")
  in_vm "$1" "systemctl show -p TimersCalendar logrotate.timer" | grep -q 'OnCalendar=\*-\*-\* \*:00:00' &&
    in_vm "$1" "rm -f /var/log/syslog.1 && truncate -s $((bytes + 1048576)) /var/log/syslog && systemctl start logrotate.service &&
      test \$(stat -c %s /var/log/syslog.1) -gt $bytes && test \$(stat -c %s /var/log/syslog) -lt $bytes; status=\$?; rm -f /var/log/syslog.1; exit \$status"
}

# ---------------------------------------------------------------- live node
phase_live() {
  local vm=live disk
  disk=$(vm_disk_overlay "$vm")
  vm_start "$vm" --disk "$disk:virtio"
  vm_wait_ssh "$vm" 600
  cv_prepare "$vm"
  cv_write_inventory "$vm"
  check "before: password SSH is accepted (so the refusal below means something)" cv_password_login "$vm"
  check "before: the bench router advertises its DNS server fec0::3 and networkd takes it (so its absence below means something)" \
    ra_dns_taken "$vm"

  cv_log "live: a keys URL serving no key must stop the play before it changes anything"
  if cv_playbook no-keys.log worker.yml --extra-vars "user_management_keys_url=http://127.0.0.1:$STANDIN_PORT/github.com/empty.keys"; then
    check "worker.yml fails when zero keys would be installed" false
  else
    check "worker.yml fails when zero keys would be installed" grep -q 'serves no OpenSSH public key' "$CONVERGE_WORK/no-keys.log"
  fi
  check "... before it created the admin" fails cv_bench "$vm" "id $admin"

  cv_playbook live-1.log worker.yml || vm_die "worker.yml (live) failed"
  cv_log "live: checks"
  check "SSH session survived the live netplan apply; static route in effect" in_vm "$vm" 'ip -4 route show default | grep -q "via 10.0.2.2 .*proto static"'
  check "netplan file: mode 0600, 10.0.2.15/24, routes to: default via 10.0.2.2, DNS, no gateway4, the one port matched by MAC" cv_check_netplan "$vm"
  check "admin ($admin): key SSH works, sudo without a password works" cv_admin "$vm" 'sudo -n true'
  check "admin password locked" in_vm "$vm" "passwd -S $admin | awk '{exit \$2 != \"L\"}'"
  check "password SSH refused" fails cv_password_login "$vm"
  check "root SSH refused (a fresh connection)" fails vm_ssh_fresh "$vm" true
  check "sshd -T: passwordauthentication no, permitrootlogin no" in_vm "$vm" 'sshd -T | grep -qx "passwordauthentication no" && sshd -T | grep -qx "permitrootlogin no"'
  check "sudoers drop-in is 0440 and valid" in_vm "$vm" "test \"\$(stat -c %a /etc/sudoers.d/90-$admin)\" = 440 && visudo -cf /etc/sudoers.d/90-$admin"
  check "modules-load.d lists overlay and br_netfilter; both loaded" in_vm "$vm" 'test "$(grep -v "^#" /etc/modules-load.d/kubernetes.conf | xargs)" = "overlay br_netfilter" && grep -q "^overlay " /proc/modules && grep -q "^br_netfilter " /proc/modules'
  check "sysctl.d sets the three kubeadm sysctls to 1, and they are live" in_vm "$vm" 'for k in net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.ip_forward; do grep -Eq "^$k ?= ?1$" /etc/sysctl.d/99-kubernetes.conf && test "$(sysctl -n $k)" = 1 || exit 1; done'
  check "swap.target masked" in_vm "$vm" 'test "$(systemctl is-enabled swap.target)" = masked'
  check "APT sources signed-by keyrings under /etc/apt/keyrings, amd64" in_vm "$vm" 'grep -qx "Signed-By: /etc/apt/keyrings/kubernetes-apt-keyring.asc" /etc/apt/sources.list.d/kubernetes.sources && grep -qx "Signed-By: /etc/apt/keyrings/cri-o-apt-keyring.asc" /etc/apt/sources.list.d/cri-o.sources && grep -qx "Architectures: amd64" /etc/apt/sources.list.d/kubernetes.sources'
  check "kubelet at the pinned $kubelet_version although the repository offers $kubelet_newer" in_vm "$vm" "test \"\$(dpkg-query -W -f '\${Version}' kubelet)\" = $kubelet_version && apt-cache madison kubelet | grep -q ' $kubelet_newer '"
  check "kubelet, kubeadm, kubectl, cri-o held; an upgrade moves none of them" in_vm "$vm" 'test "$(apt-mark showhold | sort | xargs)" = "cri-o kubeadm kubectl kubelet" && ! apt-get -s upgrade | grep -E "^Inst (kubelet|kubeadm|kubectl|cri-o) "'
  check "crio active (the stand-in refuses to start without systemd cgroups and conmon_cgroup pod)" in_vm "$vm" 'systemctl is-active crio'
  check "kubelet: node IP only in /etc/default/kubelet" in_vm "$vm" 'grep -q -- "--node-ip=10.0.2.15 " /etc/default/kubelet && test "$(grep -rl -- --node-ip /etc/default /etc/systemd /usr/lib/systemd /etc/kubernetes /var/lib/kubelet 2>/dev/null | xargs)" = /etc/default/kubelet'
  check "kubelet running with exactly one --node-ip=10.0.2.15 and the drop-in dir" in_vm "$vm" 'test "$(grep -c "^--node-ip=" /run/kubelet-standin/args)" = 1 && grep -qx -- "--node-ip=10.0.2.15" /run/kubelet-standin/args && grep -qx -- "--config-dir=/etc/kubernetes/kubelet.conf.d" /run/kubelet-standin/args'
  check "kubelet drop-in: clusterDNS $cluster_dns, clusterDomain $cluster_domain, cgroupDriver systemd" in_vm "$vm" "grep -qx -- '- $cluster_dns' /etc/kubernetes/kubelet.conf.d/20-cluster.conf && grep -qx 'clusterDomain: $cluster_domain' /etc/kubernetes/kubelet.conf.d/20-cluster.conf && grep -qx 'cgroupDriver: systemd' /etc/kubernetes/kubelet.conf.d/20-cluster.conf"
  check "sysctl -n: the inotify limits kube-proxy 1.36 needs" check_inotify "$vm"
  check "crio config: log_size_max and short_name_mode of the role; registries.conf short-name-mode; no deprecated global conmon_cgroup (the handler's monitor_cgroup)" check_crio_config "$vm"
  check "kubelet's merged configuration: container log size and files, serverTLSBootstrap, rotateCertificates, registerWithTaints" check_kubelet_config "$vm"
  check "kubelet: the node's labels in one --node-labels" check_node_labels_flag "$vm"
  check "host directories: made with their owner, group and mode" check_host_dirs "$vm"
  check "update-alternatives: iptables, ip6tables, arptables, ebtables on the legacy backend" check_iptables_legacy "$vm"
  check "networkd: no DNS server from the router advertisement, the static one kept" \
    ra_dns_refused "$vm"
  check "journald: SystemMaxUse and RuntimeMaxUse of the role, read by the running journald" check_journald_limits "$vm"
  check "rsyslog: rotated past its size bound by logrotate, which runs hourly" check_rsyslog_bounded "$vm"

  cv_poweroff "$vm"
  cv_publish_converged "$disk"
}

phase_live

t_summary
