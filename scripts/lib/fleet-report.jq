# The fleet report of scripts/fleet-report.sh: what ansible/playbooks/fleet-report.yml collected
# (the input) against the model's versions in it: one row per node, each with what differs.
# $known: {node: build id | null (no pointer) | "?" (not readable)}, the known-good pointers.
# Every value read from a node or the cluster is shown or compared only when it matches the
# pattern of what it should be; anything else becomes null ("?" in the table: a difference).

def safe($re): if type == "string" and length <= 128 and test($re) then . else null end;
def kube_version: safe("^v[0-9]+\\.[0-9]+\\.[0-9]+$");
def deb_version: safe("^[0-9][0-9A-Za-z.+~:-]*$");
def build_id: safe("^([0-9]{8}-[0-9a-f]{7}|local)$");
def node_name: safe("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
def upstream: sub("-[^-]*$"; "");
# A pin is a version, or an apt glob ending in "*" (as role kubernetes_components reads it).
def at_pin($pin): . != null and (. == $pin or (($pin | endswith("*")) and startswith($pin[:-1])));
def shown: if . == null then "?" else . end;
# An object, or null for anything else (Ansible writes a fact that is none as "").
def object_or_null: if type == "object" then . else null end;

.model as $m
| ($m.kubernetes.kubelet | upstream) as $target
| {kubelet: $m.kubernetes.kubelet, kubeadm: $m.kubernetes.kubeadm, kubectl: $m.kubernetes.kubectl, "cri-o": $m.crio.package} as $pins
| .nodes as $nodes
| .hosts as $hosts
| ([.workers[], .controlPlane[]]) as $modelled
# What the API says of a node (null fields when it has no Node object).
| def cluster_row($name; $role):
    ($nodes[$name] // null) as $n
    | {name: $name, role: $role, inCluster: ($n != null),
       kubelet: ($n.kubeletVersion | kube_version),
       crioRunning: ($n.containerRuntimeVersion // "" | sub("^cri-o://"; "v") | kube_version),
       ready: ($n.ready // null | safe("^(True|False|Unknown)$")),
       cordoned: ($n.unschedulable == true),
       upgrading: ($n.upgrading // "" | safe("^[0-9]+\\.[0-9]+\\.[0-9]+$"))};
  def cluster_differs:
    if .inCluster | not then ["not in the cluster"]
    else [ (if .kubelet != "v" + $target then "kubelet \(.kubelet | shown) running (model: v\($target))" else empty end),
           (if .ready != "True" then "not Ready" else empty end),
           (if .upgrading != null then "its upgrade to \(.upgrading) is not finished (upgrade.yml resumes it)" else empty end) ]
    end;
  def worker_row($w):
    ($hosts[$w] | object_or_null // {}) as $h
    | ($h.build | object_or_null) as $build
    | ($h.packages | object_or_null // {}) as $installed
    | cluster_row($w; "worker")
    | .reachable = ($h.reachable == true)
    | .packages = ($pins | with_entries(.value = ($installed[.key] // null | deb_version)))
    | .imageBuild = ($build.buildId // null | build_id)
    | .imageNode = ($build.node // null | node_name)
    | .imageCommit = ($build.gitCommit // null | safe("^[0-9a-f]{40}$"))
    | .buildRecord = (if ($h.buildProblem // "") != "" then "invalid" elif $build == null then "none" else "ok" end)
    | .knownGood = ($known[$w] // null | if . == "?" then "?" else build_id end)
    | .differs = (cluster_differs + (
        if .reachable | not then ["unreachable: packages and build record not read"]
        else [ (.packages | to_entries[] | select(.key as $k | .value | at_pin($pins[$k]) | not)
                | "\(.key) package \(.value // "not installed") (model: \($pins[.key]))"),
               (if .inCluster and .crioRunning != null and .packages["cri-o"] != null
                   and .crioRunning != "v" + (.packages["cri-o"] | upstream)
                then "CRI-O \(.crioRunning) running, its package is \(.packages["cri-o"]) (not restarted)" else empty end),
               (if .imageNode != null and .imageNode != $w then "flashed with the image of \(.imageNode)" else empty end) ]
        end));
  [ .workers[] | node_name | select(. != null) | worker_row(.) ]
  + [ .controlPlane[] | node_name | select(. != null) | cluster_row(.; "control-plane") | .differs = cluster_differs ]
  + (if .allWorkers then
       [ $nodes | keys[] | node_name | select(. != null and (. as $x | $modelled | index($x) | not))
         | cluster_row(.; "unknown") | .differs = ["in the cluster, not in the model"] ]
     else [] end)
| {model: {kubernetes: $m.kubernetes, crio: $m.crio}, nodes: ., matchesModel: (map(.differs | length) | add == 0)}
