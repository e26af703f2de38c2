# shellcheck shell=bash
# A node's builds in the image bucket, for flash-image.sh (sourced after common.sh and fetch.sh):
#   --list-builds --node N [--limit K]  the node's newest K dated builds (default BUILDS_LIST_LIMIT),
#                                     newest first: id, build time, commit, Kubernetes and CRI-O
#                                     versions (from its image-info.json), which one is latest and
#                                     which one is known-good
#   --mark-known-good ID --node N     makes build ID the node's known-good build, with the
#                                     operator's own AWS credentials: removes the bucket's expiry
#                                     tag from its objects (the lifecycle keeps it), writes the
#                                     pointer object beside latest/, and tags the build it replaces
#                                     for expiry again
#   --known-good                      (with the flashing options) flashes the known-good build
# (binding.sh holds the flashing helper's rule that binds a build id to its files.) Everything read from the bucket is hostile: copied once and size-capped
# (fetch.sh), parsed by jq only, every value checked against a strict pattern before it is
# printed, compared or used in a key; a listed name with a control character, or outside the
# prefix listed, is dropped with one line saying so. The key layout and the tag come from
# generated/image-locations.json ($LOCATIONS).

readonly BUILD_ID_RE='^[0-9]{8}-[0-9a-f]{7}$'
readonly ISO_TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
# The rule the image workflow names a build by (its build date and commit, YYYYMMDD-<sha7>), as a
# jq definition over an image-info.json: `build_id` is empty unless node ($n), build time and
# commit are in form. --list-builds shows builds by it; flash-image.sh binds a build's files to it.
# shellcheck disable=SC2016 # a jq program
readonly BUILD_ID_JQ='def build_id: if type == "object" and .node == $n
  and (.buildTime | type == "string" and test($iso)) and (.gitCommit | type == "string" and test("^[0-9a-f]{7,40}$"))
  then (.buildTime[0:10] | gsub("-"; "")) + "-" + .gitCommit[0:7] else empty end;'
readonly INFO_MAX_BYTES=$((16 << 20)) POINTER_MAX_BYTES=1024
# How many builds --list-builds shows (and reads an image-info.json of) unless --limit says otherwise.
readonly BUILDS_LIST_LIMIT=10
BUILDS_ARGS=() BUILDS_KNOWN_GOOD=''

# builds_dispatch ARGS...: runs --list-builds or --mark-known-good and exits; turns --known-good
# into --build <id> in BUILDS_ARGS; otherwise BUILDS_ARGS is ARGS.
builds_dispatch() {
  local action='' mark='' limit='' a
  BUILDS_ARGS=()
  b_node='' b_bucket='' b_prefix='' b_region='' b_endpoint='' b_source=''
  while (($#)); do
    a=$1
    case $a in
      --list-builds) action=list ;;
      --known-good) action=${action:-known-good} ;;
      --mark-known-good)
        (($# >= 2)) || die "$EX_USAGE" "$a needs a build id"
        action=mark mark=$2; shift ;;
      --limit)
        (($# >= 2)) || die "$EX_USAGE" "$a needs a number"
        limit=$2; shift ;;
      --node | --bucket | --prefix | --region | --endpoint-url | --source-dir)
        (($# >= 2)) || die "$EX_USAGE" "$a needs a value"
        case $a in
          --node) b_node=$2 ;; --bucket) b_bucket=$2 ;; --prefix) b_prefix=$2 ;;
          --region) b_region=$2 ;; --endpoint-url) b_endpoint=$2 ;; --source-dir) b_source=$2 ;;
        esac
        BUILDS_ARGS+=("$a" "$2"); shift ;;
      *) BUILDS_ARGS+=("$a") ;;
    esac
    shift
  done
  [[ -z $limit || $action == list ]] || die "$EX_USAGE" "--limit goes with --list-builds"
  [[ -z $limit || $limit =~ ^[1-9][0-9]{0,3}$ ]] || die "$EX_USAGE" "--limit $limit: expected a number from 1 to 9999"
  [[ -n $action ]] || return 0
  [[ -n $b_node ]] || die "$EX_USAGE" "--node is required"
  require_cmd jq
  b_locations
  case $action in
    list | mark)
      b_tmp=$(mktemp -d)
      trap 'rm -rf "$b_tmp"' EXIT
      if [[ $action == list ]]; then builds_list "${limit:-$BUILDS_LIST_LIMIT}"; else builds_mark "$mark"; fi
      exit 0 ;;
    known-good)
      local id
      b_known_good
      id=$B_KNOWN_GOOD
      [[ -n $id ]] || die "$EX_NOINPUT" "$b_node has no known-good build yet (mark one: flash-image.sh --node $b_node --mark-known-good <build>)"
      log "known-good build of $b_node: $id"
      # shellcheck disable=SC2034 # binding.sh names it
      BUILDS_KNOWN_GOOD=$id
      BUILDS_ARGS+=(--build "$id") ;;
  esac
}

