#!/usr/bin/env bash
# Checks of the Ansible tests' STAND-INS for kubectl and CRI-O (test/ansible/standins), on this
# machine, outside any VM: that they fail as the real tools fail, with their words (kubectl's
# pkg/drain and pkg/cmd/drain; CRI-O's configuration loading and Validate), so that the VM tests'
# refusals prove the playbooks, not the stand-ins. The stand-ins keep their state under fixed
# paths (/var/lib/lolice-standin, /var/log/lolice-standin, /etc/crio, ...): the checks run in a
# private mount namespace where each of those is a scratch directory (unshare -m, bind mounts),
# so nothing of this machine is read or changed.
# shellcheck disable=SC2016 # the single-quoted checks expand when eval runs them
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"

if [[ ${1:-} != --inside ]]; then
  # The mount points must exist; the ones made here are removed again (when still empty).
  made=()
  for d in /var/lib/lolice-standin /var/log/lolice-standin /run/kubelet-standin /etc/lolice-standin /etc/crio; do
    [[ -d $d ]] || { mkdir -p "$d" && made+=("$d"); }
  done
  rc=0
  unshare --mount --propagation private bash "$0" --inside || rc=$?
  for d in "${made[@]}"; do rmdir "$d" 2>/dev/null || true; done
  exit "$rc"
fi

# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ansible-standins.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for d in /var/lib/lolice-standin /var/log/lolice-standin /run/kubelet-standin /etc/lolice-standin /etc/crio; do
  mkdir -p "$scratch$d" && mount --bind "$scratch$d" "$d"
done
T_OUTPUT=$scratch/out.log
kubectl=test/ansible/standins/kubectl/usr/bin/kubectl
crio=test/ansible/standins/cri-o/usr/bin/crio
state=/var/lib/lolice-standin/cluster.json
out_has() { grep -Fxq -- "$1" "$T_OUTPUT"; }
state_is() { python3 -c "import json, sys; s = json.load(open('$state')); sys.exit(0 if ($1) else 1)"; }
on_node() { state_is "sorted(p['name'] for p in s.get('pods', []) if p.get('nodeName') == 'w1') == $1"; }

# cluster PODS [ALLOWED]: a worker w1 (schedulable) with PODS (a JSON list), and a disruption
# budget over app=web allowing ALLOWED (default 1) evictions.
cluster() {
  cat >"$state" <<EOF
{"serverVersion": "v1.36.1", "localNode": "w1", "nodes": {"w1": {}, "cp": {"ready": true}},
 "pods": $1,
 "pdbs": [{"namespace": "apps", "name": "web", "matchLabels": {"app": "web"}, "disruptionsAllowed": ${2:-1}}]}
EOF
}
cni='{"namespace": "kube-system", "name": "cilium-x7k2p", "nodeName": "w1", "owner": "DaemonSet"}'
web='{"namespace": "apps", "name": "web-5d8f7-q2x9z", "nodeName": "w1", "owner": "ReplicaSet", "labels": {"app": "web"}}'
bare='{"namespace": "default", "name": "debug-shell", "nodeName": "w1"}'
scratchpad='{"namespace": "apps", "name": "cache-0", "nodeName": "w1", "owner": "StatefulSet", "emptyDir": true}'
flags=(--ignore-daemonsets --delete-emptydir-data --grace-period=300)

# ---------------------------------------------------------------- kubectl drain
cluster "[$cni, $web, $bare]"
expect_exit 1 '^error: unable to drain node "w1" due to error: cannot delete Pods that declare no controller \(use --force to override\): default/debug-shell, continuing command\.\.\.$' \
  "drain: a pod without a controller fails it with kubectl's lines" "$kubectl" drain w1 "${flags[@]}" --timeout=30m
check "... the last line is the error alone, after the pending node" \
  eval 'out_has "There are pending nodes to be drained:" && out_has " w1" && test "$(tail -n1 "$T_OUTPUT")" = "cannot delete Pods that declare no controller (use --force to override): default/debug-shell"'
check "... the node cordoned (kubectl cordons first), no pod evicted" \
  eval "state_is \"s['nodes']['w1']['unschedulable']\" && on_node \"['cilium-x7k2p', 'debug-shell', 'web-5d8f7-q2x9z']\""
check "... and no warning printed (kubectl prints none when a pod cannot go)" eval '! grep -q "^Warning" "$T_OUTPUT"'

cluster "[$cni]"
expect_exit 1 '^cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): kube-system/cilium-x7k2p$' \
  "drain: a DaemonSet's pod without --ignore-daemonsets" "$kubectl" drain w1 --delete-emptydir-data
cluster "[$scratchpad]"
expect_exit 1 '^cannot delete Pods with local storage \(use --delete-emptydir-data to override\): apps/cache-0$' \
  "drain: an emptyDir pod without --delete-emptydir-data" "$kubectl" drain w1 --ignore-daemonsets
cluster "[$bare]"
expect_exit 0 '^Warning: deleting Pods that declare no controller: default/debug-shell$' \
  "drain --force: the pod without a controller goes, with kubectl's warning" "$kubectl" drain w1 --force
check "... evicted" on_node '[]'

cluster "[$cni, $web]" 0
t0=$SECONDS
waited() { ((SECONDS - t0 >= $1)); }
expect_exit 1 '^error when evicting pods/"web-5d8f7-q2x9z" -n "apps": global timeout reached: 2s$' \
  "drain: a budget that allows no eviction, until --timeout" "$kubectl" drain w1 "${flags[@]}" --timeout=2s
