#!/usr/bin/env bash
# Checks of the Ansible tests' STAND-INS for kubectl, CRI-O, the kubelet and kubeadm
# (test/ansible/standins), on this machine, outside any VM: that they fail as the real tools fail,
# with their words (kubectl's pkg/drain and pkg/cmd/drain; CRI-O's configuration loading and
# Validate; kubeadm's discovery, kubelet-start and upgrade node), so that the VM tests' refusals
# prove the playbooks, not the stand-ins. The stand-ins keep their state under fixed paths
# (/var/lib/lolice-standin, /var/log/lolice-standin, /var/lib/kubeadm-standin,
# /var/log/kubeadm-standin.log, /etc/crio, ...): the checks run in a private mount namespace where
# each of those is a scratch directory or file (unshare -m, bind mounts), so nothing of this machine
# is read or changed. The stand-in kubectl as a client of the real stand-in API server
# (test/ansible/standins/api-server, started here on a free loopback port with its own state and
# admin token), with the kubeconfig --kubeconfig names: the server's state changes, drain's filters,
# its evictions and budgets, a conflict retried, a wrong token refused; without that kubeconfig
# (a --kubeconfig naming no file, none at all) refused with kubectl's words, no request made, a
# state file of the former stand-ins (/var/lib/lolice-standin/cluster.json) not read. The stand-in
# kubelet's heartbeats to that server: its Node registered, Ready while it beats and its runtime
# (the real stand-in crio) runs, NotReady after the grace once it stops; a state file changes
# nothing. The stand-in kubeadm against a fresh server: a join with a token of its own token create (kubelet.conf with the node token, the
# kubelet restarted through a systemctl of the checks, the Node registered and Ready before it
# returns), joins refused with kubeadm's words (a Ready Node of the name, an unknown or expired
# token, no server: nothing written), the wait for the kubelet bounded, upgrade node reading
# kubeadm-config through kubelet.conf (a wrong token, no server, no kubelet.conf, one naming no
# server refused), token create without an admin.conf refused; a state file changes nothing. Every line of the call log starts with the time.
# shellcheck disable=SC2016 # the single-quoted checks expand when eval runs them
set -Eeuo pipefail
export PYTHONDONTWRITEBYTECODE=1 # the stand-ins' own caches stay out of the tree
cd "$(git rev-parse --show-toplevel)"

if [[ ${1:-} != --inside ]]; then
  # The mount points must exist; the ones made here are removed again (when still empty).
  made=() made_files=()
  for d in /var/lib/lolice-standin /var/log/lolice-standin /run/kubelet-standin /etc/lolice-standin /etc/crio /run/crio-standin /etc/kubernetes /var/lib/kubeadm-standin; do
    [[ -d $d ]] || { mkdir -p "$d" && made+=("$d"); }
  done
  # The kubeadm stand-in's own log is a file of /var/log: a file's mount point.
  [[ -e /var/log/kubeadm-standin.log ]] || { touch /var/log/kubeadm-standin.log && made_files+=(/var/log/kubeadm-standin.log); }
  rc=0
  unshare --mount --propagation private bash "$0" --inside || rc=$?
  for d in "${made[@]}"; do rmdir "$d" 2>/dev/null || true; done
  for f in "${made_files[@]}"; do [[ -s $f ]] || rm -f "$f"; done
  exit "$rc"
fi

# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ansible-standins.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for d in /var/lib/lolice-standin /var/log/lolice-standin /run/kubelet-standin /etc/lolice-standin /etc/crio /run/crio-standin /etc/kubernetes /var/lib/kubeadm-standin; do
  mkdir -p "$scratch$d" && mount --bind "$scratch$d" "$d"
done
touch "$scratch/kubeadm-standin.log" && mount --bind "$scratch/kubeadm-standin.log" /var/log/kubeadm-standin.log
checks_started=$(date +%s.%N)
T_OUTPUT=$scratch/out.log
kubectl=test/ansible/standins/kubectl/usr/bin/kubectl
crio=test/ansible/standins/cri-o/usr/bin/crio
kubelet=test/ansible/standins/kubelet/usr/bin/kubelet
state=/var/lib/lolice-standin/cluster.json
calls=/var/log/lolice-standin/calls.log
out_has() { grep -Fxq -- "$1" "$T_OUTPUT"; }
# logged REGEX: a line of the call log is the time (seconds since the epoch, three decimals), then REGEX.
logged() { grep -Eq -- "^[0-9]+\.[0-9]{3} ($1)\$" "$calls"; }
json_is() { jq -e "$1" "$T_OUTPUT" >/dev/null; }
flags=(--ignore-daemonsets --delete-emptydir-data --grace-period=300)
waited() { ((SECONDS - t0 >= $1)); }

# ---------------------------------------------------------------- kubectl against the stand-in API server
# The real stand-in API server on a free loopback port, an admin kubeconfig (--kubeconfig); the
# server's state read back as the admin (GET /state).
api=$scratch/api
mkdir -p "$api"
head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$api/admin-token"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
kubeconfig() {
  cat <<CONF
apiVersion: v1
kind: Config
clusters: [{name: standin, cluster: {server: "http://127.0.0.1:$port"}}]
users: [{name: kubernetes-admin, user: {token: $1}}]
contexts: [{name: kubernetes-admin@standin, context: {cluster: standin, user: kubernetes-admin}}]
current-context: kubernetes-admin@standin
CONF
}
kubeconfig "$(cat "$api/admin-token")" >"$api/admin.conf"
kubeconfig wrong-token >"$api/wrong.conf"
# cp (a control-plane node, Ready), w1 (a stand-in kubelet's heartbeats, with the node token below), w2 (NotReady).
cat >"$api/state.json" <<'JSON'
{"vipVersion": "v1.36.1", "kubernetesVersion": "v1.36.0", "apiServers": {"cp": "v1.36.1"},
 "nodes": {"cp": {"ready": true, "kubeletVersion": "v1.36.1", "unschedulable": false, "annotations": {}, "labels": {}, "taints": []},
           "w1": {"unschedulable": false, "annotations": {"keep": "me"}, "labels": {}, "taints": []},
           "w2": {"ready": false, "kubeletVersion": "v1.35.4", "unschedulable": false, "annotations": {}, "labels": {}, "taints": []}},
 "pods": [], "pdbs": [], "daemonSets": [], "tokens": {"w1-node-token": {"kind": "node", "node": "w1"}}}