# b_locations: bucket, prefix, region, the key layout and the expiry tag, from $LOCATIONS (one
# read) unless given; the settings of fetch.sh.
declare -A B_KEYS=()
b_locations() {
  [[ -r $LOCATIONS ]] || die "$EX_NOINPUT" "cannot read $LOCATIONS (run npx projen)"
  local known bucket prefix region latest build known_good
  known=$(jq -r --arg n "$b_node" 'if .nodes | index($n) then "" else .nodes | join(", ") end' "$LOCATIONS")
  [[ -z $known ]] || die "$EX_USAGE" "unknown node $b_node; images exist for: $known"
  IFS=$'\t' read -r bucket prefix region b_tag_key b_tag_value latest build known_good < <(jq -r '
    [.bucket, .prefix, .region, .expiryTag.key, .expiryTag.value, .keys.latest, .keys.build, .keys.knownGood]
    | if all(type == "string" and length > 0) then @tsv else "" end' "$LOCATIONS") || true
  [[ -n $known_good ]] || die "$EX_DATAERR" "$LOCATIONS lacks a bucket, prefix, region, expiryTag or keys (run npx projen)"
  B_KEYS=([latest]=$latest [build]=$build [knownGood]=$known_good)
  b_bucket=${b_bucket:-$bucket} b_prefix=${b_prefix:-$prefix} b_region=${b_region:-$region}
  [[ -z $b_source || -d $b_source ]] || die "$EX_NOINPUT" "--source-dir $b_source: not a directory"
  # shellcheck disable=SC2034 # fetch.sh's settings
  FETCH_SOURCE=$b_source FETCH_BUCKET=$b_bucket FETCH_REGION=$b_region FETCH_ENDPOINT=$b_endpoint
}

# b_key latest|build|knownGood [BUILD]: a key of the node, from the layout in $LOCATIONS.
b_key() {
  local key=${B_KEYS[$1]}
  key=${key//\{prefix\}/$b_prefix}
  key=${key//\{node\}/$b_node}
  echo "${key//\{build\}/${2:-}}"
}

b_aws() { fetch_aws "$@"; }

# b_get KEY DEST MAX_BYTES: copies an object (or the --source-dir file) to DEST; 1 when absent,
# 2 when refused: larger than MAX_BYTES, a symbolic link or not a regular file (fetch_copy).
b_get() { fetch_copy "$@"; }

# b_list_json PREFIX [DELIMITER]: list-objects-v2 as JSON ({CommonPrefixes, Contents}); from a
# --source-dir, the same shape, names passed NUL-separated (a newline in one is kept, not split on).
b_list_json() {
  local prefix=$1 delimiter=${2:-}
  if [[ -n $b_source ]]; then
    local dir=$b_source/$prefix
    [[ -d $dir ]] || { echo '{}'; return; }
    if [[ -n $delimiter ]]; then
      find "$dir" -mindepth 1 -maxdepth 1 -type d -printf '%f\0' |
        jq -Rs --arg p "$prefix" --arg d "$delimiter" '{CommonPrefixes: [split("\u0000")[] | select(length > 0) | {Prefix: ($p + . + $d)}]}'
    else
      find "$dir" -type f -printf '%P\0' | jq -Rs --arg p "$prefix" '{Contents: [split("\u0000")[] | select(length > 0) | {Key: ($p + .)}]}'
    fi
    return
  fi
  local -a args=(s3api list-objects-v2 --bucket "$b_bucket" --prefix "$prefix" --output json)
  [[ -z $delimiter ]] || args+=(--delimiter "$delimiter")
  local out
  out=$(b_aws "${args[@]}") || die "$EX_NOINPUT" "listing s3://$b_bucket/$prefix failed"
  echo "${out:-{\}}"
}

# b_build_ids: the node's dated build ids, newest first. A listed prefix with a control
# character, outside the builds' prefix, or that is not a build id is dropped with one line
# saying so (its name quoted as JSON).
b_build_ids() {
  local builds json kind value
  builds=$(b_key build @)
  builds=${builds%@/}
  json=$(b_list_json "$builds" /)
  jq -e 'type == "object" and ((.CommonPrefixes // []) | type == "array")' <<<"$json" >/dev/null ||
    die "$EX_DATAERR" "the listing of s3://$b_bucket/$builds is not what S3 returns"
  jq -r --arg p "$builds" '(.CommonPrefixes // [])[] | .Prefix
    | if type != "string" then "bad\tnot a string: \(tojson | .[0:100])"
      elif explode | any(. < 32 or . == 127) then "bad\t\(tojson | .[0:100]) holds a control character"
      elif startswith($p) | not then "bad\t\(tojson | .[0:100]) is outside \($p | tojson)"
      elif .[($p | length):] | test("^[0-9]{8}-[0-9a-f]{7}/$") then "ok\t\(.[($p | length):-1])"
      else "bad\t\(tojson | .[0:100]) is not a build id" end' <<<"$json" |
    while IFS=$'\t' read -r kind value; do
      if [[ $kind == ok && $value =~ $BUILD_ID_RE ]]; then echo "$value"; else log "warning: ignoring a listed prefix: $value"; fi
    done | sort -r
}

# b_info_fields FILE [BUILD]: "<buildTime> <commit7> <kubernetes> <crio> <build id>" of a
# valid image-info.json of the node (the build id is made of its build date and commit, as the
# image workflow makes it; with BUILD, it must be that id); nothing and status 1 otherwise.
b_info_fields() {
  local file=$1 id=${2:-}
  jq -er --arg n "$b_node" --arg id "$id" --arg iso "$ISO_TIME_RE" "$BUILD_ID_JQ"'
    build_id as $made
    | select((.kubernetesVersion | type == "string" and test("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.+~]+)?$"))
      and (.crioVersion | type == "string" and test("^[0-9]+\\.[0-9]+(\\.[0-9]+)?(-[0-9A-Za-z.+~]+)?$"))
      and (.image | type == "object" and (.sha256 | type == "string" and test("^[0-9a-f]{64}$"))))
    | select($id == "" or $id == $made)
    | "\(.buildTime) \(.gitCommit[0:7]) \(.kubernetesVersion) \(.crioVersion) \($made)"' "$file" 2>/dev/null
}

# b_known_good: B_KNOWN_GOOD, the build id the node's known-good pointer names (empty when
# there is none); exits 65 when the pointer is not valid.
B_KNOWN_GOOD=''
b_known_good() {
  local dir id
  B_KNOWN_GOOD=''
  local status=0
  dir=$(mktemp -d)
  b_get "$(b_key knownGood)" "$dir/pointer" "$POINTER_MAX_BYTES" || status=$?
  ((status == 0)) || rm -rf "$dir"
  ((status != 2)) || die "$EX_DATAERR" "the known-good pointer: $FETCH_WHY: refusing it"
  ((status == 0)) || return 0
  id=$(jq -er --arg n "$b_node" --arg iso "$ISO_TIME_RE" '
    select(type == "object" and (keys == ["build", "markedAt", "node"]) and .node == $n
      and (.build | type == "string") and (.markedAt | type == "string" and test($iso))) | .build' "$dir/pointer" 2>/dev/null) || id=''
  rm -rf "$dir"
  [[ $id =~ $BUILD_ID_RE ]] || die "$EX_DATAERR" "the known-good pointer $(b_key knownGood) is not valid: refusing it (mark a build again)"
  B_KNOWN_GOOD=$id
}

# builds_list LIMIT: the table of the newest LIMIT builds; one image-info.json read per build shown.
builds_list() {
  local limit=$1 tmp=$b_tmp id ids fields latest='' known latest_seen=0 total
  if b_get "$(b_key latest)image-info.json" "$tmp/latest.json" "$INFO_MAX_BYTES"; then
    if fields=$(b_info_fields "$tmp/latest.json"); then
      latest=${fields##* }
    else
      log "warning: $(b_key latest)image-info.json is not valid: no build is shown as latest"
    fi
  fi
  b_known_good
  known=$B_KNOWN_GOOD
  ids=$(b_build_ids) || exit $?
  total=$(grep -c . <<<"$ids" || true)
  printf '%-18s %-21s %-8s %-16s %-12s %s\n' BUILD BUILT COMMIT KUBERNETES CRI-O ''
  while IFS= read -r id; do
    [[ -n $id ]] || continue
    local marks='' status=0
    b_get "$(b_key build "$id")image-info.json" "$tmp/$id.json" "$INFO_MAX_BYTES" || status=$?
    if ((status != 0)); then
      printf '%-18s %s\n' "$id" "$( ((status == 1)) && echo '(no image-info.json)' || echo '(image-info.json refused: not usable)')"
      ((status == 1)) || log "warning: $FETCH_WHY"
      continue
    fi
    if ! fields=$(b_info_fields "$tmp/$id.json" "$id"); then
      printf '%-18s %s\n' "$id" '(image-info.json not valid for this node and build: not usable)'
      continue
    fi
    local built commit k8s crio
    read -r built commit k8s crio _ <<<"$fields"
    [[ $id != "$latest" ]] || { marks+=' latest'; latest_seen=1; }
    [[ $id != "$known" ]] || marks+=' known-good'
    printf '%-18s %-21s %-8s %-16s %-12s%s\n' "$id" "$built" "$commit" "$k8s" "$crio" "$marks"
  done < <(head -n "$limit" <<<"$ids")
  ((total <= limit)) || log "$((total - limit)) older builds not shown (--limit $limit; --limit N shows more)"
  [[ -z $known ]] && log "no known-good build yet (flash-image.sh --node $b_node --mark-known-good <build>)"
  if [[ -n $latest ]] && ((!latest_seen && total <= limit)); then log "warning: latest/ is build $latest, which is not among the dated builds"; fi
  return 0
}

# b_build_keys ID: the keys of build ID's objects (checked: under its prefix, plain file names;
# a key with a control character refuses the whole build).
b_build_keys() {
  local prefix json kind key
  prefix=$(b_key build "$1")
  json=$(b_list_json "$prefix")
  jq -e 'type == "object" and ((.Contents // []) | type == "array")' <<<"$json" >/dev/null ||
    die "$EX_DATAERR" "the listing of s3://$b_bucket/$prefix is not what S3 returns"
  jq -r '(.Contents // [])[] | .Key
    | if type == "string" and (explode | all(. >= 32 and . != 127)) then "ok\t\(.)" else "bad\t\(tojson | .[0:100])" end' <<<"$json" |
    while IFS=$'\t' read -r kind key; do
      [[ $kind == ok && ${key#"$prefix"} != "$key" && ${key#"$prefix"} =~ ^[A-Za-z0-9._-]+$ ]] ||
        die "$EX_DATAERR" "unexpected object $([[ $kind == ok ]] && printf '%q' "$key" || echo "$key") under $prefix: refusing to touch the build"
      echo "$key"
    done
}

# b_tag_build ID expire|keep: puts the expiry tag on build ID's objects, or removes it.
b_tag_build() {
  local id=$1 how=$2 key keys n=0
  keys=$(b_build_keys "$id") || exit $?
  while IFS= read -r key; do
    [[ -n $key ]] || continue
    if [[ $how == keep ]]; then
      b_aws s3api delete-object-tagging --bucket "$b_bucket" --key "$key" >/dev/null
    else
      b_aws s3api put-object-tagging --bucket "$b_bucket" --key "$key" \
        --tagging "TagSet=[{Key=$b_tag_key,Value=$b_tag_value}]" >/dev/null
    fi || die "$EX_IOERR" "could not $([[ $how == keep ]] && echo remove || echo set) the expiry tag of s3://$b_bucket/$key"
    n=$((n + 1))
  done <<<"$keys"
  echo "$n"
}

builds_mark() {
  local id=$1 tmp=$b_tmp previous n
  [[ $id =~ $BUILD_ID_RE ]] || die "$EX_USAGE" "--mark-known-good $id: expected a build id YYYYMMDD-<7 hex digits>"
  [[ -z $b_source ]] || die "$EX_USAGE" "--mark-known-good writes to the bucket: not with --source-dir"
  require_cmd aws
  local status=0
  b_get "$(b_key build "$id")image-info.json" "$tmp/info.json" "$INFO_MAX_BYTES" || status=$?
  ((status != 1)) || die "$EX_NOINPUT" "no build $id of $b_node (flash-image.sh --list-builds --node $b_node)"
  ((status != 2)) || die "$EX_DATAERR" "build $id: $FETCH_WHY: not marking it"
  b_info_fields "$tmp/info.json" "$id" >/dev/null ||
    die "$EX_DATAERR" "build $id: its image-info.json is not valid for $b_node and this build id: not marking it"
  b_known_good
  previous=$B_KNOWN_GOOD
  n=$(b_tag_build "$id" keep) || exit $?
  log "build $id: expiry tag removed from its $n objects (the bucket's lifecycle keeps them)"
  jq -n --arg n "$b_node" --arg b "$id" --arg t "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '{node: $n, build: $b, markedAt: $t}' >"$tmp/known-good"
  b_aws s3api put-object --bucket "$b_bucket" --key "$(b_key knownGood)" --body "$tmp/known-good" \
    --content-type application/json >/dev/null || die "$EX_IOERR" "could not write s3://$b_bucket/$(b_key knownGood)"
  log "known-good of $b_node: $id (s3://$b_bucket/$(b_key knownGood))"
  if [[ -n $previous && $previous != "$id" ]]; then
    n=$(b_tag_build "$previous" expire) || exit $?
    log "the previous known-good build $previous is tagged for expiry again ($n objects)"
  fi
}
