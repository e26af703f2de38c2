# shellcheck shell=bash
# A node's builds in the image bucket, for flash-image.sh (sourced after common.sh):
#   --list-builds --node N            every dated build: id, build time, commit, Kubernetes and
#                                     CRI-O versions (from its image-info.json), which one is
#                                     latest and which one is known-good
#   --mark-known-good ID --node N     makes build ID the node's known-good build, with the
#                                     operator's own AWS credentials: removes the bucket's expiry
#                                     tag from its objects (the lifecycle keeps it), writes the
#                                     pointer object beside latest/, and tags the build it replaces
#                                     for expiry again
#   --known-good                      (with the flashing options) flashes the known-good build
# Everything read from the bucket is hostile: size-capped, parsed by jq only, every value
# checked against a strict pattern before it is printed, compared or used in a key. The key
# layout and the tag come from generated/image-locations.json ($LOCATIONS).

readonly BUILD_ID_RE='^[0-9]{8}-[0-9a-f]{7}$'
readonly ISO_TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
readonly INFO_MAX_BYTES=$((16 << 20)) POINTER_MAX_BYTES=1024
BUILDS_ARGS=()

# builds_dispatch ARGS...: runs --list-builds or --mark-known-good and exits; turns --known-good
# into --build <id> in BUILDS_ARGS; otherwise BUILDS_ARGS is ARGS.
builds_dispatch() {
  local action='' mark='' a
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
  [[ -n $action ]] || return 0
  [[ -n $b_node ]] || die "$EX_USAGE" "--node is required"
  require_cmd jq
  b_locations
  case $action in
    list | mark)
      b_tmp=$(mktemp -d)
      trap 'rm -rf "$b_tmp"' EXIT
      if [[ $action == list ]]; then builds_list; else builds_mark "$mark"; fi
      exit 0 ;;
    known-good)
      local id
      id=$(b_known_good) || exit $?
      [[ -n $id ]] || die "$EX_NOINPUT" "$b_node has no known-good build yet (mark one: flash-image.sh --node $b_node --mark-known-good <build>)"
      log "known-good build of $b_node: $id"
      BUILDS_ARGS+=(--build "$id") ;;
  esac
}

# b_locations: bucket, prefix, region and the key layout, from $LOCATIONS unless given.
b_locations() {
  [[ -r $LOCATIONS ]] || die "$EX_NOINPUT" "cannot read $LOCATIONS (run npx projen)"
  jq -e --arg n "$b_node" '.nodes | index($n)' "$LOCATIONS" >/dev/null ||
    die "$EX_USAGE" "unknown node $b_node; images exist for: $(jq -r '.nodes | join(", ")' "$LOCATIONS")"
  b_bucket=${b_bucket:-$(jq -r .bucket "$LOCATIONS")}
  b_prefix=${b_prefix:-$(jq -r .prefix "$LOCATIONS")}
  b_region=${b_region:-$(jq -r .region "$LOCATIONS")}
  b_tag_key=$(jq -er .expiryTag.key "$LOCATIONS") b_tag_value=$(jq -er .expiryTag.value "$LOCATIONS") ||
    die "$EX_DATAERR" "$LOCATIONS has no expiryTag (run npx projen)"
  local t
  for t in latest build knownGood; do
    jq -er ".keys.$t" "$LOCATIONS" >/dev/null || die "$EX_DATAERR" "$LOCATIONS has no keys.$t (run npx projen)"
  done
  [[ -z $b_source || -d $b_source ]] || die "$EX_NOINPUT" "--source-dir $b_source: not a directory"
}