JSON
/usr/bin/python3 test/ansible/standins/api-server --port "$port" --state "$api/state.json" --admin-token-file "$api/admin-token" \
  --grace 300 --daemonset-delay 0 >"$api/server.out" 2>&1 &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
curl -sf -X POST -H 'Authorization: Bearer w1-node-token' "http://127.0.0.1:$port/heartbeat" \
  -d "{\"kubeletVersion\": \"v1.36.2\", \"runtimeUp\": true, \"startedAt\": $(($(date +%s) - 60))}" >/dev/null
k() { "$kubectl" --kubeconfig "$api/admin.conf" --request-timeout 30s "$@"; }
# api_is EXPR: EXPR holds on the server's state s; api_set PYTHON: runs PYTHON on s and writes it back.
api_py() {
  /usr/bin/python3 - "$port" "$(cat "$api/admin-token")" "$1" "$2" <<'PY'
import json, sys, urllib.request
port, token, mode, code = sys.argv[1:]
def call(method, path, body=None):
    req = urllib.request.Request(f'http://127.0.0.1:{port}{path}', method=method, headers={'Authorization': f'Bearer {token}'},
                                 data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req) as r:
        return json.load(r)
s = call('GET', '/state')
if mode == 'is':
    sys.exit(0 if eval(code) else 1)
exec(code)
call('PUT', f'/state?resourceVersion={s["resourceVersion"]}', s)
PY
}
api_is() { api_py is "$1"; }
api_set() { api_py set "$1"; }
api_on_w1() { api_is "sorted(p['name'] for p in s['pods'] if p.get('nodeName') == 'w1') == $1"; }
api_log_count() { grep -c -- "$1" "$api/state.json.log" || true; }

expect_exit 0 '' "API: get node: the server's view" k get node w1 --output json
check "... Ready and the kubelet's version from its heartbeats" \
  json_is '.status.conditions == [{"type": "Ready", "status": "True"}] and .status.nodeInfo.kubeletVersion == "v1.36.2" and .metadata.annotations == {"keep": "me"}'
expect_exit 0 '' "API: get nodes" k get nodes --output json
check "... each node's Ready and kubeletVersion (w2 NotReady, as the server says)" \
  json_is '[.items[] | [.metadata.name, .status.conditions[0].status, .status.nodeInfo.kubeletVersion]] == [["cp", "True", "v1.36.1"], ["w1", "True", "v1.36.2"], ["w2", "False", "v1.35.4"]]'
expect_exit 1 '^Error from server \(NotFound\): nodes "w9" not found$' "API: get node of a node the cluster does not have" k get node w9 -o json
expect_exit 0 '' "API: get node --ignore-not-found of a node the cluster does not have" k get node w9 --ignore-not-found -o json
check "... prints nothing" test ! -s "$T_OUTPUT"
expect_exit 0 '"serverVersion": \{"gitVersion": "v1.36.1"\}' "API: version: the server's /version" k version --output json
expect_exit 0 '^ok$' "API: get --raw /readyz asks the server" k get --raw /readyz
expect_exit 0 '' "API: the kube-apiserver pods" k get pods --namespace kube-system --selector component=kube-apiserver --output json
check "... one per control-plane node, tagged with its version" \
  json_is '[.items[] | [.spec.nodeName, .spec.containers[0].image]] == [["cp", "registry.k8s.io/kube-apiserver:v1.36.1"]]'
expect_exit 0 '' "API: kubeadm-config" k get configmap kubeadm-config --namespace kube-system --output json
check "... its kubernetesVersion" json_is '.data.ClusterConfiguration | test("kubernetesVersion: v1.36.0")'

expect_exit 0 '^node/w1 cordoned$' "API: cordon" k cordon w1
check "... the server's Node unschedulable" api_is "s['nodes']['w1']['unschedulable']"
check "... and the call logged, after the time" logged 'kubectl cordon w1'
expect_exit 0 '^node/w1 already cordoned$' "API: cordon again: already cordoned" k cordon w1
expect_exit 0 '^node/w1 uncordoned$' "API: uncordon" k uncordon w1
check "... schedulable again on the server" api_is "not s['nodes']['w1']['unschedulable']"
expect_exit 0 '^node/w1 annotated$' "API: annotate --overwrite" k annotate --overwrite node w1 lolice/upgrade-to=1.36.2 lolice/cordoned=true
expect_exit 1 "^error: --overwrite is false but found the following declared annotation\(s\): 'lolice/upgrade-to' already has a value \(1.36.2\)$" \
  "API: annotate without --overwrite over another value: kubectl's refusal" k annotate node w1 lolice/upgrade-to=1.37.0
expect_exit 0 '^node/w1 annotated$' "API: annotate k-" k annotate node w1 lolice/cordoned- lolice/absent-
check "... the server's annotations: set, refused, removed" api_is "s['nodes']['w1']['annotations'] == {'keep': 'me', 'lolice/upgrade-to': '1.36.2'}"
expect_exit 0 '^node/w1 labeled$' "API: label" k label --overwrite node w1 lolice.example/pool=batch
expect_exit 0 '^node/w1 tainted$' "API: taint" k taint node w1 dedicated=batch:NoSchedule
expect_exit 1 "^error: 'lolice.example/pool' already has a value \(batch\), and --overwrite is false$" \
  "API: label without --overwrite over another value: kubectl's refusal" k label node w1 lolice.example/pool=web
check "... the server's labels and taints" \
  api_is "s['nodes']['w1']['labels'] == {'lolice.example/pool': 'batch'} and s['nodes']['w1']['taints'] == [{'key': 'dedicated', 'value': 'batch', 'effect': 'NoSchedule'}]"
expect_exit 0 '^node/w1 untainted$' "API: taint k:Effect-" k taint node w1 dedicated:NoSchedule-
check "... gone from the server" api_is "s['nodes']['w1']['taints'] == []"

