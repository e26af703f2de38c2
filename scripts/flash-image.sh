#!/usr/bin/env bash
# Copies a worker image from S3, verifies the copies and writes them to a USB stick. See usage().
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly LOCATIONS=${LOLICE_IMAGE_LOCATIONS:-$here/../generated/image-locations.json}
readonly LOG_PREFIX=flash
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$here/lib/common.sh"
# shellcheck source=lib/sparse-image.sh source-path=SCRIPTDIR
source "$here/lib/sparse-image.sh"
# shellcheck source=lib/image-info.sh source-path=SCRIPTDIR
source "$here/lib/image-info.sh"
# shellcheck source=lib/fetch.sh source-path=SCRIPTDIR
source "$here/lib/fetch.sh"
# shellcheck source=lib/attestation.sh source-path=SCRIPTDIR
source "$here/lib/attestation.sh"
# shellcheck source=lib/writer.sh source-path=SCRIPTDIR
source "$here/lib/writer.sh"
# shellcheck source=lib/builds.sh source-path=SCRIPTDIR
source "$here/lib/builds.sh"
# shellcheck source=lib/binding.sh source-path=SCRIPTDIR
source "$here/lib/binding.sh"
# shellcheck source=lib/targets.sh source-path=SCRIPTDIR
source "$here/lib/targets.sh"

