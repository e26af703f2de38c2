#!/usr/bin/env bash
# Day-two test of ansible/playbooks/upgrade.yml, replace.yml and join.yml on the CONVERGED WORKER
# of this test run (an overlay of the disk test/e2e/ansible-converge.sh left: worker.yml in full,
# at the model's versions), against loopback STAND-INS: the pkgs.k8s.io and CRI-O repositories of
# the model's minor series AND of the one after it (test/ansible/standins/build-repos.sh
# --next-minor, signed with the key the converged worker trusts), and stand-in kubectl, kubeadm,
# kubelet and CRI-O that record their calls and can be told to fail. The VM is the worker (the
# model's first). The control plane is the stand-in of test/ansible/converge/control-plane.sh:
# an API server on this host's loopback (tunnelled into the VM, where the worker's kubelet sends
# its heartbeats and kubeadm redeems its join token) and a control-plane HOST reached as
# production reaches it: by SSH as its own user, sudo, kubectl --kubeconfig
# /etc/kubernetes/admin.conf, so every delegated task runs there, at native speed. The calls of
# both machines are merged by time (calls_since). The model's versions (generated group_vars)
# are the start; after the
# join the test makes the operator's model change: the next minor (build-repos.sh's next.yml) and
# new labels and taints, written to the test vars that every later run reads.
#
# Three workers, each an overlay of the converged disk: the bench node (the model's first worker)
# second in the inventory, between two peers of test names (their hostnames set to them).
#
#   1. the bench node boots on its own (route, crio, kubelet, hostname); join.yml --limit to it is
#      refused, each time with no token made and no join, while one API server is older than its
#      kubelet (named) and while the control plane is two minors above kubeadm's (kubeadm's rule);
#      --check with the control plane one minor ahead (kubeadm's "or the next") says it would join.
#      Then join.yml at the model's versions: three joined nodes, Ready at the old version; a second
#      join.yml changes nothing and calls no kubeadm; the model
#      changes (next minor, labels); worker.yml with it leaves the packages to upgrade.yml.
#      worker.yml runs from its kubernetes_components role on (--start-at-task): the users and
#      network roles do not touch what this test is about, and cost minutes under emulation
#   2.-3c. about one node: upgrade.yml --limit to the bench node
#   2. control plane still old: upgrade.yml refuses before touching the node; then a mixed-version
#      control plane (the API server behind the VIP at the target, another kube-apiserver still
#      old): refused the same way (every API server is asked, tasks/control-plane-versions.yml);
#      then a control plane two minors past the target: refused by kubeadm's rule (the control
#      plane at the new kubeadm's minor or the next)
#   3. control plane at the target: --check --diff shows the repository switch, changes nothing;
#      a pin that no repository has (an unpublished CRI-O patch) fails the dry run, and the real
#      run refuses it before the cordon: node schedulable, packages held, nothing installed
#   3c. drains that cannot finish (the stand-in drain filters and evicts as kubectl does): a pod
#      without a controller, then a disruption budget allowing none (a short timeout): the run
#      stops with kubectl's line and what to do, the node uncordoned and unmarked, nothing installed
#   4. all three workers, one at a time; the bench node cordoned by an operator, then its kubeadm
#      upgrade node told to fail: the first peer is upgraded, then the rollout stops at the bench
#      node, names the step, the node stays cordoned (marked: cordoned before the upgrade), its four
#      packages held again and the hold state named; the last peer untouched
#   4b. a process named kubeadm still runs (an earlier run's): the rerun refuses before any change
#   5. rerun, the node's kubelet down (NotReady: the marked node resumes all the same), while the
#      stand-in unattended-upgrade holds the package lock for longer than apt's default 60 s: the run waits for it, resumes and finishes; the steps are in kubeadm's order;
#      the application pod evicted; the uncordon waits for the node's DaemonSet pod to be Ready;
#      then the last peer is upgraded, the first left alone
#   the fleet report (scripts/fleet-report.sh, the real fleet-report.yml) before the rollout (exit 1,
#      the old versions), after the failed step (exit 1, cordoned, upgrade not finished) and after it
#      (exit 0, the model's versions)
#   5b. the mark left on the upgraded node (its removal failed): the rerun only removes it
#   6. rerun: every node is skipped, changed=0 on all three
#   7. replace.yml (drain, kubeadm reset, Node deleted); a stale cordoned Node object of the same
#      name reappears (as when the old system was gone); join.yml deletes it and the node
#      rejoins under its name, schedulable, at the model's version
# Labels and taints: the node joins with the labels and taints the converged worker has (the
# before-file: the test vars of the converge test); the kubelet registers them. worker.yml with the model's current ones
# changes the kubelet's flags but not the Node (registration only). upgrade.yml ends with the
# reconcile step (node-labels.yml): changed values set, labels and taints the model dropped under
# its prefix removed, an operator's label and taint left alone; the dry run says so and calls
# nothing; a second run calls nothing. The rejoined node registers with the current ones.
#
#   bash test/e2e/upgrade.sh     (LOLICE_VM_ACCEL=tcg to force emulation)
# shellcheck disable=SC2016 # the single-quoted commands run in the VM, where they expand
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
source test/vm/lib.sh
source test/ansible/converge/lib.sh
source test/ansible/converge/control-plane.sh
CONVERGE_NEXT_MINOR=1 CONVERGE_ON_CONVERGED=1
cv_begin upgrade
trap 'cp_stop; cv_cleanup' EXIT