# A writer between the stand-in's GET and its PUT (the stand-in imported, its read wrapped): the
# PUT meets 409, the stand-in reads again and changes again; the other writer's change stays.
race() {
  /usr/bin/python3 - "$kubectl" "$api/admin.conf" <<'PY'
import importlib.machinery, importlib.util, sys
path, kubeconfig = sys.argv[1:]
loader = importlib.machinery.SourceFileLoader('standin_kubectl', path)
kubectl = importlib.util.module_from_spec(importlib.util.spec_from_loader('standin_kubectl', loader))
loader.exec_module(kubectl)
load, reads = kubectl.ApiCluster.load, []
def racing_load(self):
    state = load(self)
    reads.append(state['resourceVersion'])
    if len(reads) == 1:
        other = load(self)
        other['nodes']['w1']['labels']['racer'] = 'first'
        assert self.save(other)
    return state
kubectl.ApiCluster.load = racing_load
sys.argv = ['kubectl', '--kubeconfig', kubeconfig, 'cordon', 'w1']
try:
    kubectl.main()
finally:
    print('resourceVersions read:', reads)
PY
}
expect_exit 0 '^node/w1 cordoned$' "API: a concurrent change (409 Conflict): read again and retried" race
check "... two reads, one 409 in the server's log, both changes on the server" \
  eval '[[ $(grep -c "^resourceVersions read: \[[0-9]*, [0-9]*\]$" "$T_OUTPUT") == 1 && $(api_log_count "PUT /state?resourceVersion=.* 409") == 1 ]] && api_is "s[\"nodes\"][\"w1\"][\"unschedulable\"] and s[\"nodes\"][\"w1\"][\"labels\"].get(\"racer\") == \"first\""'

expect_exit 1 '^error: You must be logged in to the server \(Unauthorized\)$' "API: a wrong token: kubectl's Unauthorized" \
  "$kubectl" --kubeconfig "$api/wrong.conf" uncordon w1
check "... nothing changed" api_is "s['nodes']['w1']['unschedulable']"

# api_pods PODS PDB: pods and a budget over app=web (the server's shapes), w1 schedulable.
api_pods() {
  api_set "s['nodes']['w1']['unschedulable'] = False; s['pods'] = $1; s['pdbs'] = [$2]; s.pop('evictions', None)"
}
a_cni='{"namespace": "kube-system", "name": "cilium-x7k2p", "nodeName": "w1", "owner": {"kind": "DaemonSet", "name": "cilium"}}'
a_web='{"namespace": "apps", "name": "web-5d8f7-q2x9z", "nodeName": "w1", "owner": {"kind": "ReplicaSet", "name": "web-5d8f7"}, "labels": {"app": "web"}}'
a_bare='{"namespace": "default", "name": "debug-shell", "nodeName": "w1", "owner": None}'
a_cache='{"namespace": "apps", "name": "cache-0", "nodeName": "w1", "owner": {"kind": "StatefulSet", "name": "cache"}, "emptyDir": True}'
a_w2='{"namespace": "apps", "name": "web-5d8f7-n0tr3", "nodeName": "w2", "owner": {"kind": "ReplicaSet", "name": "web-5d8f7"}, "labels": {"app": "other"}}'
budget() { echo "{'namespace': 'apps', 'name': 'web', 'selector': {'app': 'web'}, 'maxUnavailable': $1}"; }

api_pods "[$a_cni, $a_web, $a_w2]" "$(budget 1)"
expect_exit 0 '' "API: get pods by node" k get pods --all-namespaces --field-selector spec.nodeName=w1 --output json
check "... the node's pods, Ready as the server works it out" \
  json_is '[.items[] | [.metadata.name, .metadata.ownerReferences[0].kind, .status.conditions[0].status]] == [["cilium-x7k2p", "DaemonSet", "True"], ["web-5d8f7-q2x9z", "ReplicaSet", "True"]]'
expect_exit 0 '' "API: get pods by node: a NotReady node's" k get pods --all-namespaces --field-selector spec.nodeName=w2 --output json
check "... not Ready" json_is '[.items[] | .status.conditions[0].status] == ["False"]'

api_pods "[$a_cni, $a_web, $a_bare]" "$(budget 1)"
expect_exit 1 '^error: unable to drain node "w1" due to error: cannot delete Pods that declare no controller \(use --force to override\): default/debug-shell, continuing command\.\.\.$' \
  "API drain: a pod without a controller fails it with kubectl's lines" k drain w1 "${flags[@]}" --timeout=30m
check "... the last line is the error alone, after the pending node; no warning printed (kubectl prints none when a pod cannot go)" \
  eval 'out_has "There are pending nodes to be drained:" && out_has " w1" && test "$(tail -n1 "$T_OUTPUT")" = "cannot delete Pods that declare no controller (use --force to override): default/debug-shell" && ! grep -q "^Warning" "$T_OUTPUT"'
check "... the server's node cordoned (kubectl cordons first), nothing evicted" \
  eval 'api_is "s[\"nodes\"][\"w1\"][\"unschedulable\"] and not s.get(\"evictions\")" && api_on_w1 "[\"cilium-x7k2p\", \"debug-shell\", \"web-5d8f7-q2x9z\"]"'

api_pods "[$a_cni]" "$(budget 1)"
expect_exit 1 '^cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): kube-system/cilium-x7k2p$' \
  "API drain: a DaemonSet's pod without --ignore-daemonsets" k drain w1 --delete-emptydir-data
api_pods "[$a_cache]" "$(budget 1)"
expect_exit 1 '^cannot delete Pods with local storage \(use --delete-emptydir-data to override\): apps/cache-0$' \
  "API drain: an emptyDir pod without --delete-emptydir-data" k drain w1 --ignore-daemonsets
check "... neither evicted" eval 'api_is "not s.get(\"evictions\")" && api_on_w1 "[\"cache-0\"]"'
api_pods "[$a_bare]" "$(budget 1)"
expect_exit 0 '^Warning: deleting Pods that declare no controller: default/debug-shell$' \
  "API drain --force: the pod without a controller goes, with kubectl's warning" k drain w1 --force
check "... evicted by the server, not put back (no controller)" \
  eval 'api_is "[e[\"pod\"] for e in s[\"evictions\"]] == [\"default/debug-shell\"] and not [p for p in s[\"pods\"] if p[\"name\"] == \"debug-shell\"]"'