check "... retried with kubectl's line, for the whole timeout" \
  eval 'out_has "error when evicting pods/\"web-5d8f7-q2x9z\" -n \"apps\" (will retry after 5s): Cannot evict pod as it would violate the pod'"'"'s disruption budget." && waited 2'
check "... the pending pod named, the pod still there" \
  eval 'out_has "There are pending pods in node \"w1\" when an error occurred: error when evicting pods/\"web-5d8f7-q2x9z\" -n \"apps\": global timeout reached: 2s" && out_has "pod/web-5d8f7-q2x9z" && on_node "[\"cilium-x7k2p\", \"web-5d8f7-q2x9z\"]"'

cluster "[$cni, $web, $scratchpad]"
expect_exit 0 '^node/w1 drained$' "drain: evicts what may go" "$kubectl" drain w1 "${flags[@]}" --timeout=30m
check "... kubectl's lines: cordoned, the DaemonSet warning, each eviction" \
  eval 'out_has "node/w1 cordoned" && out_has "Warning: ignoring DaemonSet-managed Pods: kube-system/cilium-x7k2p" && out_has "evicting pod apps/web-5d8f7-q2x9z" && out_has "pod/web-5d8f7-q2x9z evicted" && out_has "pod/cache-0 evicted"'
check "... only the DaemonSet's pod left; the budget spent" \
  eval "on_node \"['cilium-x7k2p']\" && state_is \"s['pdbs'][0]['disruptionsAllowed'] == 0\""
expect_exit 0 '^node/w1 already cordoned$' "drain again: already cordoned, nothing to evict" "$kubectl" drain w1 "${flags[@]}"

expect_exit 1 '^error: unknown flag: --bogus$' "drain: a flag kubectl does not have" "$kubectl" drain w1 --bogus
expect_exit 1 'invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"' \
  "drain: a timeout that is no Go duration" "$kubectl" drain w1 --timeout=soon
expect_exit 1 'invalid argument "long" for "--grace-period" flag' "drain: a grace period that is no number" "$kubectl" drain w1 --grace-period=long
expect_exit 1 'nodes "w9" not found' "drain: a node the cluster does not have" "$kubectl" drain w9 --ignore-daemonsets

# ---------------------------------------------------------------- kubectl get pods (the node's)
cluster "[$cni, $web, {\"namespace\": \"apps\", \"name\": \"elsewhere\", \"nodeName\": \"w2\", \"owner\": \"ReplicaSet\"}]"
expect_exit 0 '' "get pods by node" "$kubectl" get pods --all-namespaces --field-selector spec.nodeName=w1 --output json
json_is() { jq -e "$1" "$T_OUTPUT" >/dev/null; }
check "... the node's pods only, each with its controller" \
  json_is '[.items[] | [.metadata.name, .metadata.ownerReferences[0].kind]] == [["cilium-x7k2p", "DaemonSet"], ["web-5d8f7-q2x9z", "ReplicaSet"]]'
check "... the DaemonSet's pod not Ready while the node's kubelet does not run" \
  json_is '.items[0].status.conditions == [{"type": "Ready", "status": "False"}]'
expect_exit 1 'not implemented' "get pods of one namespace by node: not what the stand-in plays, refused" \
  "$kubectl" get pods --field-selector spec.nodeName=w1 --output json

# ---------------------------------------------------------------- crio
mkdir -p /etc/crio/crio.conf.d
handler() { printf '[crio.runtime.runtimes.crun]\nruntime_path = "/usr/libexec/crio/crun"\n%s' "${1:+monitor_cgroup = \"$1\"
}"; }
handler pod >/etc/crio/crio.conf.d/10-lolice.conf
handler system.slice >/etc/crio/crio.conf.d/20-other.conf
expect_exit 1 '^level=fatal msg=.*crun handler.s monitor_cgroup \(or conmon_cgroup\) is not pod' \
  "crio: a later drop-in's handler replaces the role's (conmon outside the pod's cgroup): refused" "$crio"
handler >/etc/crio/crio.conf.d/20-other.conf
expect_exit 1 '^level=fatal msg=.*is not pod' "crio: ... and a handler without monitor_cgroup, no global conmon_cgroup" "$crio"
printf '[crio.runtime]\nconmon_cgroup = "pod"\n' >/etc/crio/crio.conf.d/30-legacy.conf
# The daemon idles once started: stopped by timeout (124), it had logged its start.
expect_exit 124 '' "crio: the deprecated global conmon_cgroup still counts: it starts" timeout 2 "$crio"
check "... and logs its start" grep -q '^crio started' /var/log/lolice-standin/calls.log
expect_exit 0 '^conmon_cgroup = "pod"$' "crio config: the merged configuration" "$crio" config
check "... and crio config is logged" grep -qx 'crio config' /var/log/lolice-standin/calls.log
printf '[crio.runtime]\nlog_size_max = 100\n' >/etc/crio/crio.conf.d/40-small.conf
expect_exit 1 '^level=fatal msg="validating runtime config: log size max should be negative or >= 8192"$' \
  "crio config: a value CRI-O's Validate refuses" "$crio" config
printf '[crio.runtime]\nlog_size_max = "big"\n' >/etc/crio/crio.conf.d/40-small.conf
expect_exit 1 'unable to decode configuration' "crio config: a value of the wrong type" "$crio" config
expect_exit 1 'flag provided but not defined: --bogus' "crio config: a flag CRI-O does not have" "$crio" config --bogus

t_summary