usage() {
  cat <<'EOF'
Usage: flash-image.sh --node NODE (--device DEV | --output FILE) [options]
       flash-image.sh --node NODE --list-builds [--limit N]
       flash-image.sh --node NODE --mark-known-good BUILD

Writes only what the model's image workflow built, on the model's branch, for NODE and the
build asked for. Every file is copied once into a private directory (mode 0700) and
size-capped; only the copies are checked and used, the source is never read again. In order:
  1. image-info.json against its schema (scripts/lib/image-info.schema.json);
  2. its GitHub artifact attestation, an identity: `gh attestation verify <copy> --bundle
     <copy> --repo <repository> --cert-identity <signer identity> --source-ref <ref>
     --predicate-type <type> --deny-self-hosted-runners --format json` (the signer identity
     is https://github.com/<repository>/.github/workflows/build-worker-images.yml@<ref>, the
     ref refs/heads/<the model's branch>: generated/image-locations.json), then gh's JSON
     result: that identity, ref and predicate type, and the SHA-256 of the copy;
  3. the build: its build date and commit must give the build id asked for (--build,
     --known-good); `latest` must be the newest build under builds/ and no older than the
     known-good one (else refused, unless --allow-older);
  4. the block map, the .zst and its .sha256 (exactly "<sha256>  <node>.img.zst"): the SHA-256
     of each copy against image-info.json and the attestation's subjects;
  5. while writing, the SHA-256 of every data segment against the frame index: on a mismatch
     it stops before the next segment, names the segment and exits 65.
Only the data frames of the frame index are decompressed, and only their segments are
written (bmaptool copy, checking every range, for an artifact without a frame index).

Target (one of):
  --device DEV        a whole removable disk (USB stick), e.g. /dev/sdb
  --output FILE       a regular file (the raw image, sparse); must not exist yet
Source:
  --build ID          `latest` (default) or a dated build YYYYMMDD-<sha7>
  --known-good        the node's known-good build (see --mark-known-good)
  --source-dir DIR    copy the files from DIR, laid out like the bucket
                      (DIR/<prefix>/<node>/latest/..., .../builds/<build>/...),
                      e.g. a local `aws s3 sync` copy, instead of S3; a file there that is
                      a symbolic link or not a regular file is refused
  --bucket NAME, --prefix KEY, --region NAME
                      default: generated/image-locations.json (from the model)
  --endpoint-url URL  passed to `aws` (an S3-compatible endpoint)
  --download-dir DIR  keep the verified copies in DIR after the write (default: removed)
Safety:
  --force             write to a disk that is not removable or is mounted/in use,
                      or overwrite an existing --output file
  --yes               do not ask for confirmation before writing to a device
  --verify-ranges     write with bmaptool, which checks every range against the block map's
                      SHA-256 while writing (slower: it decompresses the whole image)
  --allow-older       write `latest` even when a build under builds/ or the known-good build
                      is newer, after one warning
  --allow-unattested  write even when the attestation cannot be verified (no gh 2.67 or
                      later, no bundle, or verification fails) after one loud warning; every
                      other check still runs
  -h, --help          this text
Builds (scripts/lib/builds.sh):
  --list-builds       the node's dated builds, newest first, at most 10 (--limit N): id,
                      build time, commit, Kubernetes and CRI-O versions, and which one is
                      latest and which one is known-good
  --mark-known-good BUILD
                      make BUILD the node's known-good build, with your own AWS credentials:
                      the bucket's lifecycle then keeps its objects; the build it replaces
                      expires as any other

S3 access uses the aws CLI with your usual credentials (AWS_PROFILE, SSO, ...); the
attestation check needs the GitHub CLI, gh 2.67 or later (older ones can report a failed
verification as a success: CVE-2025-25204), and python3-jsonschema.
On failure or a signal (HUP, INT, USR1, PIPE, ALRM, TERM) the write in progress is stopped
first; an --output file that was not completely written and synced is then removed, a device
is left partly written (flash it again). One line says what was interrupted.
Exit codes: 64 usage, 65 checksum, attestation, build, metadata or corrupt artifact, 66
download failed, 69 missing command (or a gh older than 2.67), 74 write failed, 77 refused
(target not safe to write), 128 + the signal's number on a signal (SIGINT 130, SIGTERM 143).
EOF
}

# --- options -----------------------------------------------------------------

opts_parse() {
  node='' device='' output='' build=latest source_dir='' download_dir=''
  force=0 yes=0 verify_ranges=0 allow_unattested=0 allow_older=0 unattested=0
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --force) force=1 ;;
      --yes) yes=1 ;;
      --verify-ranges) verify_ranges=1 ;;
      --allow-unattested) allow_unattested=1 ;;
      --allow-older) allow_older=1 ;;
      --node | --device | --output | --build | --source-dir | --download-dir)
        (($# >= 2)) || die "$EX_USAGE" "$1 needs a value"
        local name=${1#--}
        printf -v "${name//-/_}" '%s' "$2"
        shift
        ;;
      # Read by builds_dispatch (builds.sh's b_locations).
      --bucket | --prefix | --region | --endpoint-url)
        (($# >= 2)) || die "$EX_USAGE" "$1 needs a value"
        shift
        ;;
      *) usage >&2; die "$EX_USAGE" "unknown argument: $1" ;;
    esac
    shift
  done
  [[ -n $node ]] || die "$EX_USAGE" "--node is required"
  [[ -n $device || -n $output ]] || die "$EX_USAGE" "give a target: --device DEV or --output FILE"
  [[ -z $device || -z $output ]] || die "$EX_USAGE" "give only one target: --device or --output"
  [[ $build == latest || $build =~ ^[0-9]{8}-[0-9a-f]{7}$ ]] ||
    die "$EX_USAGE" "--build $build: expected latest or YYYYMMDD-<7 hex digits>"
}

# locations_load: bucket, prefix, region and key layout (builds.sh's b_locations: the generated
# file unless given; NODE must be in it) and the attestation's policy (attestation.sh's).
locations_load() {
  b_locations
  key=$(b_key "$([[ $build == latest ]] && echo latest || echo build)" "$build")
  IFS=$'\t' read -r bundle ATT_REPOSITORY ATT_IDENTITY ATT_REF ATT_PREDICATE < <(jq -r '.attestation
    | [.bundle, .repository, .signerIdentity, .sourceRef, .predicateType]
    | if all(type == "string" and length > 0) then @tsv else "" end' "$LOCATIONS") || true
  [[ -n $ATT_PREDICATE ]] || die "$EX_DATAERR" "$LOCATIONS has no attestation settings (run npx projen)"
}

# --- copies and verification ---------------------------------------------------------

# A .sha256 file is one line of 64 hex digits, two spaces and the image's name; a longer one is
# refused unread.
readonly SUMS_MAX_BYTES=4096

# copy NAME MAX: the build's file NAME copied to $work/NAME, at most MAX bytes; exits 66 when
# absent, 65 when refused.
copy() {
  local status=0
  fetch_copy "$key$1" "$work/$1" "$2" || status=$?
  case $status in
    0) ;;
    1) die "$EX_NOINPUT" "$FETCH_WHY" ;;
    *) die "$EX_DATAERR" "$FETCH_WHY: refusing it" ;;
  esac
}