api_pods "[$a_cni, $a_web]" "$(budget 0)"
t0=$SECONDS
expect_exit 1 '^error when evicting pods/"web-5d8f7-q2x9z" -n "apps": global timeout reached: 6s$' \
  "API drain: the server's budget refuses (429) until --timeout" k drain w1 "${flags[@]}" --timeout=6s
check "... asked every 5 s for the whole timeout (3 refusals in the server's log, 2 retry lines), the pod still there" \
  eval 'waited 6 && [[ $(api_log_count "POST /evict .* 429") == 3 && $(grep -c "(will retry after 5s): Cannot evict pod as it would violate the pod.s disruption budget\.$" "$T_OUTPUT") == 2 ]] && out_has "pod/web-5d8f7-q2x9z" && api_on_w1 "[\"cilium-x7k2p\", \"web-5d8f7-q2x9z\"]"'
check "... the pending pod named in kubectl's words" \
  out_has 'There are pending pods in node "w1" when an error occurred: error when evicting pods/"web-5d8f7-q2x9z" -n "apps": global timeout reached: 6s'

api_pods "[$a_cni, $a_web, $a_cache]" "$(budget 1)"
expect_exit 0 '^node/w1 drained$' "API drain: evicts what may go, through the server" k drain w1 "${flags[@]}" --timeout=30m
check "... kubectl's lines: cordoned, the DaemonSet warning, each eviction" \
  eval 'out_has "node/w1 cordoned" && out_has "Warning: ignoring DaemonSet-managed Pods: kube-system/cilium-x7k2p" && out_has "evicting pod apps/web-5d8f7-q2x9z" && out_has "pod/web-5d8f7-q2x9z evicted" && out_has "pod/cache-0 evicted"'
check "... the server evicted both with the grace period; only the DaemonSet's pod stays" \
  eval 'api_is "sorted((e[\"pod\"], e[\"gracePeriodSeconds\"]) for e in s[\"evictions\"]) == [(\"apps/cache-0\", 300), (\"apps/web-5d8f7-q2x9z\", 300)]" && api_on_w1 "[\"cilium-x7k2p\"]"'
expect_exit 0 '^node/w1 already cordoned$' "API drain again: already cordoned, nothing to evict" k drain w1 "${flags[@]}"
check "... no other eviction" api_is "len(s['evictions']) == 2"

expect_exit 1 '^error: unknown flag: --bogus$' "API drain: a flag kubectl does not have" k drain w1 --bogus
expect_exit 1 'invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"' \
  "API drain: a timeout that is no Go duration" k drain w1 --timeout=soon
expect_exit 1 'invalid argument "long" for "--grace-period" flag' "API drain: a grace period that is no number" k drain w1 --grace-period=long
expect_exit 1 '^Error from server \(NotFound\): nodes "w9" not found$' "API drain: a node the cluster does not have" k drain w9 --ignore-daemonsets
expect_exit 1 'not implemented' "API: get pods of one namespace by node: not what the stand-in plays, refused" \
  k get pods --field-selector spec.nodeName=w1 --output json

expect_exit 0 '^node "w2" deleted$' "API: delete node" k delete node w2 --ignore-not-found --wait --timeout=60s
check "... gone from the server" api_is "'w2' not in s['nodes']"
expect_exit 0 '' "API: delete node --ignore-not-found of a node already gone" k delete node w2 --ignore-not-found --wait --timeout=60s
check "... prints nothing" test ! -s "$T_OUTPUT"
# Without the kubeconfig: refused as kubectl refuses, nothing asked of the server (its request log
# unchanged), and a state file of the former stand-ins, there with a Node w1, neither read nor changed.
echo '{"serverVersion": "v1.36.1", "localNode": "w1", "nodes": {"w1": {}}}' >"$state"
state_sum=$(sha256sum <"$state")
server_lines=$(wc -l <"$api/state.json.log")
untouched() { test "$(wc -l <"$api/state.json.log")" = "$server_lines" && test "$(sha256sum <"$state")" = "$state_sum"; }
mkdir -p "$scratch/home"
bare() { env -u KUBECONFIG HOME="$scratch/home" "$@"; }
expect_exit 1 "^error: stat $scratch/missing\.conf: no such file or directory\$" \
  "kubectl --kubeconfig naming no file (a task not delegated to the control plane): client-go's stat error" \
  bare "$kubectl" --kubeconfig "$scratch/missing.conf" get node w1 --output json
check "... nothing on stdout, no request to the server, the state file untouched" eval 'test "$(bare "$kubectl" --kubeconfig "$scratch/missing.conf" get node w1 --output json 2>/dev/null)" = "" && untouched'
expect_exit 1 "^error: stat $scratch/missing\.conf: no such file or directory\$" \
  "kubectl cordon with --kubeconfig naming no file: the same, before any change" bare "$kubectl" --kubeconfig "$scratch/missing.conf" cordon w1
check "... no request to the server, the state file untouched" untouched
expect_exit 1 '^The connection to the server localhost:8080 was refused - did you specify the right host or port\?$' \
  "kubectl without --kubeconfig, KUBECONFIG or ~/.kube/config: kubectl's localhost:8080 refused" bare "$kubectl" uncordon w1
check "... no request to the server, the state file untouched" untouched
expect_exit 1 '^error: kubectl stand-in: KUBECONFIG and ~/.kube/config are not implemented' \
  "kubectl with KUBECONFIG and no --kubeconfig: the stand-in's refusal (the loading rules' merge is not played)" \
  env KUBECONFIG="$api/admin.conf" "$kubectl" uncordon w1
check "... no request to the server" untouched
rm "$state"

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
check "... and logs its start, after the time" logged 'crio started .*'
expect_exit 0 '^conmon_cgroup = "pod"$' "crio config: the merged configuration" "$crio" config
check "... and crio config is logged, after the time" logged 'crio config'
printf '[crio.runtime]\nlog_size_max = 100\n' >/etc/crio/crio.conf.d/40-small.conf
expect_exit 1 '^level=fatal msg="validating runtime config: log size max should be negative or >= 8192"$' \
  "crio config: a value CRI-O's Validate refuses" "$crio" config
