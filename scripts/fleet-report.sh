#!/usr/bin/env bash
# The fleet report: the model's versions against what every node runs. See usage().
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
readonly LOCATIONS=${LOLICE_IMAGE_LOCATIONS:-$repo/generated/image-locations.json}
readonly LOG_PREFIX=fleet-report
readonly NODE_NAME_RE='^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$here/lib/common.sh"
# shellcheck source=lib/fetch.sh source-path=SCRIPTDIR
source "$here/lib/fetch.sh"
# shellcheck source=lib/builds.sh source-path=SCRIPTDIR
source "$here/lib/builds.sh"

usage() {
  cat <<'EOF'
Usage: fleet-report.sh [--format table|json] [--no-known-good] [--source-dir DIR]
                       [--limit NODES] [--inventory FILE] [--extra-vars VARS]

One row per node of the model and of the cluster: the running kubelet, the installed kubeadm,
the running CRI-O, Ready and cordoned, the image build the node was flashed with (its build
record, /etc/lolice/build.json) and the node's known-good build (its pointer in the image
bucket), and what differs from the model (versions, a package installed but not running, a
node missing from the cluster or from the model, an unfinished upgrade, an unreachable worker).
It reads, never changes: ansible/playbooks/fleet-report.yml collects over SSH and kubectl on
the first control-plane node, as the other playbooks do (ANSIBLE_CONFIG is set to
ansible/ansible.cfg, the production inventory unless --inventory).

  --format table      for people (default); json: the same report for scripts (nodes[],
                      each with its differences, and matchesModel)
  --no-known-good     do not read the known-good pointers (no AWS access needed)
  --source-dir DIR    read the pointers from a local copy of the bucket (as flash-image.sh)
  --endpoint-url URL  passed to `aws` (an S3-compatible endpoint)
  --limit NODES, --inventory FILE, --extra-vars VARS
                      passed to ansible-playbook (a limited report leaves out the check for
                      nodes that are in the cluster but not in the model)
  -h, --help          this text

A known-good cell "-" means no pointer was found (none marked, or not readable with your AWS
credentials); "?" a pointer that is not valid. A value that is not what it should be (a version
that is no version) is shown as "?" and counts as a difference.
Exit codes: 0 the fleet matches the model, 1 it differs (the rows say how), 64 usage,
69 the fleet could not be read (a missing command, the API or the playbook failed).
EOF
}

opts_parse() {
  format=table known_good=1 source_dir='' endpoint='' ansible_args=()
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --no-known-good) known_good=0 ;;
      --format | --source-dir | --endpoint-url | --limit | --inventory | -i | --extra-vars | -e)
        (($# >= 2)) || die "$EX_USAGE" "$1 needs a value"
        case $1 in
          --format)
            [[ $2 == table || $2 == json ]] || die "$EX_USAGE" "--format $2: expected table or json"
            format=$2 ;;
          --source-dir) source_dir=$2 ;;
          --endpoint-url) endpoint=$2 ;;
          *) ansible_args+=("$1" "$2") ;;
        esac
        shift ;;
      *) usage >&2; die "$EX_USAGE" "unknown argument: $1" ;;
    esac
    shift
  done
}

# collect: runs the playbook; what it collected is in $tmp/facts.json.
collect() {
  ANSIBLE_CONFIG=$repo/ansible/ansible.cfg ANSIBLE_NOCOLOR=1 ansible-playbook --extra-vars "fleet_report_facts=$tmp/facts.json" \
    "${ansible_args[@]}" "$repo/ansible/playbooks/fleet-report.yml" </dev/null >"$tmp/ansible.log" 2>&1 || true
  if [[ ! -s $tmp/facts.json ]]; then
    tail -n 30 "$tmp/ansible.log" >&2
    die "$EX_UNAVAILABLE" "could not read the fleet (ansible/playbooks/fleet-report.yml failed; its last lines are above)"
  fi
}

# known_good_lines NODE...: "NODE ID" for each node ("NODE" alone: no pointer; "NODE ?": a pointer
# that is not valid, or the bucket's layout unknown). builds.sh dies on a bad pointer: each node's
# lookup is a subshell of its own.
known_good_lines() (
  b_node=$1 b_bucket='' b_prefix='' b_region='' b_endpoint=$endpoint b_source=$source_dir
  if ! (b_locations) 2>>"$tmp/known-good.log"; then
    log "warning: the known-good builds cannot be read: $(tail -n 1 "$tmp/known-good.log")"
    printf '%s ?\n' "$@"
    return
  fi
  b_locations
  local node id
  for node in "$@"; do
    # b_known_good sets B_KNOWN_GOOD (empty: no pointer) and dies on a pointer that is not valid.
    if id=$(b_node=$node && b_known_good 2>>"$tmp/known-good.log" && echo "$B_KNOWN_GOOD"); then echo "$node${id:+ $id}"; else
      log "warning: the known-good pointer of $node is not valid"
      echo "$node ?"
    fi
  done
)

# known_good_map: {node: build id | null | "?"} of the workers in the facts, as JSON.
known_good_map() {
  local -a nodes
  mapfile -t nodes < <(jq -r '.workers[]' "$tmp/facts.json" | grep -E "$NODE_NAME_RE")
  if ((!known_good || ${#nodes[@]} == 0)); then echo '{}'; return; fi
  if [[ -z $source_dir ]] && ! command -v aws >/dev/null; then
    log "warning: no aws command: the known-good builds are not read (--no-known-good says so quietly)"
    printf '%s ?\n' "${nodes[@]}"
  else
    known_good_lines "${nodes[@]}"
  fi | jq -R -n '[inputs | split(" ") | {(.[0]): (.[1] // null)}] | add // {}'
}

main() {
  opts_parse "$@"
  require_cmd ansible-playbook jq
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  collect
  jq --argjson known "$(known_good_map)" -f "$here/lib/fleet-report.jq" "$tmp/facts.json" >"$tmp/report.json" ||
    die "$EX_UNAVAILABLE" "the collected facts are not what fleet-report.yml writes"
  if [[ $format == json ]]; then cat "$tmp/report.json"; else jq -r -f "$here/lib/fleet-table.jq" "$tmp/report.json"; fi
  jq -e .matchesModel "$tmp/report.json" >/dev/null
}

main "$@"