# info_read: the fields of the copy of image-info.json that are used, in INFO (only after
# image_info_schema_check: no field holds a tab or a control character); each number is checked
# again as digits before it reaches shell arithmetic.
declare -A INFO=()
info_read() {
  local f
  local -a names=(node image imageSha imageBytes sums bmap bmapSha bmapBytes rawBytes mappedBytes commit built kubernetes crio)
  local -a values=()
  IFS=$'\t' read -r -a values < <(jq -r '[.node, .image.file, .image.sha256, .image.bytes, .sha256File, .bmap.file, .bmap.sha256,
    .bmap.bytes, .raw.bytes, .raw.mappedBytes, .gitCommit, .buildTime, .kubernetesVersion, .crioVersion] | @tsv' "$work/image-info.json") || true
  ((${#values[@]} == ${#names[@]})) || die "$EX_DATAERR" "image-info.json: unreadable fields"
  for f in "${!names[@]}"; do INFO[${names[f]}]=${values[f]}; done
  for f in imageBytes bmapBytes rawBytes mappedBytes; do
    [[ ${INFO[$f]} =~ ^[0-9]{1,14}$ ]] || die "$EX_DATAERR" "image-info.json: $f is not a bounded non-negative integer"
  done
}

# gh_check: gh 2.67 or later (attestation.sh), or --allow-unattested (then without gh).
gh_check() {
  local problem
  problem=$(attestation_gh_problem)
  [[ -n $problem ]] || return 0
  ((allow_unattested)) || die "$EX_UNAVAILABLE" "cannot verify the build's attestation: $problem; install gh $GH_MIN_VERSION or later (docs/artifacts.md) or pass --allow-unattested"
  unattested "$problem"
}

# attested: image-info.json's copy is what the model's image workflow attested on the model's
# branch: gh verifies it against the bundle's copy, then its JSON result is checked. Refuses
# (65, or 66 without a bundle) unless --allow-unattested, which warns once, loudly.
attested() {
  ((!unattested)) || return 0
  local status=0
  fetch_copy "$key$bundle" "$work/$bundle" "$BUNDLE_MAX_BYTES" || status=$?
  ((status != 2)) || die "$EX_DATAERR" "$FETCH_WHY: refusing it"
  if ((status == 1)); then
    ((allow_unattested)) || die "$EX_NOINPUT" "no attestation bundle for $node ($build): $FETCH_WHY; refusing an unattested build (--allow-unattested writes it anyway)"
    unattested "no attestation bundle ($FETCH_WHY)"
    return
  fi
  log "verifying the attestation of image-info.json (signer $ATT_IDENTITY)"
  local why=''
  if attestation_verify "$work/image-info.json" "$work/$bundle" "$work/attestation.json"; then
    hash_copy "$work/image-info.json"
    why=$(attestation_check "$work/attestation.json" image-info.json "$SUM")
  else
    sed "s/^/$LOG_PREFIX:   gh: /" "$work/attestation.json.log" | tail -n 20 | LC_ALL=C tr -d '\000-\010\013-\037\177' >&2
    why="gh attestation verify failed"
  fi
  [[ -n $why ]] || return 0
  ((allow_unattested)) || die "$EX_DATAERR" "attestation of image-info.json: $why: nothing proves that $ATT_IDENTITY built it; refusing it"
  unattested "attestation of image-info.json: $why"
}

# unattested WHY: the one loud warning of --allow-unattested.
unattested() {
  unattested=1
  log "WARNING: --allow-unattested: $1: NOTHING PROVES THIS IMAGE WAS BUILT BY $ATT_IDENTITY; whoever can write to its location chooses what is written to ${device:-$output}"
}

# subject_check NAME SHA256: the attestation lists NAME with SHA256 (the copy's own hash).
subject_check() {
  ((!unattested)) || return 0
  local why
  why=$(attestation_check "$work/attestation.json" "$1" "$2")
  [[ -z $why ]] || die "$EX_DATAERR" "attestation: $why: refusing $1"
}

# hash_copy FILE: SUM, its SHA-256, taken as a job: a signal does not wait for the end of a 1 GiB
# file (nor does a command substitution's subshell hold it).
hash_copy() {
  job_run sparse_sha256 <"$1" >"$work/sum"
  SUM=$(cut -c1-64 "$work/sum")
}

copy_verify() {
  copy image-info.json "$IMAGE_INFO_MAX_BYTES"
  # Before anything else reads it: the schema (numbers bounded integers, names in format).
  image_info_schema_check "$work/image-info.json"
  info_read
  [[ ${INFO[node]} == "$node" ]] || die "$EX_DATAERR" "image-info.json: node is ${INFO[node]}, not $node"
  image=${INFO[image]} sums=${INFO[sums]} bmap=${INFO[bmap]}
  [[ $image == "$node.img.zst" && $sums == "$image.sha256" && $bmap == "$node.img.bmap" ]] ||
    die "$EX_DATAERR" "image-info.json: image.file, sha256File and bmap.file must be $node.img.zst, $node.img.zst.sha256 and $node.img.bmap"
  attested
  build_bind
  local sha=${INFO[imageSha]}
  copy "$sums" "$SUMS_MAX_BYTES"
  cmp -s "$work/$sums" <(printf '%s  %s\n' "$sha" "$image") ||
    die "$EX_DATAERR" "$sums must be exactly '<the sha256 of image-info.json>  $image' and a newline: refusing it"
  copy "$bmap" "${INFO[bmapBytes]}"
  hash_copy "$work/$bmap"
  [[ $SUM == "${INFO[bmapSha]}" ]] || die "$EX_DATAERR" "$bmap does not match the sha256 in image-info.json"
  subject_check "$bmap" "$SUM"
  copy "$image" "${INFO[imageBytes]}"
  log "verifying sha256 of $image"
  hash_copy "$work/$image"
  [[ $SUM == "$sha" ]] || die "$EX_DATAERR" "$image does not match the sha256 in image-info.json and $sums: download again"
  subject_check "$image" "$sha"
  log "ok: $node build $build_id, commit ${INFO[commit]}, built ${INFO[built]}, Kubernetes ${INFO[kubernetes]}, CRI-O ${INFO[crio]}"
}

# --- writing ----------------------------------------------------------------------------

confirm() {
  ((yes)) && return
  [[ -t 0 ]] || refuse "$device" "no terminal to confirm on; pass --yes"
  local model answer
  model=$(lsblk -dno MODEL,SIZE "$device" | tr -s ' ')
  read -r -p "flash: write $node ($build_id) to $device [$model]? Everything on it is lost. Type yes: " answer
  [[ $answer == yes ]] || refuse "$device" "not confirmed"
}

flash() {
  local target=$1 size mapped index
  size=${INFO[rawBytes]} mapped=${INFO[mappedBytes]}
  if [[ -b $target ]]; then
    local capacity
    capacity=$(lsblk -bdno SIZE "$target" | tr -d ' ')
    ((capacity >= size)) || refuse "$target" "it holds $capacity bytes, the image needs $size"
  fi
  index=$(image_info_frames "$work/image-info.json" "$work/$image" "$work/$bmap") || exit $?
  begun=1
  if [[ -n $index ]] && ((!verify_ranges)); then
    # The artifact's and the bmap's SHA-256 were checked above; segment_write checks each
    # segment's, and zstd every frame's own checksum while decompressing.
    log "writing $((mapped >> 20)) MiB of data ($((size >> 20)) MiB image) to $target: $(wc -l <<<"$index") data segments"
    # A file target gets the image's full size (its holes read as zeros), also when the
    # image ends in a hole.
    if [[ ! -b $target ]]; then truncate -s 0 "$target" && truncate -s "$size" "$target"; fi
    frames_write "$work/$image" "$target" "$index"
  else
    # bmaptool: for --verify-ranges and for artifacts without a frame index, always
    # re-hashing every range against the block map. It decompresses the whole image.
    log "writing $((mapped >> 20)) MiB of data ($((size >> 20)) MiB image) to $target with bmaptool (every range checked)"
    bmap_write "$work/$bmap" "$work/$image" "$target" "$mapped"
  fi
  job_run sync -- "$target"
  completed=1
  log "done: $target holds $node ($build_id); boot the mini PC from it and run install-to-disk"
}

# cleanup: the job in progress (a copy, a hash, the write) is stopped first, whole; then a target
# that was begun but not completed (written and synced: the flag, never $?) is removed (a file)
# or named (a device); then the private directory goes.
cleanup() {
  local status=$? what=''
  traps_clear
  job_stop
  if ((${begun:-0} && !${completed:-0})); then
    if [[ -n ${output:-} ]]; then
      rm -f -- "$output"
      what="removed the partial $output"
    else
      what="$device is only partly written: flash it again"
    fi
  fi
  [[ -z ${work:-} ]] || rm -rf -- "$work"
  if [[ -n ${interrupted:-} ]]; then
    log "interrupted by $interrupted while flashing ${node:-} to ${device:-${output:-}}${what:+: $what}" || true
  elif ((status != 0)) && [[ -n $what ]]; then
    log "failed (exit $status): $what" || true
  fi
}

main() {
  builds_dispatch "$@"
  set -- "${BUILDS_ARGS[@]}"
  opts_parse "$@"
  require_cmd jq bmaptool zstd sha256sum lsblk awk dd tee mkfifo cmp
  image_info_validator_check
  [[ -n $source_dir ]] || require_cmd aws
  locations_load
  gh_check
  if [[ -n $device ]]; then disk_check "$device"; else file_check "$output"; fi
  [[ -z $download_dir ]] || mkdir -p -- "$download_dir"
  traps_set cleanup
  work=$(mktemp -d "${TMPDIR:-/var/tmp}/flash-image.XXXXXX")
  chmod 0700 "$work"
  copy_verify
  if [[ -n $device ]]; then
    confirm
    flash "$device"
  else
    flash "$output"
  fi
  if [[ -n $download_dir ]]; then
    mv -- "$work/image-info.json" "$work/$image" "$work/$sums" "$work/$bmap" "$download_dir/"
    [[ ! -f $work/$bundle ]] || mv -- "$work/$bundle" "$download_dir/"
  fi
}

main "$@"