printf '[crio.runtime]\nlog_size_max = "big"\n' >/etc/crio/crio.conf.d/40-small.conf
expect_exit 1 'unable to decode configuration' "crio config: a value of the wrong type" "$crio" config
expect_exit 1 'flag provided but not defined: --bogus' "crio config: a flag CRI-O does not have" "$crio" config --bogus


# ---------------------------------------------------------------- kubelet heartbeats
# The stand-in kubelet against a stand-in API server of its own with a short grace (3 s; the
# kubelet beats every second here: nodeStatusUpdateFrequency), a node credential got as kubeadm
# join gets one (a bootstrap token of POST /tokens, then POST /bootstrap) in its kubelet.conf, the
# real stand-in crio as its container runtime, and a dpkg-query that answers the packages' versions.
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
stop "$api_pid"
rm -f "$state" /etc/crio/crio.conf.d/40-small.conf
host=$(hostname)
bin=$scratch/bin
mkdir -p "$bin"
cat >"$bin/dpkg-query" <<'SH'
#!/bin/sh
# dpkg-query -W -f '${Version}' PACKAGE
case $4 in kubelet | kubeadm) printf 1.36.2-1.1 ;; cri-o) printf 1.36.1-1.1 ;; *) exit 1 ;; esac
SH
chmod +x "$bin/dpkg-query"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
kubeconfig "$(cat "$api/admin-token")" >"$api/admin.conf"
api_state=$api/kubelet.json
echo '{"vipVersion": "v1.36.1", "kubernetesVersion": "v1.36.1", "apiServers": {}, "nodes": {}}' >"$api_state"
start_api() {
  /usr/bin/python3 test/ansible/standins/api-server --port "$port" --state "$api_state" --admin-token-file "$api/admin-token" \
    --grace 3 >>"$api/kubelet-server.out" 2>&1 &
  api_pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
}
start_api
kubelet_pid='' crio_pid=''
trap 'kill "$api_pid" $kubelet_pid $crio_pid 2>/dev/null; rm -rf "$scratch"' EXIT
bootstrap=$(curl -sf -X POST -H "Authorization: Bearer $(cat "$api/admin-token")" "http://127.0.0.1:$port/tokens" -d '{"ttl": 600}' | jq -r .token)
node_token=$(curl -sf -X POST -H "Authorization: Bearer $bootstrap" "http://127.0.0.1:$port/bootstrap" -d "{\"node\": \"$host\"}" | jq -r .token)
kubeconfig "$node_token" >/etc/kubernetes/kubelet.conf
cat >"$scratch/kubelet.yaml" <<'YAML'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
nodeStatusUpdateFrequency: 1s
registerWithTaints: [{key: lolice.example/new, effect: NoSchedule}]
YAML
start_crio() {
  PATH=$bin:$PATH "$crio" >>"$scratch/crio.out" 2>&1 &
  crio_pid=$!
  for _ in $(seq 50); do [[ $(cat /run/crio-standin/pid 2>/dev/null) == "$crio_pid" ]] && return; sleep 0.1; done
}
start_kubelet() {
  PATH=$bin:$PATH "$kubelet" --node-labels=lolice.example/pool=batch --config="$scratch/kubelet.yaml" 2>"$scratch/kubelet.err" &
  kubelet_pid=$! kubelet_started=$(date +%s.%N)
}
# within SECONDS COMMAND...: COMMAND succeeds within SECONDS (asked every 0.2 s).
within() {
  local s=$1 _
  shift
  for _ in $(seq $((s * 5))); do "$@" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}
# node_is EXPR: EXPR holds for the kubelet's Node n on the server (n is {} while there is none).
node_is() { api_is "(lambda n: $1)(s['nodes'].get('$host') or {})"; }
eventually() { within "$1" node_is "$2"; }
# mark, then new_beats: the heartbeats the server took since the mark.
beats() { grep -c "POST /heartbeat" "$api/kubelet.json.log" || true; }
mark() { before=$(beats); }
new_beats() { echo $(($(beats) - before)); }
# logged_twice PATTERN: two lines of the kubelet's log match (it tried again).
logged_twice() { (($(grep -cE -- "$1" "$scratch/kubelet.err") >= 2)); }
# idles PID: the kubelet has gone on to "sleep infinity", as it does with no server to report to.
idles() { within 10 grep -qx sleep "/proc/$1/comm"; }

start_crio
start_kubelet
check "kubelet: its first heartbeat registers its Node on the server" eventually 10 'bool(n)'
check "... with its own labels, --node-labels and registerWithTaints" \
  node_is "n['labels'] == {'kubernetes.io/hostname': '$host', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'lolice.example/pool': 'batch'} and n['taints'] == [{'key': 'lolice.example/new', 'effect': 'NoSchedule'}]"
check "... its versions (the package's kubelet, the running crio's), its runtime up, its start time" \
  node_is "n['kubeletVersion'] == 'v1.36.2' and n['containerRuntimeVersion'] == 'cri-o://1.36.1' and n['runtimeUp'] is True and abs(n['startedAt'] - $kubelet_started) < 5"
expect_exit 0 '' "... kubectl get node: the server's view of it" k get node "$host" --output json
check "... Ready, at the kubelet's version" \
  json_is '.status.conditions == [{"type": "Ready", "status": "True"}] and .status.nodeInfo.kubeletVersion == "v1.36.2"'

api_set "s['nodes']['$host']['labels'] = {'lolice.example/pool': 'web'}"
mark
sleep 4
check "kubelet: still Ready after more than the grace, one heartbeat a second; the Node's labels (changed on the server) not overwritten" \
  eval '(($(new_beats) >= 3)) && node_is "n[\"ready\"] and n[\"labels\"] == {\"lolice.example/pool\": \"web\"}"'

stop "$crio_pid"
check "kubelet: the container runtime stopped: NotReady at the next heartbeat (runtimeUp false, the heartbeat fresh)" \
  eventually 3 "not n['ready'] and n['runtimeUp'] is False"
start_crio
check "... started again: Ready again" eventually 3 "n['ready'] and n['runtimeUp']"

stop "$kubelet_pid"
t0=$SECONDS
check "kubelet stopped: NotReady once the grace has passed since its last heartbeat" \
  eval 'node_is "n[\"ready\"]" && eventually 6 "not n[\"ready\"]" && waited 2'