next=$CONVERGE_WORK/standins/next.yml
next_fact() { CONVERGE_GROUP_VARS=$next cv_fact "$1"; }
node=$CONVERGE_NODE
old_minor=$(cv_fact kubernetes_version) new_minor=$(next_fact kubernetes_version)
old_kubelet=$(cv_fact kubernetes_kubelet_version) new_kubelet=$(next_fact kubernetes_kubelet_version)
old_kubeadm=$(cv_fact kubernetes_kubeadm_version) new_kubeadm=$(next_fact kubernetes_kubeadm_version)
new_kubectl=$(next_fact kubernetes_kubectl_version)
new_crio=$(next_fact crio_version) old_crio=$(cv_fact crio_version)
old_v=v${old_kubelet%-*} new_v=v${new_kubelet%-*}
annotation=lolice.ansible/upgrade-to cordoned_mark=lolice.ansible/cordoned-before-upgrade
calls=/var/log/lolice-standin/calls.log
vm=worker
prefix=$(cv_fact node_label_owned_prefix)
# A CRI-O patch release the stand-in repository does not have (not yet published).
bad_crio=$new_crio.99-1.1
# Longer than apt's own 60 s wait, with 60 s of room for the tasks before the first package step
# (they take about 25 s under load): without the playbook's own wait, apt would give up first.
lock_hold=120
play_var() { python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[0]["vars"][sys.argv[2]])' ansible/playbooks/upgrade.yml "$1"; }
drain_timeout=$(play_var upgrade_drain_timeout) grace_period=$(play_var upgrade_drain_grace_period)
# The node's CNI pod (a DaemonSet's) is Ready this long after each kubelet start.
daemonset_ready=30
# A drain blocked by a disruption budget gives up after this long (kubectl's --timeout).
short_drain=20s
# Two more workers, overlays of the same converged disk under names of their own, one before the
# bench node and one after it in the inventory: upgrade.yml goes one node at a time (serial 1), so
# when the bench node's upgrade fails (step 4) the first is upgraded and the third untouched. The
# refusals of steps 2 and 3 are about one node: they run with --limit to it.
first_peer=$node-peer-1 last_peer=$node-peer-3
declare -A vm_node=([peer1]=$first_peer [$vm]=$node [peer3]=$last_peer)
workers=(peer1 "$vm" peer3)
one_node=(--limit "$node")
# The application pod on the node (a ReplicaSet's: its controller replaces it when it is evicted).
app_pod=web-5d8f7-q2x9z
# The control plane: the model's control-plane nodes, on the stand-in host (control-plane.sh). The
# mixed-version case puts the last one's API server behind (another name when the model has one).
mapfile -t cp_names < <(cv_control_plane_names)
first_cp=${cp_names[0]} last_cp=${cp_names[-1]}
((${#cp_names[@]} > 1)) || last_cp=$first_cp-b

# The labels and taints the converged worker was configured with (the converge test's vars), and
# the model's change the test makes after the join (model_change): a value that changes, a label
# and a taint the model drops.
before=$CONVERGE_WORK/labels-before.yml
/usr/bin/python3 -c 'import sys, yaml; yaml.safe_dump({"worker_nodes": yaml.safe_load(open(sys.argv[1]))["worker_nodes"]}, open(sys.argv[2], "w"))' \
  "$CONVERGE_WORK/test-vars.yml" "$before"
# The peers' entries in the test vars: the bench node's (the converged disk's kubelet flags carry them).
/usr/bin/python3 -c '
import copy, sys, yaml
path, node, *peers = sys.argv[1:]
vars = yaml.safe_load(open(path))
for peer in peers:
    vars["worker_nodes"][peer] = copy.deepcopy(vars["worker_nodes"][node])
yaml.safe_dump(vars, open(path, "w"))' "$CONVERGE_WORK/test-vars.yml" "$node" "$first_peer" "$last_peer"
# model_change: the operator's change, in the test vars every later run reads: the next minor
# series (next.yml's versions), the bench label's value changed, the pool label and the quiet
# taint dropped.
model_change() {
  /usr/bin/python3 -c '
import sys, yaml
path, node, prefix, nxt = sys.argv[1:]
vars = yaml.safe_load(open(path))
vars.update(yaml.safe_load(open(nxt)))
entry = vars["worker_nodes"][node]
entry["labels"] = {k: v for k, v in entry["labels"].items() if k != prefix + "pool"} | {prefix + "bench": "false"}
entry["taints"] = [{"key": prefix + "bench", "value": "false", "effect": "NoSchedule"}]
yaml.safe_dump(vars, open(path, "w"))' "$CONVERGE_WORK/test-vars.yml" "$CONVERGE_NODE" "$prefix" "$next"
}
# registered_as VARS_FILE: the Node carries the labels of that worker_nodes entry and exactly its
# taints, plus what others set (the kubelet's own labels, the operator's label and taint).
registered_as() {
  node_json | python3 -c '
import json, sys, yaml
n, entry = json.load(sys.stdin), yaml.safe_load(open(sys.argv[1]))["worker_nodes"][sys.argv[2]]
labels, foreign = n["metadata"].get("labels", {}), json.loads(sys.argv[3])
want = [{k: v for k, v in t.items() if v != ""} for t in entry["taints"]] + foreign["taints"]
assert all(labels.get(k) == v for k, v in {**entry["labels"], **foreign["labels"]}.items()), labels
assert not [k for k in labels if k.startswith(sys.argv[4]) and k not in entry["labels"]], labels
order = lambda t: (t["key"], t["effect"])
assert sorted(n["spec"].get("taints", []), key=order) == sorted(want, key=order), n["spec"]' \
    "$1" "$node" "${2:-$nobody}" "$prefix"
}
nobody='{"labels": {}, "taints": []}'
registered_with_own_labels() { registered_as "$before" && node_is "n['metadata']['labels']['kubernetes.io/hostname'] == '$node'"; }
flags_moved_node_kept() {
  in_vm_bench "$vm" "grep -q -- '^--node-labels=.*${prefix}bench=false' /run/kubelet-standin/args" && registered_as "$before" "$operator"
}
dry_run_labels() { log_has dry-run.log "$node: labels set \\[${prefix}bench=false\\], removed \\[${prefix}pool-\\]" && no_label_calls; }
# What an operator set by hand, outside the model's prefix: the reconcile step leaves it.
operator='{"labels": {"example.com/owner": "ops"}, "taints": [{"key": "example.com/maintenance", "effect": "NoSchedule"}]}'
drained_within() { calls_has "^kubectl drain $node .*--grace-period=$grace_period .*--timeout=$drain_timeout( |\$)"; }
no_label_calls() { calls_lack '^kubectl (label|taint) '; }

# node_json: the worker's Node object, as the stand-in kubectl on the control-plane host serves it
# (through its admin.conf; not logged as a call).
node_json() { cp_ssh "sudo -n env LOLICE_STANDIN_UNLOGGED=1 kubectl --kubeconfig /etc/kubernetes/admin.conf get node $node -o json"; }
node_is() { node_json | python3 -c "import json, sys; n = json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }
installed() { in_vm_bench "$vm" "dpkg-query -W -f '\${Version}' $1"; }
# packages: one SSH call for what the checks below read of a worker's packages: each one's version
# ("kubelet=1.35.2-1.1"), the held ones ("held=cri-o kubeadm kubectl kubelet") and each APT
# source's URIs ("kubernetes.sources:URIs: ..."); packages_are PACKAGES PATTERN...: each glob
# PATTERN matches a whole line of PACKAGES (cri-o's version ends in its build's suffix: "cri-o=1.36.1*").
packages() {
  in_vm_bench "$vm" "dpkg-query -W -f '\${Package}=\${Version}\n' kubelet kubeadm kubectl cri-o && echo held=\$(apt-mark showhold | sort) &&
    cd /etc/apt/sources.list.d && grep -H '^URIs:' kubernetes.sources cri-o.sources"
}
packages_are() {
  local have=$1 want line; shift
  for want; do
    while IFS= read -r line; do
      # shellcheck disable=SC2053 # a glob pattern
      [[ $line == $want ]] && continue 2
    done <<<"$have"
    return 1
  done
}
held_all='held=cri-o kubeadm kubectl kubelet'
# The calls of both machines: the worker's (kubeadm, dpkg, the kubelet's and CRI-O's starts, the
# stand-in unattended-upgrade) and the control-plane host's (kubectl, kubeadm token create). Every
# line starts with its machine's time; calls_mark also reads the VM's clock against this host's
# (the middle of the SSH call), and calls_since puts the VM's lines on this host's clock, merges
# both logs by time and drops it.
calls_mark() {
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$(in_vm_bench "$vm" "date +%s.%N; wc -l <$calls")
  t1=$(date +%s.%N)
  vm_clock_ahead=$(python3 -c 'import sys; t0, vm, t1 = map(float, sys.argv[1:]); print(f"{vm - (t0 + t1) / 2:.3f}")' "$t0" "${out%%$'\n'*}" "$t1")
  mark=${out##*$'\n'} cp_mark=$(cp_calls | wc -l)
}
# untimed: the lines without their time.
untimed() { sed -E 's/^[0-9]+\.[0-9]+ //'; }
calls_since() {
  {
    in_vm_bench "$vm" "tail -n +$((mark + 1)) $calls" | awk -v ahead="$vm_clock_ahead" '{ t = $1; printf "%.3f %s\n", t - ahead, substr($0, length(t) + 2) }'
    cp_calls | tail -n +$((cp_mark + 1))
  } | sort -s -n -k1,1 | untimed
}
# calls_has REGEX, calls_lack REGEX: a call since the mark matches the extended REGEX, or none does;
# both fail (2) when the calls cannot be read. The calls are read whole before grep -q looks:
# grep -q ends at the first match, and calls_since writing on into the closed pipe would die of
# SIGPIPE, which pipefail makes the pipeline's status (141: a found call read as a failure, and
# under "!" a found call read as none).
calls_has() { local out; out=$(calls_since) || return 2; grep -Eq -- "$1" <<<"$out"; }
calls_lack() { local out; out=$(calls_since) || return 2; ! grep -Eq -- "$1" <<<"$out"; }
# in_order REGEX...: the calls since the mark hold lines matching each REGEX, in this order.
in_order() {
  calls_since | python3 -c '
import re, sys
lines, i = sys.stdin.read().splitlines(), 0
for pattern in sys.argv[1:]:
    while i < len(lines) and not re.search(pattern, lines[i]):
        i += 1
    if i == len(lines):
        sys.exit("not found in order: " + pattern)
    i += 1' "$@"
}
# log_has LOG REGEX: the playbook log holds REGEX, once YAML's line folding, quoting and
# escaping are undone (whitespace squeezed, quotes and backslashes dropped).
# The test inventory: the VM as the worker, reached as the bench user (worker.yml's user role,
# which would create the admin, is skipped), and the stand-in control-plane host
# (control-plane.sh) as the model's control-plane nodes, reached as its own user.
write_inventory() {
  local common='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null' w
  {
    echo '[workers]'
    for w in "${workers[@]}"; do
      echo "${vm_node[$w]} ansible_host=127.0.0.1 ansible_port=${VM_PORT[$w]} ansible_user=bench ansible_ssh_private_key_file=$VM_SSH_KEY ansible_ssh_common_args='$common'"
    done
    echo
    cp_inventory_lines
  } >"$CONVERGE_WORK/inventory.ini"
}
# cp_since: the control-plane host's calls since the mark, without the time.
cp_since() { cp_calls | tail -n +$((cp_mark + 1)) | untimed; }
# peer_upgraded VM NAME: that worker at the model's versions, held, repositories at the new minor;
# its Node Ready at the new version, schedulable, unmarked.
peer_upgraded() {
  local vm=$1 node=$2
  upgraded_state && node_is "n['status']['nodeInfo']['kubeletVersion'] == '$new_v' and n['status']['conditions'][0]['status'] == 'True' and not n['spec'].get('unschedulable') and not set(n['metadata']['annotations']) & {'$annotation', '$cordoned_mark'}"
}
# peer_untouched VM NAME: since the mark, no call of the control plane's names it; the old versions
# and repositories, schedulable.
peer_untouched() {
  local vm=$1 node=$2
  local calls
  calls=$(cp_since) || return 2
  ! grep -Eq "^kubectl (annotate|cordon|drain|uncordon|label|taint) (--overwrite )?(node )?$node( |\$)" <<<"$calls" && untouched
}
from_role=(--start-at-task 'kubernetes_components : Read the installed versions of the Kubernetes packages')

log_has() {
  python3 -c '
import re, sys
text = re.sub(r"\\\n\s*", "", open(sys.argv[1]).read())
text = re.sub(r"\s+", " ", re.sub(r"[\\\"\x27]", "", text))
sys.exit(0 if re.search(sys.argv[2], text) else 1)' "$CONVERGE_WORK/$1" "$2"
}
# no_change_calls: since the mark, no call that changes the node (cordon, drain, kubeadm, a package).
no_change_calls() { calls_lack "^kubectl (annotate|cordon|drain|uncordon|delete)|^kubeadm|^dpkg"; }
# sources_in PACKAGES MINOR CRIO_MINOR: packages() shows APT sources at those minor series;
# sources_at MINOR CRIO_MINOR: the worker's do.
sources_in() { packages_are "$1" "kubernetes.sources:URIs: */v$2/deb/*" "cri-o.sources:URIs: */v$3/deb/*"; }
sources_at() { local have; have=$(packages) && sources_in "$have" "$1" "$2"; }
untouched() {
  local have
  have=$(packages) && packages_are "$have" "kubelet=$old_kubelet" && sources_in "$have" "$old_minor" "$old_crio" &&
    node_is "not n['spec'].get('unschedulable')"
}
failed_state() {
  local have
  calls_lack "^kubectl uncordon $node\$" && have=$(packages) && packages_are "$have" "kubelet=$old_kubelet" "kubeadm=$new_kubeadm"
}
upgraded_state() {
  local have
  have=$(packages) && packages_are "$have" "kubelet=$new_kubelet" "kubeadm=$new_kubeadm" "kubectl=$new_kubectl" "cri-o=$new_crio.*" "$held_all" &&
    sources_in "$have" "$new_minor" "$new_crio"
}
dry_run_diff() { grep -Eq "^-URIs: .*/v$old_minor/deb/" "$CONVERGE_WORK/dry-run.log" && grep -Eq "^\+URIs: .*/v$new_minor/deb/" "$CONVERGE_WORK/dry-run.log"; }
# drain_refused: after a drain that did not finish: uncordoned, unmarked, no kubeadm or package
# call, the old versions installed and held.
drain_refused() {
  local have
  calls_lack "^kubeadm|^dpkg" && node_is "not n['spec'].get('unschedulable') and '$annotation' not in n['metadata'].get('annotations', {})" &&
    have=$(packages) && packages_are "$have" "kubelet=$old_kubelet" "kubeadm=$old_kubeadm" "$held_all"
}
# cluster_has EXPR: EXPR is true of the stand-in API server's state `s`.
cluster_has() { cp_read "import sys; sys.exit(0 if ($1) else 1)"; }
# fleet_report NAME: scripts/fleet-report.sh --format json over the test's inventory and variables
# (the real fleet-report.yml, through the stand-in control plane); the report to NAME.json, its
# exit code to NAME.rc. The bench has no image bucket (--no-known-good).
fleet_report() {
  local rc=0
  bash scripts/fleet-report.sh --format json --no-known-good --inventory "$CONVERGE_WORK/inventory.ini" \
    --extra-vars "@$CONVERGE_GROUP_VARS" --extra-vars "@$CONVERGE_WORK/test-vars.yml" \
    >"$CONVERGE_WORK/$1.json" 2>"$CONVERGE_WORK/$1.err" || rc=$?
  echo "$rc" >"$CONVERGE_WORK/$1.rc"
  cv_log "fleet-report.sh: exit $rc"
}
# report_is NAME RC JQ: the report NAME exited RC, and JQ holds of the worker's row ($row) and the
# report (.), with $pins the model's package versions.
report_is() {
  test "$(cat "$CONVERGE_WORK/$1.rc")" = "$2" &&
    jq -e --arg n "$node" --argjson pins "$pins" "(.nodes[] | select(.name == \$n)) as \$row | $3" "$CONVERGE_WORK/$1.json" >/dev/null
}
pins=$(jq -n --arg kubelet "$new_kubelet" --arg kubeadm "$new_kubeadm" --arg kubectl "$new_kubectl" --arg crio "$(next_fact crio_package_version)" \
  '{kubelet: $kubelet, kubeadm: $kubeadm, kubectl: $kubectl, "cri-o": $crio}')
refused_before_cordon() {
  local have
  no_change_calls && node_is "not n['spec'].get('unschedulable') and '$annotation' not in n['metadata'].get('annotations', {})" &&
    have=$(packages) && packages_are "$have" "kubelet=$old_kubelet" "kubeadm=$old_kubeadm" "$held_all"
}
replaced() { ! node_json && in_vm_bench "$vm" '! test -e /etc/kubernetes/kubelet.conf'; }

# ---------------------------------------------------------------- 1. a joined node at the model's versions
for w in "${workers[@]}"; do
  disk=$(vm_disk_overlay "$w" "$CV_CONVERGED_DISK")
  vm_start "$w" --disk "$disk:virtio"
done
CP_DAEMONSET_DELAY=$daemonset_ready cp_start "$old_v"
for w in "${workers[@]}"; do
  cv_wait_ssh_bench "$w"
  cp_tunnel "$w"
  cv_tunnel "$w" "$STANDIN_PORT" "$w" 'stand-in' "$CV_STANDIN_VM_PORT"
  [[ $w == "$vm" ]] || in_vm_bench "$w" "hostnamectl set-hostname ${vm_node[$w]}"
done
cv_bench "$vm" 'sudo -n install -m 0755 /dev/stdin /usr/local/sbin/unattended-upgrade && sudo -n mkdir -p /etc/lolice-standin' <test/ansible/standins/unattended-upgrade
write_inventory
check "the converged worker boots on its own: static route, crio and kubelet started, hostname $node" in_vm_bench "$vm" \
  "ip -4 route show default | grep -q 'via 10.0.2.2 .*proto static' && systemctl is-active crio kubelet && test \"\$(hostname)\" = $node"
check "the worker has no state file of its own (its kubelet and kubeadm talk to the API server)" \
  in_vm_bench "$vm" '! test -e /var/lib/lolice-standin/cluster.json'

cv_log "1. join.yml refusals (about the bench node: --limit), each leaving no token and no join"
# nothing_created: since the mark, no bootstrap token and no kubeadm join (either machine), and
# the node has no kubelet.conf.
nothing_created() { calls_lack '^kubeadm (token create|join)' && in_vm_bench "$vm" '! test -e /etc/kubernetes/kubelet.conf'; }
# An API server older than the node's kubelet: a patch release below it (the previous minor's .0
# when the model's is a .0).
old_patch=${old_v##*.}
if ((old_patch > 0)); then older_v=${old_v%.*}.$((old_patch - 1)); else older_v=v1.$((${old_minor#*.} - 1)).0; fi
cp_versions "$old_v" "$last_cp" "$older_v"
calls_mark
if cv_playbook join-mixed.log join.yml "${one_node[@]}"; then check "join refused: the API server on $last_cp runs $older_v, older than kubelet $old_v" false; else
  check "join refused: the API server on $last_cp runs $older_v, older than kubelet $old_v" \
    log_has join-mixed.log "Cannot join $node: it would run kubelet ${old_v#v}, and older than it: kube-apiserver on $last_cp \\($older_v\\)\\."
fi
check "... and nothing created: no bootstrap token, no kubeadm join" nothing_created
join_ahead_v=v1.$((${old_minor#*.} + 2)).0
cp_versions "$join_ahead_v"
calls_mark
if cv_playbook join-ahead.log join.yml "${one_node[@]}"; then check "join refused: control plane $join_ahead_v, two minors above kubeadm's" false; else
  check "join refused: control plane $join_ahead_v, two minors above kubeadm's (kubeadm's rule)" \
    log_has join-ahead.log "Cannot join $node: kubeadm ${old_kubeadm%-*} works with a control plane at its own minor version or the next"
fi
check "... and nothing created" nothing_created
# One minor above kubeadm's is kubeadm's "or the next": allowed, shown by a dry run.
cp_versions "v1.$((${old_minor#*.} + 1)).0"
calls_mark
cv_playbook join-check.log join.yml "${one_node[@]}" --check || vm_die "join.yml --check failed"
check "join --check (control plane one minor ahead, kubeadm's rule holds): the checks ran, it says $node would join" \
  log_has join-check.log "\\[dry run\\] $node would join the cluster"
check "... and the API servers were read, but no token made and no join" \
  eval 'calls_has "^kubectl get pods --namespace kube-system --selector component=kube-apiserver" && nothing_created'
cp_versions "$old_v"

cv_log "1. join.yml at Kubernetes $old_minor (the converged worker, at the model's versions)"
calls_mark
cv_playbook join-old.log join.yml || vm_die "join.yml at $old_minor failed"
check "joined: $node Ready at $old_v, schedulable" node_is "n['status']['nodeInfo']['kubeletVersion'] == '$old_v' and n['status']['conditions'][0]['status'] == 'True' and not n['spec'].get('unschedulable')"
check "... registered with the labels and taints the model had (--node-labels, registerWithTaints) and the kubelet's own" \
  registered_with_own_labels
peers_joined() {
  local w node
  for w in peer1 peer3; do
    node=${vm_node[$w]}
    node_is "n['status']['nodeInfo']['kubeletVersion'] == '$old_v' and n['status']['conditions'][0]['status'] == 'True' and not n['spec'].get('unschedulable')" || return 1
  done
}
check "$first_peer and $last_peer joined as well: Ready at $old_v, schedulable" peers_joined
check "... through the control-plane host: one token made there (its user, its kubeconfig), redeemed by kubeadm join on $node, kubelet.conf written" \
  eval 'in_order "^kubeadm token create .*--print-join-command" "^kubeadm join 127\\.0\\.0\\.1:$CP_API_PORT " &&
    test "$(calls_since | grep -c "^kubeadm token create")" = 1 &&
    in_vm_bench "$vm" "grep -qx -- --token /var/lib/kubeadm-standin/join-args && test -f /etc/kubernetes/kubelet.conf"'
calls_mark
cv_playbook join-again.log join.yml "${one_node[@]}" || vm_die "join.yml (second run) failed"
check "join again: changed=0" test "$(cv_recap join-again.log "$node" changed)" = 0
check "... and no new kubeadm call, here or on the control-plane host" calls_lack '^kubeadm '
cp_state "s['nodes']['$node']['labels'].update($(jq -c .labels <<<"$operator")); s['nodes']['$node']['taints'] += $(jq -c .taints <<<"$operator")"
# What runs on the node: the DaemonSets' pods the API server made when the node registered (the
# CNI's among them: Ready $daemonset_ready s after each kubelet start) and an application pod under a
# ReplicaSet, with a disruption budget that allows one.
cp_state "s['pods'].append({'namespace': 'apps', 'name': '$app_pod', 'nodeName': '$node', 'owner': {'kind': 'ReplicaSet', 'name': '${app_pod%-*}'}, 'labels': {'app': 'web'}})
s['pdbs'] = [{'namespace': 'apps', 'name': 'web', 'selector': {'app': 'web'}, 'maxUnavailable': 1}]"
ds_pods=$(cp_read "print(' '.join(sorted(p['name'] for p in s['pods'] if p.get('nodeName') == '$node' and (p.get('owner') or {}).get('kind') == 'DaemonSet')))")
check "... the node's DaemonSet pods were made when it registered ($ds_pods)" test -n "$ds_pods"

cv_log "the model changes: Kubernetes $new_minor, the bench label's value, the pool label and the quiet taint dropped"
model_change
cv_playbook worker-new.log worker.yml "${from_role[@]}" "${one_node[@]}" || vm_die "worker.yml with the model's versions failed"
check "worker.yml on the joined node: kubelet stays at $old_kubelet (not $new_kubelet)" test "$(installed kubelet)" = "$old_kubelet"
check "... the repositories stay at v$old_minor" sources_at "$old_minor" "$old_crio"
check "... and the run points to upgrade.yml" log_has worker-new.log 'run ansible/playbooks/upgrade.yml'
check "... the kubelet's flags carry the model's labels now, the Node keeps the old ones (registration only)" \
  flags_moved_node_kept

# ---------------------------------------------------------------- 2. control plane not upgraded yet
cv_log "2. control plane at $old_v: upgrade.yml must refuse"
calls_mark
if cv_playbook refused.log upgrade.yml "${one_node[@]}"; then check "upgrade.yml refuses a target past the control plane" false; else
  check "upgrade.yml refuses a target past the control plane" log_has refused.log "it would run kubelet ${new_v#v}, and older than it: kube-apiserver on $first_cp \\(${old_v}\\)"
fi
check "... before cordoning or changing anything" no_change_calls
check "... and no label or taint call" no_label_calls
check "... kubelet still $old_kubelet, repositories still v$old_minor, node schedulable" untouched

cv_log "2b. a mixed-version control plane: the VIP's API server at $new_v, another kube-apiserver at $old_v"
cp_versions "$new_v" "$last_cp" "$old_v"
calls_mark
if cv_playbook mixed.log upgrade.yml "${one_node[@]}"; then check "upgrade.yml refuses while one API server is older than the target" false; else
  check "upgrade.yml refuses while one API server is older than the target, naming it" \
    log_has mixed.log "and older than it: kube-apiserver on $last_cp \\($old_v\\)\\. The control plane runs .*${new_v}.* \\(kube-apiserver on $first_cp, "
fi
check "... before cordoning or changing anything" no_change_calls
check "... kubelet still $old_kubelet, repositories still v$old_minor, node schedulable" untouched

ahead_v=v1.$((${new_minor#*.} + 2)).0
cv_log "2c. the control plane two minors past the target ($ahead_v): kubeadm's rule"
cp_versions "$ahead_v"
calls_mark
if cv_playbook ahead.log upgrade.yml "${one_node[@]}"; then check "upgrade.yml refuses a control plane two minors above the target's kubeadm" false; else
  check "upgrade.yml refuses a control plane two minors above the target's kubeadm (kubeadm's rule)" \
    log_has ahead.log "kubeadm ${new_kubeadm%-*} works with a control plane at its own minor version or the next .*runs $ahead_v"
fi
check "... before cordoning or changing anything" no_change_calls
check "... kubelet still $old_kubelet, repositories still v$old_minor, node schedulable" untouched

# ---------------------------------------------------------------- 3. dry run
cp_versions "$new_v"
cv_log "3. control plane at $new_v: upgrade.yml --check --diff"
calls_mark
cv_playbook dry-run.log upgrade.yml "${one_node[@]}" --check --diff || check "dry run succeeds" false
check "dry run: shows the repository switch v$old_minor -> v$new_minor" dry_run_diff
check "... and the packages' versions ($old_kubelet -> $new_kubelet)" log_has dry-run.log "kubelet $old_kubelet -> $new_kubelet"
check "... changes nothing: no cordon, drain or kubeadm call, no package" no_change_calls
check "... says which labels and taints it would reconcile, and calls nothing" \
  dry_run_labels
check "... kubelet still $old_kubelet, repositories still v$old_minor, node schedulable" untouched

fleet_report report-before
check "fleet report before the rollout: exits 1, the worker's kubelet $old_v and its packages differ from the model" \
  report_is report-before 1 '(.matchesModel | not) and $row.kubelet == "'"$old_v"'" and $row.packages.kubelet == "'"$old_kubelet"'"
    and ($row.differs | any(startswith("kubelet '"$old_v"' running"))) and ($row.differs | any(startswith("kubelet package")))
    and ($row.cordoned | not) and $row.upgrading == null'

cv_log "3b. a CRI-O pin that no repository has ($bad_crio)"
calls_mark
if cv_playbook bad-pin-dry.log upgrade.yml "${one_node[@]}" --check --extra-vars "crio_package_version=$bad_crio"; then
  check "the dry run proves the pins: a missing one fails it" false
else
  check "the dry run proves the pins: a missing one fails it, before the cordon" log_has bad-pin-dry.log "dry run, nothing was changed.*Refused to upgrade $node before cordoning it.*$bad_crio"
fi
check "... and changes nothing" untouched
calls_mark
if cv_playbook bad-pin.log upgrade.yml "${one_node[@]}" --extra-vars "crio_package_version=$bad_crio"; then check "a bad pin is refused" false; else
  check "a bad pin is refused before the cordon, naming the step" log_has bad-pin.log "Refused to upgrade $node before cordoning it: the step Download the model.?s packages failed"
fi
check "... no annotate, cordon, drain, kubeadm or package call; the node schedulable" refused_before_cordon
check "... the message names the hold state and the sources" log_has bad-pin.log "still schedulable and .* are still held at their installed versions; its APT sources .* point at Kubernetes v$new_minor"

cv_log "3c. drains that cannot finish: a pod without a controller, then a disruption budget that allows none"
cp_state "s['pods'].append({'namespace': 'default', 'name': 'debug-shell', 'nodeName': '$node', 'owner': None})"
calls_mark
if cv_playbook drain-bare.log upgrade.yml "${one_node[@]}"; then check "a pod without a controller stops the drain" false; else
  check "a pod without a controller stops the drain, with kubectl's message" \
    log_has drain-bare.log "drain of $node did not finish: cannot delete Pods that declare no controller \\(use --force to override\\): default/debug-shell"
fi
check "... and says what to do (delete it, or run it under a controller; then rerun)" \
  log_has drain-bare.log 'never forces it away: delete it, or run it under a controller .* Then run the same command again'
check "... the node uncordoned and its mark removed, after cordon and drain" \
  in_order "^kubectl annotate --overwrite node $node $annotation=" "^kubectl cordon $node\$" "^kubectl drain $node " "^kubectl uncordon $node\$" "^kubectl annotate node $node $annotation- $cordoned_mark-\$"
check "... nothing installed, no kubeadm; packages held at the old versions; the node schedulable" drain_refused
check "... the message says so" log_has drain-bare.log "$node was uncordoned and its upgrade mark removed: nothing on it was changed"

cp_state "s['pods'] = [p for p in s['pods'] if p['name'] != 'debug-shell']; s['pdbs'][0]['maxUnavailable'] = 0"
calls_mark
if cv_playbook drain-pdb.log upgrade.yml "${one_node[@]}" --extra-vars "upgrade_drain_timeout=$short_drain"; then
  check "a disruption budget that allows no eviction stops the drain at its timeout" false
else
  check "a disruption budget that allows no eviction stops the drain at its timeout, with kubectl's message" \
    log_has drain-pdb.log "drain of $node did not finish: error when evicting pods/$app_pod -n apps: global timeout reached: $short_drain"
fi
check "... after retrying the eviction for the whole timeout (profile_tasks' timing)" \
  log_has drain-pdb.log 'Drain the node -+ (2[0-9]|[3-9][0-9])\.[0-9]+s'
check "... and says what to do (the budgets, a longer timeout; then rerun)" \
  log_has drain-pdb.log "PodDisruptionBudget refused an eviction for $short_drain .*upgrade_drain_timeout=.* Then run the same command again"
check "... the node uncordoned and its mark removed; nothing installed; packages held" drain_refused
check "... the pod still on the node" cluster_has "[p for p in s['pods'] if p['name'] == '$app_pod' and p['nodeName'] == '$node']"
cp_state "s['pdbs'][0]['maxUnavailable'] = 1"

# ---------------------------------------------------------------- 4. a failing step
cv_log "4. all three workers, the second ($node): kubeadm upgrade node told to fail"
in_vm_bench "$vm" 'mkdir -p /etc/lolice-standin && echo "kubeadm upgrade node" >/etc/lolice-standin/fail'
# An operator cordoned the node (maintenance) before this run: it is to stay cordoned.
cp_state "s['nodes']['$node']['unschedulable'] = True"
calls_mark
if cv_playbook failed.log upgrade.yml; then check "a failing kubeadm upgrade node fails the rollout" false; else
  check "a failing kubeadm upgrade node fails the rollout, naming the step" log_has failed.log 'stopped at the step Run kubeadm upgrade node'
fi
check "... and saying how to resume" log_has failed.log 'resume with the same command'
check "... the node stays cordoned, marked by the upgrade as cordoned before it" \
  node_is "n['spec'].get('unschedulable') and n['metadata']['annotations'].get('$annotation') == '${new_v#v}' and n['metadata']['annotations'].get('$cordoned_mark') == 'true'"
check "... no uncordon, kubelet not touched ($old_kubelet), kubeadm already $new_kubeadm" failed_state
check "... its four packages held again" eval 'have=$(packages) && packages_are "$have" "$held_all"'
check "... and the message names the hold state and the sources" log_has failed.log "Packages \\(name, selection, version\\): .*kubelet hold $old_kubelet.*point at Kubernetes v$new_minor"
check "serial 1: $first_peer, first in the inventory, upgraded in this run before $node was cordoned" \
  in_order "^kubectl cordon $first_peer\$" "^kubectl drain $first_peer " "^kubectl uncordon $first_peer\$" "^kubectl cordon $node\$"
check "... and it stays upgraded: packages at the model's versions, held, Ready at $new_v, schedulable, unmarked" \
  peer_upgraded peer1 "$first_peer"
check "$last_peer, after the failed node, untouched: no call names it; old packages and repositories; schedulable" \
  peer_untouched peer3 "$last_peer"
first_mark=$mark first_cp_mark=$cp_mark after_failed_cp_mark=$(cp_calls | wc -l)
fleet_report report-failed
check "fleet report after the failure: exits 1, the worker cordoned, its upgrade to ${new_v#v} not finished" \
  report_is report-failed 1 '$row.cordoned and $row.upgrading == "'"${new_v#v}"'" and ($row.differs | any(test("not finished")))
    and $row.packages.kubeadm == $pins.kubeadm and $row.packages.kubelet == "'"$old_kubelet"'"'

cv_log "4b. a kubeadm of the failed run still running"
# A process named kubeadm, as one that outlived its run would be.
in_vm_bench "$vm" 'install -D /bin/sleep /usr/local/lib/lolice-stale/kubeadm && systemd-run --quiet --unit=lolice-stale-kubeadm /usr/local/lib/lolice-stale/kubeadm 900'
calls_mark
if cv_playbook stale-kubeadm.log upgrade.yml; then check "a running kubeadm stops the rerun" false; else
  check "a running kubeadm stops the rerun, naming it" log_has stale-kubeadm.log "A kubeadm is still running on $node \\([0-9]+ /usr/local/lib/lolice-stale/kubeadm 900\\)"
fi
check "... before any change: no cordon, drain, kubeadm or package call" no_change_calls
in_vm_bench "$vm" 'systemctl stop lolice-stale-kubeadm'
# The failed node's kubelet is down as well (NotReady): the rerun resumes it all the same.
in_vm_bench "$vm" 'systemctl stop kubelet'
# The API server marks it NotReady when no heartbeat came within its grace (20 s).
not_ready_soon() { local _; for _ in $(seq 40); do node_is "n['status']['conditions'][0]['status'] != 'True'" && return 0; sleep 2; done; return 1; }
check "the node NotReady before the resume (its heartbeats stopped)" not_ready_soon

# ---------------------------------------------------------------- 5. resume
cv_log "5. resume"
in_vm_bench "$vm" 'rm /etc/lolice-standin/fail'
# The stand-in unattended-upgrade takes the package lock for $lock_hold s as the playbook starts.
in_vm_bench "$vm" "echo $lock_hold >/etc/lolice-standin/unattended-upgrade-seconds && systemd-run --quiet --unit=lolice-unattended-upgrade /usr/local/sbin/unattended-upgrade"
in_vm_bench "$vm" 'for _ in $(seq 30); do grep -q "unattended-upgrade took the dpkg lock" /var/log/lolice-standin/calls.log && exit 0; sleep 1; done; exit 1' ||
  vm_die "the stand-in unattended-upgrade did not take the lock"
cv_playbook resumed.log upgrade.yml || vm_die "upgrade.yml (resume, the package lock held for $lock_hold s) failed"
check "the run waited for the package lock (held for $lock_hold s), then changed the packages" \
  in_order "unattended-upgrade took the dpkg lock" "unattended-upgrade released the dpkg lock" "^dpkg "
check "... the lock wait took a while (profile_tasks' timing)" \
  log_has resumed.log 'Wait until no other process holds the package lock -+ [1-9][0-9]+\.[0-9]+s'
mark=$first_mark cp_mark=$first_cp_mark
check "order: mark, cordon, drain, kubeadm $new_kubeadm, kubeadm upgrade node (failed); resumed: kubeadm upgrade node, kubelet/kubectl/CRI-O, restarts, uncordon" \
  in_order "^kubectl annotate --overwrite node $node $annotation=${new_v#v} $cordoned_mark=true\$" "^kubectl cordon $node\$" "^kubectl drain $node --ignore-daemonsets .*--timeout=" \
  "^dpkg configure kubeadm $new_kubeadm\$" "^kubeadm upgrade node  # FAILED" \
  "^kubectl cordon $node\$" "^kubectl drain $node " "^kubeadm upgrade node\$" \
  "^dpkg configure (kubelet $new_kubelet|kubectl $new_kubectl|cri-o $new_crio\.)" "^dpkg configure (kubelet $new_kubelet|kubectl $new_kubectl|cri-o $new_crio\.)" \
  "^dpkg configure (kubelet $new_kubelet|kubectl $new_kubectl|cri-o $new_crio\.)" \
  "^crio config\$" "^crio started $new_crio\." "^kubelet started $new_kubelet\$" "^kubectl get node $node " \
  "^kubectl get pods --all-namespaces --field-selector spec.nodeName=$node " "^kubectl annotate node $node $annotation- $cordoned_mark-\$"
check "... CRI-O started once at $new_crio, after crio config read its configuration (the package restarted nothing)" \
  test "$(calls_since | grep -c "^crio started $new_crio\.")" = 1
check "... no policy-rc.d left behind" in_vm_bench "$vm" 'test ! -e /usr/sbin/policy-rc.d'
check "drain bounded by the playbook's timeout ($drain_timeout), each pod given $grace_period s to stop" drained_within
check "... the application pod evicted from it (given $grace_period s), the DaemonSets' left ($ds_pods)" \
  cluster_has "' '.join(sorted(p['name'] for p in s['pods'] if p.get('nodeName') == '$node')) == '$ds_pods'
    and {'pod': 'apps/$app_pod', 'node': '$node', 'gracePeriodSeconds': $grace_period} in s.get('evictions', [])"
check "... the uncordon waited until the node's DaemonSet pod was Ready ($daemonset_ready s after the kubelet started)" \
  log_has resumed.log "Wait until the node.?s DaemonSet pods are Ready -+ ([1-9][0-9]+)\.[0-9]+s"
check "... the upgrade ran with the new kubeadm ($new_kubeadm)" in_vm_bench "$vm" "grep -qx '$new_kubeadm' /var/lib/kubeadm-standin/upgraded-by"
after_state() {
  node_is "n['status']['nodeInfo']['kubeletVersion'] == '$new_v' and n['status']['conditions'][0]['status'] == 'True' and n['spec'].get('unschedulable') and not set(n['metadata']['annotations']) & {'$annotation', '$cordoned_mark'}" &&
    calls_lack "^kubectl uncordon $node\$" && log_has resumed.log "$node was cordoned before the upgrade and stays cordoned"
}
check "after: $node Ready at $new_v, still cordoned (the operator's cordon), both marks removed, and the run says so" after_state
check "... packages at the model's versions and held; repositories at v$new_minor" upgraded_state
check "reconcile, after the upgrade, through the control plane: dropped label removed, changed value set, dropped taint removed, taints set" \
  in_order "^kubectl annotate node $node $annotation- " "^kubectl label node $node ${prefix}pool-\$" "^kubectl label --overwrite node $node ${prefix}bench=false\$" \
  "^kubectl taint node $node ${prefix}quiet:PreferNoSchedule-\$" "^kubectl taint --overwrite node $node ${prefix}bench=false:NoSchedule\$"
check "... the Node has the model's labels and taints, and the operator's" registered_as "$CONVERGE_WORK/test-vars.yml" "$operator"

check "$last_peer upgraded after $node, one node at a time" \
  in_order "^kubectl annotate node $node $annotation- $cordoned_mark-\$" "^kubectl cordon $last_peer\$" "^kubectl drain $last_peer " "^kubectl uncordon $last_peer\$"
check "... at the model's versions, held, Ready at $new_v, schedulable, unmarked" peer_upgraded peer3 "$last_peer"
left_alone() {
  local calls
  calls=$(cp_mark=$after_failed_cp_mark cp_since) || return 2
  ! grep -Eq "^kubectl (cordon|drain) $first_peer( |\$)" <<<"$calls"
}
check "$first_peer not upgraded again: no cordon or drain of it after step 4" left_alone
# The operator's maintenance is over.
cp_state "s['nodes']['$node']['unschedulable'] = False"
fleet_report report-after
check "fleet report after the rollout: exits 0, the worker at the model's versions, Ready, not cordoned" \
  report_is report-after 0 '.matchesModel and $row.kubelet == "'"$new_v"'" and $row.packages.kubelet == $pins.kubelet and $row.ready == "True"
    and ($row.cordoned | not) and $row.differs == []'

cv_log "5b. the mark left behind (its removal failed after the uncordon)"
cp_state "s['nodes']['$node']['annotations']['$annotation'] = '${new_v#v}'"
calls_mark
cv_playbook finish.log upgrade.yml || check "the rerun finishes the upgrade" false
check "the rerun only removes the mark: no cordon, drain, kubeadm or package call" \
  eval 'calls_lack "^kubectl (cordon|drain)|^kubeadm|^dpkg" && calls_has "^kubectl annotate node $node $annotation- $cordoned_mark-\$"'
check "... and says so" log_has finish.log "$node is at Kubernetes ${new_v#v} and Ready, but still marked by an earlier run: it is uncordoned and its mark removed; nothing is drained"
check "... the node schedulable, unmarked, at $new_v" node_is "not n['spec'].get('unschedulable') and '$annotation' not in n['metadata']['annotations'] and n['status']['nodeInfo']['kubeletVersion'] == '$new_v'"

# ---------------------------------------------------------------- 6. nothing left to do
cv_log "6. second run"
calls_mark
cv_playbook again.log upgrade.yml || vm_die "upgrade.yml (second run) failed"
unchanged_all() { local w; for w in "${workers[@]}"; do test "$(cv_recap again.log "${vm_node[$w]}" changed)" = 0 || return 1; done; }
check "second run: changed=0 on all three workers" unchanged_all
check "... $node skipped as already at ${new_v#v}" log_has again.log "$node: already at Kubernetes ${new_v#v}"
check "... only read: no cordon, drain, kubeadm or package" no_change_calls
check "... and no label or taint call" no_label_calls

# ---------------------------------------------------------------- 7. replace and rejoin
cv_log "7. replace.yml, then join.yml over a stale Node object"
calls_mark
cv_playbook replace.log replace.yml --limit "$node" || vm_die "replace.yml failed"
check "replace: drain, kubeadm reset on the old system, then the Node object deleted" \
  in_order "^kubectl drain $node " "^kubeadm reset --force\$" "^kubectl delete node $node "
check "... the node is gone from the cluster and its kubelet.conf from the system" replaced
# The old system's Node object, as it stays when that system is gone: cordoned, marked.
cp_state "s['nodes']['$node'] = {'unschedulable': True, 'annotations': {'$annotation': 'stale'}, 'labels': {}, 'taints': [], 'ready': False}"
calls_mark
cv_playbook rejoin.log join.yml || vm_die "join.yml over a stale Node object failed"
check "rejoin: the stale Node object is deleted before kubeadm join" in_order "^kubectl delete node $node " "^kubeadm join "
check "... $node is back under its name: Ready at $new_v, schedulable, no stale annotation" \
  node_is "n['status']['nodeInfo']['kubeletVersion'] == '$new_v' and n['status']['conditions'][0]['status'] == 'True' and not n['spec'].get('unschedulable') and not n['metadata']['annotations']"
check "... registered with the model's labels and taints of now" registered_as "$CONVERGE_WORK/test-vars.yml"
cv_poweroff "$vm"

t_summary
