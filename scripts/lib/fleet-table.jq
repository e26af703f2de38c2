# The fleet report (fleet-report.jq's output) as a table for people: a line with the model's
# versions, one row per node, and a closing line. Cells are padded to their column's width.
def cell: if . == null then "-" else tostring end;
def pad($w): . + (" " * ($w - length));
def status:
  if .inCluster | not then "-"
  else ({"True": "Ready", "False": "NotReady", "Unknown": "Unknown"}[.ready // "Unknown"] // "?")
       + (if .cordoned then ",SchedulingDisabled" else "" end) end;
def image: if .buildRecord == "invalid" then "?" else .imageBuild | cell end;

. as $r
| ["NODE", "ROLE", "KUBELET", "KUBEADM", "CRI-O", "STATUS", "IMAGE BUILD", "KNOWN-GOOD", "DIFFERS"] as $head
| [$r.nodes[] | [.name, .role, (.kubelet | cell), (.packages.kubeadm | cell), (.crioRunning | cell), status, image,
                 (.knownGood | cell), (if .differs == [] then "-" else .differs | join("; ") end)]] as $rows
| [range(0; ($head | length) - 1) as $i | ([$head[$i], $rows[][$i]] | map(length) | max)] as $widths
| "model: kubelet, kubeadm, kubectl \($r.model.kubernetes.kubelet) (Kubernetes \($r.model.kubernetes.minor)); CRI-O \($r.model.crio.package) (\($r.model.crio.minor))",
  (([$head] + $rows)[] | [to_entries[] | .key as $k | if $k < ($widths | length) then .value | pad($widths[$k]) else .value end] | join("  ")),
  (([$r.nodes[] | select(.differs != [])] | length) as $bad
   | if $bad == 0 then "the fleet matches the model: \($r.nodes | length) nodes"
     else "the fleet differs from the model: \($bad) of \($r.nodes | length) nodes" end)