start_kubelet
check "kubelet started again on the existing Node: Ready, with its new start time" \
  eventually 5 "n['ready'] and n['startedAt'] > $kubelet_started - 1"
check "... the Node taken over as it is: its labels and taints not the kubelet's" \
  node_is "n['labels'] == {'lolice.example/pool': 'web'} and n['taints'] == [{'key': 'lolice.example/new', 'effect': 'NoSchedule'}]"
check "... and nothing in its log" test ! -s "$scratch/kubelet.err"
stop "$api_pid"
check "kubelet: the server gone after its Node registered: the kubelet's retry line, and it keeps running" \
  eval 'within 5 logged_twice "\"Error updating node status, will retry\" err=\"error getting node \\\\\"$host\\\\\": Post .*: connect: connection refused\"$" && kill -0 "$kubelet_pid"'
start_api
check "... the server back: Ready again" eventually 5 "n['ready']"
stop "$kubelet_pid"

kubeconfig wrong-token >/etc/kubernetes/kubelet.conf
start_kubelet
check "kubelet with a wrong token: Unauthorized in its log as the kubelet words it, tried again, still running" \
  eval 'within 5 logged_twice "^E[0-9]{4} [0-9:]{8}\.[0-9]{6} +[0-9]+ kubelet_node_status\.go:549\] \"Unable to register node with API server\" err=\"Unauthorized\" node=\"$host\"$" && kill -0 "$kubelet_pid"'
stop "$kubelet_pid"

closed=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
kubeconfig "$node_token" | sed "s/:$port\"/:$closed\"/" >/etc/kubernetes/kubelet.conf
start_kubelet
check "kubelet with no server listening: connection refused in its log, tried again, still running" \
  eval 'within 5 logged_twice "\"Unable to register node with API server\" err=\"Post .*:$closed/heartbeat.*: dial tcp 127\\.0\\.0\\.1:$closed: connect: connection refused\" node=\"$host\"$" && kill -0 "$kubelet_pid"'
stop "$kubelet_pid"

# A state file of the former stand-ins (a cluster with w1 and no Node of this host) changes nothing.
kubeconfig "$node_token" >/etc/kubernetes/kubelet.conf
echo '{"serverVersion": "v1.36.1", "localNode": "w1", "nodes": {"w1": {}}}' >"$state"
state_sum=$(sha256sum <"$state")
state_untouched() { test "$(sha256sum <"$state")" = "$state_sum"; }
at_least_beats() { (($(new_beats) >= $1)); }
mark
start_kubelet
check "kubelet with a state file and kubelet.conf's node token: it beats to the server all the same" \
  eval 'within 5 at_least_beats 2 && kill -0 "$kubelet_pid" && ! grep -qx sleep "/proc/$kubelet_pid/comm"'
check "... the state file untouched (no Node registered into it)" state_untouched
stop "$kubelet_pid"

rm /etc/kubernetes/kubelet.conf
mark
start_kubelet
check "kubelet with a state file but no kubelet.conf: it idles" idles "$kubelet_pid"
sleep 1.5
check "... and registers nothing: no heartbeat, the state file untouched, nothing in its log" \
  eval '(($(new_beats) == 0)) && state_untouched && test ! -s "$scratch/kubelet.err"'
stop "$kubelet_pid"

rm -f "$state"
echo '# STAND-IN kubeconfig without a token' >/etc/kubernetes/kubelet.conf
start_kubelet
check "kubelet with neither a state file nor a token in kubelet.conf: it idles" idles "$kubelet_pid"
sleep 1.5
check "... no heartbeat, nothing in its log" eval '(($(new_beats) == 0)) && test ! -s "$scratch/kubelet.err"'
stop "$kubelet_pid"
stop "$crio_pid"

# ---------------------------------------------------------------- kubeadm join and upgrade node
# The stand-in kubeadm against a fresh stand-in API server (3 s grace) on the same port: a join
# command of its own token create (with an admin.conf, as on the control-plane host), the join with
# it, its Node registered and kept Ready by the stand-in kubelet the join
# restarts through a systemctl of the checks (it runs the kubelet as its unit would, in the
# background, with the checks' configuration: a heartbeat a second), and the real stand-in crio as
# the runtime; then upgrade node through the kubelet.conf the join wrote.
kubeadm=test/ansible/standins/kubeadm/usr/bin/kubeadm
stop "$api_pid"
api_state=$api/join.json
echo '{"vipVersion": "v1.36.1", "kubernetesVersion": "v1.36.1", "apiServers": {}, "nodes": {}}' >"$api_state"
start_api
cat >"$bin/systemctl" <<SH
#!/bin/sh
# systemctl restart|stop kubelet of the checks: the stand-in kubelet, as its unit runs it, in the background.
echo "\$*" >>$scratch/systemctl.log
case "\$1 \$2" in
  "restart kubelet" | "stop kubelet") ;;
  *) echo "systemctl of the checks: \$* is not implemented" >&2; exit 1 ;;
esac
pid=\$(cat $scratch/kubelet-unit.pid 2>/dev/null) && kill "\$pid" 2>/dev/null
while [ -n "\$pid" ] && kill -0 "\$pid" 2>/dev/null; do sleep 0.1; done
rm -f $scratch/kubelet-unit.pid
[ "\$1" = stop ] && exit 0
$PWD/$kubelet --node-labels=lolice.example/pool=batch --config=$scratch/kubelet.yaml </dev/null >/dev/null 2>>$scratch/kubelet-unit.err &
echo \$! >$scratch/kubelet-unit.pid
SH
chmod +x "$bin/systemctl"
trap 'kill "$api_pid" $kubelet_pid $crio_pid $(cat "$scratch/kubelet-unit.pid" 2>/dev/null) 2>/dev/null; rm -rf "$scratch"' EXIT
ka() { PATH=$bin:$PATH "$kubeadm" "$@"; }
restarts() { grep -c '^restart kubelet$' "$scratch/systemctl.log" 2>/dev/null || true; }
records=/var/lib/kubeadm-standin
# nothing_written RESTARTS: no kubelet.conf, no join-args, and the kubelet restarted RESTARTS times in all.
nothing_written() { test ! -e /etc/kubernetes/kubelet.conf && test ! -e "$records/join-args" && test "$(restarts)" = "$1"; }
# kubelet_conf_is_node_token: kubelet.conf is a kubeconfig (mode 0600) of the server and a node token the server gave this host.
kubelet_conf_is_node_token() {
  [[ $(stat -c %a /etc/kubernetes/kubelet.conf) == 600 ]] && /usr/bin/python3 - "$api_state" "$port" "$host" <<'PY'
import json, sys, yaml
state, port, host = sys.argv[1:]
conf = yaml.safe_load(open('/etc/kubernetes/kubelet.conf'))
ctx = next(c['context'] for c in conf['contexts'] if c['name'] == conf['current-context'])
cluster = next(c['cluster'] for c in conf['clusters'] if c['name'] == ctx['cluster'])
user = next(u['user'] for u in conf['users'] if u['name'] == ctx['user'])
token = json.load(open(state))['tokens'].get(user['token'])
sys.exit(0 if conf['kind'] == 'Config' and cluster['server'] == f'http://127.0.0.1:{port}' and token == {'kind': 'node', 'node': host} else 1)
PY
}
zeros=$(printf '0%.0s' $(seq 64))
rm -f /etc/kubernetes/kubelet.conf
start_crio

