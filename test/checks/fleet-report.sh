#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose
# Checks of scripts/fleet-report.sh (the report, its exit codes, hostile values), with a STAND-IN
# for ansible-playbook that writes, where fleet-report.yml would, the facts a real run collects
# (test/e2e/upgrade.sh runs the real playbook against VMs). The model's side comes from the
# generated group_vars and inventory; the known-good pointers from a local copy of the bucket
# (--source-dir, laid out as generated/image-locations.json says).
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh

scratch=$(mktemp -d "${TMPDIR:-/tmp}/fleet-report.XXXXXX")
T_OUTPUT=$scratch/out.log # expect_exit's, read by the checks after it
trap '[[ -n ${KEEP:-} ]] || rm -rf "$scratch"' EXIT
inventory=ansible/inventories/production
yaml() { python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$1"; }
gv=$(yaml "$inventory/group_vars/workers.yml")
hosts=$(yaml "$inventory/hosts.yml")
workers=$(jq -c '.all.children.workers.hosts | keys' <<<"$hosts")
control=$(jq -c '.all.children.control_plane.hosts | keys' <<<"$hosts")
kubelet=$(jq -r .kubernetes_kubelet_version <<<"$gv") crio=$(jq -r .crio_package_version <<<"$gv")
target=v${kubelet%-*} crio_running=v${crio%-*}
first=$(jq -r '.[0]' <<<"$workers") second=$(jq -r '.[1] // .[0]' <<<"$workers")

# The facts of a fleet at the model (as fleet-report.yml writes them), every worker flashed with
# its own image; `edit JQ` changes them for one case.
jq -n --argjson gv "$gv" --argjson w "$workers" --argjson cp "$control" --arg v "$target" --arg cr "$crio_running" '
  def node: {ready: "True", unschedulable: false, kubeletVersion: $v, containerRuntimeVersion: ("cri-o://" + $cr[1:]), upgrading: ""};
  {model: {kubernetes: {minor: $gv.kubernetes_version, kubeadm: $gv.kubernetes_kubeadm_version, kubelet: $gv.kubernetes_kubelet_version,
                        kubectl: $gv.kubernetes_kubectl_version}, crio: {minor: $gv.crio_version, package: $gv.crio_package_version}},
   workers: $w, allWorkers: true, controlPlane: $cp,
   nodes: ([($w + $cp)[] | {(.): node}] | add),
   hosts: ([$w[] | {(.): {reachable: true, joined: true, buildProblem: "",
            packages: {kubelet: $gv.kubernetes_kubelet_version, kubeadm: $gv.kubernetes_kubeadm_version,
                       kubectl: $gv.kubernetes_kubectl_version, "cri-o": $gv.crio_package_version},
            build: {buildId: "20260101-0123abc", gitCommit: ("0123abc" + "0" * 33), node: .}}}] | add)}' >"$scratch/at-model.json"
edit() { jq "$1" "$scratch/at-model.json" >"$scratch/facts.json"; }
fails() { ! "$@"; }

# STAND-IN for ansible-playbook: checks that it is asked for fleet-report.yml, logs its arguments,
# copies $scratch/facts.json to the fleet_report_facts path it is given (a failing run writes none).
mkdir -p "$scratch/bin"
cat >"$scratch/bin/ansible-playbook" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$*" >>"$scratch/ansible.args"
[[ \${!#} == */ansible/playbooks/fleet-report.yml ]] || { echo "stand-in: not fleet-report.yml: \${!#}" >&2; exit 2; }
[[ -e $scratch/fail ]] && { echo 'fatal: [shanghai]: UNREACHABLE! => {"msg": "Connection timed out"}'; exit 4; }
for a in "\$@"; do [[ \$a == fleet_report_facts=* ]] && cp "$scratch/facts.json" "\${a#fleet_report_facts=}"; done
exit 0
EOF
chmod +x "$scratch/bin/ansible-playbook"
report() { PATH=$scratch/bin:$PATH bash scripts/fleet-report.sh --source-dir "$scratch/bucket" "$@"; }
# save_json: the JSON report of the facts, for `row` and `json`.
save_json() { report --format json >"$scratch/report.json" 2>/dev/null || true; }
json() { cat "$scratch/report.json"; }
# row NODE JQ: the saved JSON report's row of NODE satisfies JQ.
# An empty report (the script failed) fails it: jq -e alone passes on no input.
row() { test -s "$scratch/report.json" && jq -e --arg n "$1" "[.nodes[] | select(.name == \$n)] | length == 1 and (.[0] | $2)" "$scratch/report.json" >/dev/null; }

# Known-good pointers: the first worker has one, the second a hostile one.
pointer() {
  local k
  k=$(jq -r .keys.knownGood generated/image-locations.json)
  k=${k//\{prefix\}/$(jq -r .prefix generated/image-locations.json)} k=${k//\{node\}/$1}
  mkdir -p "$scratch/bucket/$(dirname "$k")"
  printf '%s' "$2" >"$scratch/bucket/$k"
}
pointer "$first" "{\"node\": \"$first\", \"build\": \"20251201-00aabbc\", \"markedAt\": \"2025-12-01T00:00:00Z\"}"

edit .
expect_exit 0 'the fleet matches the model' "a fleet at the model: exit 0, the table says it matches" report
save_json
check "... one row per node of the model: every worker and control-plane node" \
  test "$(json | jq -c '[.nodes[].name]')" = "$(jq -c -n --argjson w "$workers" --argjson c "$control" '$w + $c')"
check "... each worker's row: kubelet $target, kubeadm and CRI-O at the model's, Ready, its image build" \
  row "$first" ".kubelet == \"$target\" and .crioRunning == \"$crio_running\" and .ready == \"True\" and .imageBuild == \"20260101-0123abc\""
check "... the known-good build read from its pointer; none for a node without one" \
  row "$first" '.knownGood == "20251201-00aabbc"'
check "... the JSON for scripts says matchesModel" test "$(json | jq .matchesModel)" = true
check "... and ansible-playbook got fleet-report.yml with the facts path" grep -q 'fleet_report_facts=.* .*ansible/playbooks/fleet-report.yml$' "$scratch/ansible.args"

pointer "$second" '{"node": "x", "build": "$(reboot)", "markedAt": "now"}'
expect_exit 0 '' "a hostile known-good pointer is no difference from the model" report
save_json
check "... it is shown as ?, never its content" row "$second" '.knownGood == "?"'
check "... and the table has no trace of it" fails grep -q 'reboot' "$scratch/out.log"

# differs NODE PATTERN: the JSON report of the last run (expect_exit's output) has a difference
# matching PATTERN on the row of NODE, and does not match the model.
differs() {
  jq -e --arg n "$1" --arg p "$2" '.matchesModel == false and ([.nodes[] | select(.name == $n) | .differs[] | test($p)] | any)' \
    "$scratch/out.log" >/dev/null
}
case_differs() { # case_differs DESCRIPTION NODE PATTERN JQ-EDIT
  edit "$4"
  expect_exit 1 "$3" "$1: exit 1" report --format json --no-known-good
  check "... on $2's row: $3; matchesModel false" differs "$2" "$3"
}
case_differs "a worker whose kubelet still runs the previous version" "$first" "kubelet v1\\.0\\.0 running \\(model: $target\\)" \
  ".nodes[\"$first\"].kubeletVersion = \"v1.0.0\""
case_differs "a package not at its pin" "$first" "kubeadm package 1\\.0\\.0-1\\.1 \\(model: $kubelet\\)" \
  ".hosts[\"$first\"].packages.kubeadm = \"1.0.0-1.1\""
case_differs "CRI-O upgraded but not restarted" "$first" "CRI-O v1\\.0\\.0 running, its package is $crio \\(not restarted\\)" \
  ".nodes[\"$first\"].containerRuntimeVersion = \"cri-o://1.0.0\""
case_differs "a NotReady worker" "$first" 'not Ready' ".nodes[\"$first\"].ready = \"False\""
case_differs "an upgrade left unfinished (the mark of upgrade.yml)" "$first" "its upgrade to ${target#v} is not finished" \
  ".nodes[\"$first\"].upgrading = \"${target#v}\" | .nodes[\"$first\"].unschedulable = true"
expect_exit 1 "^$first .* Ready,SchedulingDisabled " "... the table: its status is Ready,SchedulingDisabled" report --no-known-good
case_differs "a worker of the model that has not joined" "$first" 'not in the cluster' "del(.nodes[\"$first\"])"
case_differs "a worker that does not answer" "$first" 'unreachable' ".hosts[\"$first\"] = {reachable: false, packages: {}, joined: false, build: null, buildProblem: \"\"}"
# A node flashed before images recorded their build: Ansible writes its none as "". Any other
# value that is not an object is read the same way: no build record, never a failure.
for value in '""' '"x"' '[]' '7'; do
  edit ".hosts[\"$first\"].build = $value | .hosts[\"$second\"].packages = $value"
  save_json
  check "a build record (and packages) that is $value: the row says none, the report is made" \
    row "$first" '.buildRecord == "none" and .imageBuild == null'
done
case_differs "a node flashed with another node's image" "$first" "flashed with the image of $second" \
  ".hosts[\"$first\"].build.node = \"$second\""
case_differs "a node in the cluster that the model does not have" 'lolice-stray-9' 'in the cluster, not in the model' \
  '.nodes["lolice-stray-9"] = .nodes[.workers[0]]'
case_differs "a control-plane node at another version" "$(jq -r '.[0]' <<<"$control")" "kubelet v9\\.9\\.9 running" \
  ".nodes[\"$(jq -r '.[0]' <<<"$control")\"].kubeletVersion = \"v9.9.9\""

edit ".nodes[\"$first\"].kubeletVersion = \"\\u001b]0;owned\\u0007v1\" | .hosts[\"$first\"].packages.kubelet = \"1.0; rm -rf /\""
expect_exit 1 'kubelet \? running' "values that are no version (an escape sequence, a command) are a difference" report --no-known-good
check "... shown as ?, never printed" fails grep -Eq $'\e|rm -rf' "$scratch/out.log"
edit '.nodes["lolice-stray-9"] = .nodes[.workers[0]] | .allWorkers = false'
expect_exit 0 '' "a limited run (--limit) does not call the other nodes of the cluster strays" report --limit "$first"
check "... and passes --limit to ansible-playbook" grep -q -- "--limit $first" "$scratch/ansible.args"

edit . && touch "$scratch/fail"
expect_exit 69 'could not read the fleet' "the playbook fails (the API unreachable): exit 69, its last lines shown" report
check "... with Ansible's own message" grep -q 'UNREACHABLE' "$scratch/out.log"
rm "$scratch/fail"
expect_exit 64 'expected table or json' "--format xml is a usage error" report --format xml
expect_exit 64 'unknown argument: --check' "an option it does not know is a usage error (it only reads)" report --check

t_summary
