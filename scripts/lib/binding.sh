# shellcheck shell=bash
# shellcheck disable=SC2154 # work, node, build, allow_older, INFO: flash-image.sh's
# Which build flash-image.sh writes (sourced after builds.sh): the build asked for, and no other.
# After its image-info.json is verified, its build date and commit must give the build id asked
# for, by the rule the image workflow names builds with and --list-builds shows them by; for
# `latest`, that build must be the newest under builds/ and no older than the known-good one. An
# attacker who can write to the bucket (but cannot run the image workflow on the model's branch)
# can copy an older attested build anywhere: into another build's directory (refused by the
# binding), or into latest/ (refused by the latest check).

# build_bind: binds the verified copy $work/image-info.json to the build asked for ($build):
# sets build_id and built, or exits 65 naming both builds.
build_bind() {
  local fields
  fields=$(build_id_of "$work/image-info.json" "$node") ||
    die "$EX_DATAERR" "image-info.json gives no build id of $node (build time, commit): refusing it"
  build_id=${fields%% *} built=${fields#* }
  if [[ $build == latest ]]; then
    builds_latest_check "$work" "$build_id" "$built" "$allow_older"
  elif [[ $build_id != "$build" ]]; then
    die "$EX_DATAERR" "the files of ${BUILDS_KNOWN_GOOD:+the known-good }build $build are build $build_id (built $built, commit ${INFO[commit]}): refusing them"
  fi
}

# build_id_of INFO NODE: the build id that INFO, an image-info.json of NODE, gives by the rule the
# image workflow names builds with (builds.sh's BUILD_ID_JQ, --list-builds's too), and its build
# time: "<id> <buildTime>"; status 1 when INFO does not give one.
build_id_of() {
  jq -er --arg n "$2" --arg iso "$ISO_TIME_RE" "$BUILD_ID_JQ"' build_id as $id | "\($id) \(.buildTime)"' "$1" 2>/dev/null
}

# builds_latest_check DIR ID BUILT ALLOW_OLDER: latest/ holds build ID, built at BUILT. It must be
# no older than the known-good build and the newest build under builds/; otherwise one line names
# both and it exits 65, or, with ALLOW_OLDER=1, warns. Only the known-good build and the builds
# dated on or after ID's day have their image-info.json read; one that is refused or not valid
# for its own id is passed over (these files can only make latest/ refused, never accepted).
# Copies go under DIR, a private directory of the caller.
builds_latest_check() {
  local dir=$1/builds id=$2 built=$3 allow=$4 other fields newer='' newer_id='' newer_at=''
  mkdir -m 0700 "$dir"
  b_known_good
  if [[ -n $B_KNOWN_GOOD && $B_KNOWN_GOOD != "$id" ]]; then
    if ! b_get "$(b_key build "$B_KNOWN_GOOD")image-info.json" "$dir/known.json" "$INFO_MAX_BYTES" ||
      ! fields=$(b_info_fields "$dir/known.json" "$B_KNOWN_GOOD"); then
      die "$EX_DATAERR" "the known-good build $B_KNOWN_GOOD has no valid image-info.json: cannot tell whether latest/ ($id) is older; flash --build $id or --known-good"
    fi
    if [[ ${fields%% *} > $built ]]; then newer="the known-good build $B_KNOWN_GOOD" newer_id=$B_KNOWN_GOOD newer_at=${fields%% *}; fi
  fi
  if [[ -z $newer ]]; then
    while IFS= read -r other; do
      [[ -n $other && $other != "$id" ]] || continue
      [[ ${other%-*} > ${id%-*} || ${other%-*} == "${id%-*}" ]] || break
      b_get "$(b_key build "$other")image-info.json" "$dir/$other.json" "$INFO_MAX_BYTES" || continue
      fields=$(b_info_fields "$dir/$other.json" "$other") || continue
      if [[ ${fields%% *} > ${newer_at:-$built} ]]; then newer="build $other under builds/" newer_id=$other newer_at=${fields%% *}; fi
    done < <(b_build_ids)
  fi
  [[ -n $newer ]] || return 0
  local what="latest/ holds build $id, built $built; $newer was built later, at $newer_at"
  ((allow)) || die "$EX_DATAERR" "$what: refusing latest/ (flash --build $newer_id, or pass --allow-older)"
  log "warning: $what; writing it anyway (--allow-older)"
}