install -m 0600 "$api/admin.conf" /etc/kubernetes/admin.conf
expect_exit 0 "^kubeadm join 127\.0\.0\.1:$port --token [0-9a-f]{6}\.[0-9a-f]{16} --discovery-token-ca-cert-hash sha256:0{64}\$" \
  "kubeadm token create --print-join-command with an admin.conf (the control-plane host): a bootstrap token of the server" \
  ka token create --ttl 10m --print-join-command
read -ra join <"$T_OUTPUT" || true
ka token create --ttl 1s --print-join-command >"$scratch/expired.cmd" 2>&1 || true
read -ra expired <"$scratch/expired.cmd" || true
expired_id=${expired[4]:-} expired_id=${expired_id%%.*}
rm /etc/kubernetes/admin.conf # a worker has none

expect_exit 0 '^This node has joined the cluster:$' "kubeadm join with that command: kubeadm's lines" ka "${join[@]:1}"
check "... its wait for a healthy kubelet, bounded as kubeadm's (4m0s)" \
  out_has '[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s'
check "... kubelet.conf written, mode 0600: a kubeconfig of the server with the node token the bootstrap token got for this host" \
  kubelet_conf_is_node_token
check "... its arguments recorded, the kubelet restarted once" \
  eval 'test "$(cat "$records/join-args")" = "$(printf "%s\n" "${join[@]:1}")" && test "$(restarts)" = 1'
check "... and when it returned, its Node registered by the kubelet's heartbeats and Ready" \
  node_is "n.get('ready') is True and 'heartbeat' in n and n['labels'].get('kubernetes.io/hostname') == '$host'"

rm -f /etc/kubernetes/kubelet.conf
rm -f "$records/join-args"
expect_exit 1 "^error execution phase kubelet-start: a Node with name \"$host\" and status \"Ready\" already exists in the cluster\. You must delete the existing Node or change the name of this new joining Node\$" \
  "kubeadm join again while its Node is Ready: kubeadm's refusal" ka "${join[@]:1}"
check "... nothing written, the kubelet not restarted" nothing_written 1

expect_exit 1 '^error execution phase preflight: couldn.t validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"$' \
  "kubeadm join with a token the cluster does not know: kubeadm's discovery error, naming the token's id" \
  ka join "127.0.0.1:$port" --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash "sha256:$zeros"
check "... nothing written, the kubelet not restarted" nothing_written 1
sleep 1.2
expect_exit 1 "^error execution phase preflight: couldn.t validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID \"$expired_id\"\$" \
  "kubeadm join with an expired token (token create --ttl 1s, more than a second later): the same" ka "${expired[@]:1}"
check "... nothing written, the kubelet not restarted" nothing_written 1
expect_exit 1 "^error execution phase preflight: couldn.t validate the identity of the API Server: failed to request the cluster-info ConfigMap: Get \"https://127\.0\.0\.1:$closed/api/v1/namespaces/kube-public/configmaps/cluster-info\?timeout=10s\": dial tcp 127\.0\.0\.1:$closed: connect: connection refused\$" \
  "kubeadm join against a port where no server listens: kubeadm's discovery error" \
  ka join "127.0.0.1:$closed" --token "${join[4]:-}" --discovery-token-ca-cert-hash "sha256:$zeros"
check "... nothing written, the kubelet not restarted" nothing_written 1

"$bin/systemctl" stop kubelet
stop "$crio_pid"
check "kubelet and crio stopped: the Node NotReady once the grace has passed" eventually 8 "not n['ready']"
expect_exit 1 "^error execution phase kubelet-start: The HTTP call equal to 'curl -sSL http://127\.0\.0\.1:10248/healthz' returned error: Get \"http://127\.0\.0\.1:10248/healthz\": context deadline exceeded\$" \
  "kubeadm join, no container runtime (the Node never Ready), a 3 s bound: kubeadm's timeout" \
  env LOLICE_STANDIN_KUBELET_WAIT=3 PATH="$bin:$PATH" "$kubeadm" "${join[@]:1}"
check "... kubeadm's lines: the bound, not healthy after it, the troubleshooting; the stand-in's reason" \
  eval 'out_has "[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 3s" && grep -Eq "^\[kubelet-check\] The kubelet is not healthy after 3(\.[0-9]+)?s$" "$T_OUTPUT" && out_has "	- '"'"'journalctl -xeu kubelet'"'"'" && grep -q "^\[kubelet-check\] STAND-IN: .*\"$host\" is NotReady$" "$T_OUTPUT"'
check "... the NotReady Node taken over: the kubelet restarted, its heartbeats say the runtime is down" \
  eval 'test "$(restarts)" = 2 && node_is "not n[\"ready\"] and n[\"runtimeUp\"] is False" && kubelet_conf_is_node_token'
start_crio
check "... crio started: Ready" eventually 5 "n['ready']"