# b_key latest|build|knownGood [BUILD]: a key of the node, from the layout in $LOCATIONS.
b_key() {
  local key
  key=$(jq -r ".keys.$1" "$LOCATIONS")
  key=${key//\{prefix\}/$b_prefix}
  key=${key//\{node\}/$b_node}
  echo "${key//\{build\}/${2:-}}"
}

b_aws() {
  local -a cmd=(aws "$@" --region "$b_region")
  [[ -z $b_endpoint ]] || cmd+=(--endpoint-url "$b_endpoint")
  "${cmd[@]}"
}

# b_get KEY DEST MAX_BYTES: copies an object (or the --source-dir file) to DEST; 1 when absent,
# dies when larger than MAX_BYTES.
b_get() {
  local key=$1 dest=$2 max=$3
  if [[ -n $b_source ]]; then
    [[ -f $b_source/$key ]] || return 1
    cp -- "$b_source/$key" "$dest"
  else
    b_aws s3 cp --only-show-errors "s3://$b_bucket/$key" "$dest" >/dev/null 2>&1 || return 1
  fi
  (($(stat -c %s "$dest") <= max)) || die "$EX_DATAERR" "s3://$b_bucket/$key is larger than $max bytes: refusing it"
}

# b_list_json PREFIX [DELIMITER]: list-objects-v2 as JSON ({CommonPrefixes, Contents}).
b_list_json() {
  local prefix=$1 delimiter=${2:-}
  if [[ -n $b_source ]]; then
    local dir=$b_source/$prefix
    [[ -d $dir ]] || { echo '{}'; return; }
    if [[ -n $delimiter ]]; then
      find "$dir" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | jq -R --arg p "$prefix" '{Prefix: ($p + . + "/")}' | jq -s '{CommonPrefixes: .}'
    else
      find "$dir" -type f -printf '%P\n' | jq -R --arg p "$prefix" '{Key: ($p + .)}' | jq -s '{Contents: .}'
    fi
    return
  fi
  local -a args=(s3api list-objects-v2 --bucket "$b_bucket" --prefix "$prefix" --output json)
  [[ -z $delimiter ]] || args+=(--delimiter "$delimiter")
  local out
  out=$(b_aws "${args[@]}") || die "$EX_NOINPUT" "listing s3://$b_bucket/$prefix failed"
  echo "${out:-{\}}"
}

# b_build_ids: the node's dated build ids, oldest first; listed entries that are not a build id
# are reported and left out.
b_build_ids() {
  local builds json
  builds=$(b_key build @)
  builds=${builds%@/}
  json=$(b_list_json "$builds" /)
  jq -e 'type == "object" and ((.CommonPrefixes // []) | type == "array")' <<<"$json" >/dev/null ||
    die "$EX_DATAERR" "the listing of s3://$b_bucket/$builds is not what S3 returns"
  jq -r --arg p "$builds" '(.CommonPrefixes // [])[] | .Prefix | select(type == "string") | ltrimstr($p) | rtrimstr("/")' <<<"$json" |
    while IFS= read -r id; do
      if [[ $id =~ $BUILD_ID_RE ]]; then echo "$id"; else log "warning: ignoring $(printf '%q' "$builds$id") (not a build id)"; fi
    done | sort
}

# b_info_fields FILE [BUILD]: "<buildTime> <commit7> <kubernetes> <crio> <build id>" of a
# valid image-info.json of the node (the build id is made of its build date and commit, as the
# image workflow makes it; with BUILD, it must be that id); nothing and status 1 otherwise.
b_info_fields() {
  local file=$1 id=${2:-}
  jq -er --arg n "$b_node" --arg id "$id" --arg iso "$ISO_TIME_RE" '
    select(type == "object"
      and .node == $n
      and (.buildTime | type == "string" and test($iso))
      and (.gitCommit | type == "string" and test("^[0-9a-f]{7,40}$"))
      and (.kubernetesVersion | type == "string" and test("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.+~]+)?$"))
      and (.crioVersion | type == "string" and test("^[0-9]+\\.[0-9]+(\\.[0-9]+)?(-[0-9A-Za-z.+~]+)?$"))
      and (.image | type == "object" and (.sha256 | type == "string" and test("^[0-9a-f]{64}$"))))
    | ((.buildTime[0:10] | gsub("-"; "")) + "-" + .gitCommit[0:7]) as $made
    | select($id == "" or $id == $made)
    | "\(.buildTime) \(.gitCommit[0:7]) \(.kubernetesVersion) \(.crioVersion) \($made)"' "$file" 2>/dev/null
}

# b_known_good: the build id the node's known-good pointer names (nothing when there is none).
b_known_good() {
  local tmp
  tmp=$(mktemp)
  if ! b_get "$(b_key knownGood)" "$tmp" "$POINTER_MAX_BYTES"; then rm -f "$tmp"; return 0; fi
  local id
  id=$(jq -er --arg n "$b_node" --arg iso "$ISO_TIME_RE" '
    select(type == "object" and (keys == ["build", "markedAt", "node"]) and .node == $n
      and (.build | type == "string") and (.markedAt | type == "string" and test($iso))) | .build' "$tmp" 2>/dev/null) || id=''
  rm -f "$tmp"
  [[ $id =~ $BUILD_ID_RE ]] || die "$EX_DATAERR" "the known-good pointer $(b_key knownGood) is not valid: refusing it (mark a build again)"
  echo "$id"
}

builds_list() {
  local tmp=$b_tmp id ids fields latest='' known latest_seen=0
  if b_get "$(b_key latest)image-info.json" "$tmp/latest.json" "$INFO_MAX_BYTES"; then
    if fields=$(b_info_fields "$tmp/latest.json"); then
      latest=${fields##* }
    else
      log "warning: $(b_key latest)image-info.json is not valid: no build is shown as latest"
    fi
  fi
  known=$(b_known_good) || exit $?
  ids=$(b_build_ids) || exit $?
  printf '%-18s %-21s %-8s %-16s %-12s %s\n' BUILD BUILT COMMIT KUBERNETES CRI-O ''
  while IFS= read -r id; do
    [[ -n $id ]] || continue
    local marks=''
    if ! b_get "$(b_key build "$id")image-info.json" "$tmp/$id.json" "$INFO_MAX_BYTES"; then
      printf '%-18s %s\n' "$id" '(no image-info.json)'
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
  done <<<"$ids"
  [[ -z $known ]] && log "no known-good build yet (flash-image.sh --node $b_node --mark-known-good <build>)"
  if [[ -n $latest ]] && ((!latest_seen)); then log "warning: latest/ is build $latest, which is not among the dated builds"; fi
  return 0
}

# b_build_keys ID: the keys of build ID's objects (checked: under its prefix, plain file names).
b_build_keys() {
  local prefix json
  prefix=$(b_key build "$1")
  json=$(b_list_json "$prefix")
  jq -e 'type == "object" and ((.Contents // []) | type == "array")' <<<"$json" >/dev/null ||
    die "$EX_DATAERR" "the listing of s3://$b_bucket/$prefix is not what S3 returns"
  jq -r '(.Contents // [])[] | .Key | select(type == "string")' <<<"$json" | while IFS= read -r key; do
    [[ ${key#"$prefix"} != "$key" && ${key#"$prefix"} =~ ^[A-Za-z0-9._-]+$ ]] ||
      die "$EX_DATAERR" "unexpected object $(printf '%q' "$key") under $prefix: refusing to touch the build"
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
  b_get "$(b_key build "$id")image-info.json" "$tmp/info.json" "$INFO_MAX_BYTES" ||
    die "$EX_NOINPUT" "no build $id of $b_node (flash-image.sh --list-builds --node $b_node)"
  b_info_fields "$tmp/info.json" "$id" >/dev/null ||
    die "$EX_DATAERR" "build $id: its image-info.json is not valid for $b_node and this build id: not marking it"
  previous=$(b_known_good) || exit $?
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