api_set "s['kubernetesVersion'] = 'v1.36.2'"
expect_exit 0 '^\[upgrade\] The configuration for this node was successfully updated! \(kubernetesVersion v1\.36\.2; stand-in kubeadm 1\.36\.2-1\.1\)$' \
  "kubeadm upgrade node: kubeadm-config's kubernetesVersion, read through kubelet.conf" ka upgrade node
check "... recorded beside the kubeadm that ran; one GET /kubeadm-config on the server" \
  eval 'test "$(cat "$records/upgraded-config-version")" = v1.36.2 && test "$(cat "$records/upgraded-by")" = 1.36.2-1.1 && test "$(grep -c "GET /kubeadm-config .* 200 " "$api_state.log")" = 1'
rm -f /etc/kubernetes/kubelet.conf
kubeconfig wrong-token >/etc/kubernetes/kubelet.conf
rm -f "$records"/upgraded-*
expect_exit 1 '^unable to fetch the kubeadm-config ConfigMap: failed to get config map: Unauthorized$' \
  "kubeadm upgrade node, kubelet.conf's token refused: kubeadm's Unauthorized" ka upgrade node
check "... nothing recorded" eval 'test ! -e "$records/upgraded-by" && test ! -e "$records/upgraded-config-version"'
kubeconfig wrong-token | sed "s/:$port\"/:$closed\"/" >/etc/kubernetes/kubelet.conf
expect_exit 1 "^unable to fetch the kubeadm-config ConfigMap: failed to get config map: Get \"http://127\.0\.0\.1:$closed/api/v1/namespaces/kube-system/configmaps/kubeadm-config\?timeout=10s\": dial tcp 127\.0\.0\.1:$closed: connect: connection refused\$" \
  "kubeadm upgrade node, no server listening: kubeadm's error" ka upgrade node
check "... nothing recorded" eval 'test ! -e "$records/upgraded-by" && test ! -e "$records/upgraded-config-version"'
rm -f /etc/kubernetes/kubelet.conf
expect_exit 1 '^couldn.t create a Kubernetes client from file "/etc/kubernetes/kubelet.conf": failed to load admin kubeconfig: open /etc/kubernetes/kubelet.conf: no such file or directory$' \
  "kubeadm upgrade node on a node that never joined (no kubelet.conf): kubeadm's error" ka upgrade node
check "... nothing recorded" eval 'test ! -e "$records/upgraded-by" && test ! -e "$records/upgraded-config-version"'

# A state file of the former stand-ins changes nothing (the kubelet stopped first): kubeadm is the
# server's client, or fails as kubeadm fails; no request to the server where kubeadm would make none.
"$bin/systemctl" stop kubelet
echo '{"serverVersion": "v1.36.1", "localNode": "w1", "nodes": {}}' >"$state"
state_sum=$(sha256sum <"$state")
server_calls=$(wc -l <"$api_state.log")
no_server_call() { test "$(wc -l <"$api_state.log")" = "$server_calls"; }
expect_exit 1 "^failed to load admin kubeconfig: open $scratch/home/\.kube/config: no such file or directory\$" \
  "kubeadm token create on a worker (no admin.conf, KUBECONFIG or ~/.kube/config): kubeadm's error" \
  bare env PATH="$bin:$PATH" "$kubeadm" token create --ttl 10m --print-join-command
check "... kubeadm's hint, no join command, no request to the server, the state file untouched" \
  eval 'out_has "To see the stack trace of this error execute with --v=5 or higher" && ! grep -q "^kubeadm join" "$T_OUTPUT" && no_server_call && state_untouched'
rm -f "$records/join-args" # the join that timed out above wrote it
expect_exit 1 "^error execution phase preflight: couldn.t validate the identity of the API Server: failed to request the cluster-info ConfigMap: .*:$closed: connect: connection refused\$" \
  "kubeadm join with a state file, no server listening: kubeadm's discovery error (a state file is no cluster)" \
  ka join "127.0.0.1:$closed" --token "${join[4]:-}" --discovery-token-ca-cert-hash "sha256:$zeros"
check "... nothing written, the kubelet not restarted, the state file untouched" eval 'nothing_written 2 && state_untouched'
echo '# STAND-IN kubeconfig without a server' >/etc/kubernetes/kubelet.conf
expect_exit 1 '^couldn.t create a Kubernetes client from file "/etc/kubernetes/kubelet\.conf": failed to create API client configuration from kubeconfig: invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable$' \
  "kubeadm upgrade node, a state file, a kubelet.conf naming no server: kubeadm's client error" ka upgrade node
check "... nothing recorded, no request to the server" \
  eval 'test ! -e "$records/upgraded-by" && test ! -e "$records/upgraded-config-version" && no_server_call'
kubeconfig '' >/etc/kubernetes/kubelet.conf
expect_exit 1 '^unable to fetch the kubeadm-config ConfigMap: failed to get config map: Unauthorized$' \
  "kubeadm upgrade node, a state file, a kubelet.conf of the server without a token: the server's Unauthorized" ka upgrade node
check "... nothing recorded, the state file untouched" \
  eval 'test ! -e "$records/upgraded-by" && test ! -e "$records/upgraded-config-version" && state_untouched'
stop "$crio_pid"
rm -f "$state" /etc/kubernetes/kubelet.conf

# ---------------------------------------------------------------- the call log
# Every stand-in writes the time first (seconds since the epoch, three decimals): the upgrade test
# merges the logs of two machines by it, then strips it (sed -E 's/^[0-9]+\.[0-9]+ //').
check "calls.log: each stand-in's lines there, after the time (kubectl, kubeadm, kubelet started, crio started, crio config)" \
  eval 'logged "kubectl .*" && logged "kubeadm join 127\.0\.0\.1:$port --token .*" && logged "kubeadm upgrade node" && logged "kubelet started 1\.36\.2-1\.1" && logged "crio started .*" && logged "crio config"'
# all_timed: every line of the call log starts with the time, one between the start of these checks and now.
all_timed() {
  test -s "$calls" && ! grep -vE '^[0-9]+\.[0-9]{3} ' "$calls" &&
    awk -v from="$checks_started" -v to="$(date +%s.%N)" '$1 < from - 1 || $1 > to + 1 { bad = 1 } END { exit bad }' "$calls"
}
check "calls.log: every line written during these checks starts with the time, a time of these checks" all_timed

t_summary
