#!/usr/bin/env bash
# Downloads a worker image from S3, verifies it and writes it to a USB stick. See usage().
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
# shellcheck source=lib/builds.sh source-path=SCRIPTDIR
source "$here/lib/builds.sh"

usage() {
  cat <<'EOF'
Usage: flash-image.sh --node NODE (--device DEV | --output FILE) [options]
       flash-image.sh --node NODE --list-builds
       flash-image.sh --node NODE --mark-known-good BUILD

Downloads the image of NODE and treats every downloaded file as hostile until checked:
  1. image-info.json against its schema (scripts/lib/image-info.schema.json);
  2. the build's GitHub artifact attestation of image-info.json, the block map and the
     image: `gh attestation verify FILE --bundle <bundle> --repo <repository>
     --signer-workflow <repository>/.github/workflows/build-worker-images.yml` (bundle,
     repository: generated/image-locations.json, from the model);
  3. the SHA-256 of the image and of its block map against image-info.json and the .sha256;
  4. while writing, the SHA-256 of every data segment against the frame index: on a
     mismatch it stops before the next segment, names the segment and exits 65.
Only the data frames of the frame index are decompressed, and only their segments are
written (bmaptool copy, checking every range, for an artifact without a frame index).

Target (one of):
  --device DEV        a whole removable disk (USB stick), e.g. /dev/sdb
  --output FILE       a regular file (the raw image, sparse); must not exist yet
Source:
  --build ID          `latest` (default) or a dated build YYYYMMDD-<sha7>
  --known-good        the node's known-good build (see --mark-known-good)
  --source-dir DIR    read the files in place from DIR, laid out like the bucket
                      (DIR/<prefix>/<node>/latest/..., .../builds/<build>/...),
                      e.g. a local `aws s3 sync` copy, instead of S3
  --bucket NAME, --prefix KEY, --region NAME
                      default: generated/image-locations.json (from the model)
  --endpoint-url URL  passed to `aws` (an S3-compatible endpoint)
  --download-dir DIR  keep the files downloaded from S3 in DIR (default: a temporary
                      directory, removed at the end)
Safety:
  --force             write to a disk that is not removable or is mounted/in use,
                      or overwrite an existing --output file
  --yes               do not ask for confirmation before writing to a device
  --verify-ranges     write with bmaptool, which checks every range against the block map's
                      SHA-256 while writing (slower: it decompresses the whole image)
  --allow-unattested  write even when the attestation cannot be verified (no gh, no
                      bundle, or verification fails) after one loud warning; every
                      other check still runs
  -h, --help          this text
Builds (scripts/lib/builds.sh):
  --list-builds       the node's dated builds: id, build time, commit, Kubernetes and CRI-O
                      versions, and which one is latest and which one is known-good
  --mark-known-good BUILD
                      make BUILD the node's known-good build, with your own AWS credentials:
                      the bucket's lifecycle then keeps its objects; the build it replaces
                      expires as any other

S3 access uses the aws CLI with your usual credentials (AWS_PROFILE, SSO, ...); the
attestation check needs the GitHub CLI (gh 2.49 or later) and python3-jsonschema.
On failure, SIGINT or SIGTERM a new or --force'd --output file is removed; a device is
left partly written (flash it again). One line says what was interrupted.
Exit codes: 64 usage, 65 checksum, attestation, metadata or corrupt artifact, 66 download
failed, 69 missing command, 74 write failed, 77 refused (target not safe to write),
130 SIGINT, 143 SIGTERM.
EOF
}

# --- options -----------------------------------------------------------------

opts_parse() {
  node='' device='' output='' build=latest source_dir='' endpoint='' download_dir=''
  bucket='' prefix='' key_template='' region='' force=0 yes=0 verify_ranges=0 allow_unattested=0
  gh_ok=0 bundle_fetched=0 unattested=0
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --force) force=1 ;;
      --yes) yes=1 ;;
      --verify-ranges) verify_ranges=1 ;;
      --allow-unattested) allow_unattested=1 ;;
      --node | --device | --output | --build | --source-dir | --bucket | --prefix | --region | --endpoint-url | --download-dir)
        (($# >= 2)) || die "$EX_USAGE" "$1 needs a value"
        local name=${1#--}
        name=${name//-/_}
        [[ $name == endpoint_url ]] && name=endpoint
        printf -v "$name" '%s' "$2"
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

# locations_load: bucket, prefix and region default to the generated file; NODE must be in it.
locations_load() {
  [[ -r $LOCATIONS ]] || die "$EX_NOINPUT" "cannot read $LOCATIONS (run npx projen)"
  bucket=${bucket:-$(jq -r .bucket "$LOCATIONS")}
  prefix=${prefix:-$(jq -r .prefix "$LOCATIONS")}
  region=${region:-$(jq -r .region "$LOCATIONS")}
  jq -e --arg n "$node" '.nodes | index($n)' "$LOCATIONS" >/dev/null ||
    die "$EX_USAGE" "unknown node $node; images exist for: $(jq -r '.nodes | join(", ")' "$LOCATIONS")"
  local which=build
  [[ $build == latest ]] && which=latest
  key_template=$(jq -er ".keys.$which" "$LOCATIONS") || die "$EX_DATAERR" "$LOCATIONS has no keys.$which (run npx projen)"
  if ! bundle=$(jq -er .attestation.bundle "$LOCATIONS") || ! repository=$(jq -er .attestation.repository "$LOCATIONS") ||
    ! signer_workflow=$(jq -er .attestation.signerWorkflow "$LOCATIONS"); then
    die "$EX_DATAERR" "$LOCATIONS has no attestation settings (run npx projen)"
  fi
}

# --- target checks (all before the first download or write) ------------------

refuse() { die "$EX_NOPERM" "refusing to write $1: $2"; }

disk_check() {
  local dev=$1 name type removable tran hotplug used
  [[ -b $dev ]] || refuse "$dev" "not a block device (for an image file use --output)"
  [[ -w $dev ]] || refuse "$dev" "not writable by $(id -un) (run with sudo)"
  name=$(lsblk -dno KNAME "$dev")
  type=$(lsblk -dno TYPE "$dev")
  [[ $type == disk || $type == loop ]] ||
    refuse "$dev" "it is a $type, not a whole disk: give the disk itself (e.g. /dev/sdb, not /dev/sdb1)"
  # The disk(s) under the running system's root file system: never, not even with --force.
  local root_src
  root_src=$(findmnt -no SOURCE / 2>/dev/null || true)
  if [[ -b $root_src ]] && lsblk -nsro KNAME "$root_src" | grep -qx "$name"; then
    refuse "$dev" "it holds the running system's root file system"
  fi
  used=$(lsblk -nro NAME,TYPE,MOUNTPOINTS "$dev" |
    awk '$3 != "" || $2 ~ /^(lvm|crypt|raid|md)/ { print $1 ($3 == "" ? " (" $2 ")" : " on " $3) }' | paste -sd, -)
  if [[ -n $used ]]; then
    ((force)) || refuse "$dev" "it is in use: $used; unmount it first (or pass --force)"
    log "warning: $dev is in use ($used); writing anyway (--force)"
  fi
  removable=$(cat "/sys/class/block/$name/removable")
  tran=$(lsblk -dno TRAN "$dev" | tr -d ' ')
  hotplug=$(lsblk -dno HOTPLUG "$dev" | tr -d ' ')
  if [[ $removable != 1 && $tran != usb && $hotplug != 1 ]]; then
    ((force)) || refuse "$dev" "not a removable or USB disk (removable=$removable, transport=${tran:-none}); pass --force if you really mean it"
    log "warning: $dev is not removable; writing anyway (--force)"
  fi
}

file_check() {
  local file=$1
  [[ -d $(dirname "$file") ]] || refuse "$file" "its directory does not exist"
  if [[ -e $file ]]; then
    [[ -f $file ]] || refuse "$file" "it exists and is not a regular file (for a disk use --device)"
    ((force)) || refuse "$file" "it already exists; pass --force to overwrite it"
  fi
}

# --- download and verification ----------------------------------------------------

# build_key: the key prefix of the build (ending in /): the bucket's layout from $LOCATIONS.
build_key() {
  local key=${key_template//\{prefix\}/$prefix}
  key=${key//\{node\}/$node}
  echo "${key//\{build\}/$build}"
}

# fetch_try FILE: makes $dl/FILE available: from S3 into the download directory, or, from
# --source-dir, in place (local files are read where they are, not copied). On failure
# it prints why on stdout and returns 1; fetch FILE exits 66 instead.
fetch_try() {
  local key
  key=$(build_key)$1
  if [[ -n $source_dir ]]; then
    [[ -f $dl/$1 ]] || { echo "not found: $dl/$1"; return 1; }
    log "found $dl/$1"
  else
    local -a aws=(aws s3 cp --region "$region")
    [[ -z $endpoint ]] || aws+=(--endpoint-url "$endpoint")
    log "downloading s3://$bucket/$key"
    "${aws[@]}" "s3://$bucket/$key" "$dl/$1" >&2 || { echo "download of s3://$bucket/$key failed"; return 1; }
  fi
}

fetch() {
  local why
  why=$(fetch_try "$1") || die "$EX_NOINPUT" "$why"
}

# info FIELD: a field of the downloaded image-info.json (only after image_info_schema_check).
info() { jq -er "$1" "$dl/image-info.json"; }

# info_number FIELD: a field that the schema bounds to an integer; checked again before
# it reaches shell arithmetic.
info_number() {
  local value
  value=$(info "$1")
  [[ $value =~ ^[0-9]{1,14}$ ]] || die "$EX_DATAERR" "image-info.json: $1 is not a bounded non-negative integer"
  echo "$value"
}

# attestation_ready: gh with `gh attestation` is installed, or --allow-unattested.
attestation_ready() {
  if command -v gh >/dev/null && gh attestation verify --help >/dev/null 2>&1; then
    gh_ok=1
  elif ((allow_unattested)); then
    gh_ok=0
  else
    die "$EX_UNAVAILABLE" "cannot verify the build's attestation: GitHub CLI with 'gh attestation' (gh 2.49 or later) not found; install it (README: Image artifacts) or pass --allow-unattested"
  fi
}

# attestation_verify FILE...: each FILE is a subject of the build's attestation, signed by
# the model repository's image workflow. Refuses (65, or 66 without a bundle) unless
# --allow-unattested, which warns once, loudly, and goes on without further checks of it.
attestation_verify() {
  local f why
  ((!unattested)) || return 0
  if ((!gh_ok)); then
    unattested "gh with 'gh attestation' is not installed"
    return
  fi
  if ((!bundle_fetched)); then
    why=$(fetch_try "$bundle") || {
      ((allow_unattested)) || die "$EX_NOINPUT" "no attestation bundle for $node ($build): $why; refusing an unattested build (--allow-unattested writes it anyway)"
      unattested "no attestation bundle ($why)"
      return
    }
    bundle_fetched=1
  fi
  for f in "$@"; do
    log "verifying the attestation of $f (signer $signer_workflow)"
    gh attestation verify "$dl/$f" --bundle "$dl/$bundle" --repo "$repository" \
      --signer-workflow "$signer_workflow" >"$work/verify.log" 2>&1 && continue
    sed "s/^/$LOG_PREFIX:   gh: /" "$work/verify.log" | tail -n 20 >&2
    ((allow_unattested)) || die "$EX_DATAERR" "attestation verification failed for $f: nothing proves that $signer_workflow built it; refusing it"
    unattested "attestation verification failed for $f"
    return
  done
}

# unattested WHY: the one loud warning of --allow-unattested.
unattested() {
  unattested=1
  log "WARNING: --allow-unattested: $1: NOTHING PROVES THIS IMAGE WAS BUILT BY $signer_workflow; whoever can write to its location chooses what is written to ${device:-$output}"
}

download_verify() {
  fetch image-info.json
  # Before anything else reads it: the schema (numbers bounded integers, names in format).
  image_info_schema_check "$dl/image-info.json"
  [[ $(info .node) == "$node" ]] || die "$EX_DATAERR" "image-info.json: node is $(info .node), not $node"
  image=$(info .image.file) sums=$(info .sha256File) bmap=$(info .bmap.file)
  [[ $image == "$node.img.zst" && $sums == "$image.sha256" && $bmap == "$node.img.bmap" ]] ||
    die "$EX_DATAERR" "image-info.json: image.file, sha256File and bmap.file must be $node.img.zst, $node.img.zst.sha256 and $node.img.bmap"
  attestation_verify image-info.json
  local f
  for f in "$image" "$sums" "$bmap"; do
    fetch "$f"
  done
  log "verifying sha256 of $image"
  (cd "$dl" && sha256sum --quiet --strict -c "$sums") || die "$EX_DATAERR" "$image does not match $sums: download again"
  [[ $(cut -d' ' -f1 "$dl/$sums") == "$(info .image.sha256)" ]] ||
    die "$EX_DATAERR" "$sums and image-info.json disagree on the sha256 of $image"
  [[ $(sha256sum "$dl/$bmap" | cut -d' ' -f1) == "$(info .bmap.sha256)" ]] ||
    die "$EX_DATAERR" "$bmap does not match the sha256 in image-info.json"
  attestation_verify "$bmap" "$image"
  log "ok: $node build $build, commit $(info .gitCommit), built $(info .buildTime), Kubernetes $(info .kubernetesVersion), CRI-O $(info .crioVersion)"
}

# --- writing ----------------------------------------------------------------------------

confirm() {
  ((yes)) && return
  [[ -t 0 ]] || refuse "$device" "no terminal to confirm on; pass --yes"
  local model answer
  model=$(lsblk -dno MODEL,SIZE "$device" | tr -s ' ')
  read -r -p "flash: write $node ($build) to $device [$model]? Everything on it is lost. Type yes: " answer
  [[ $answer == yes ]] || refuse "$device" "not confirmed"
}

# progress PID TOTAL: prints how much of TOTAL bytes PID has written, every few seconds.
progress() {
  local pid=$1 total=$2 written last=-1
  while sleep "${LOLICE_FLASH_PROGRESS_SECONDS:-5}" && kill -0 "$pid" 2>/dev/null; do
    written=$(awk '$1 == "wchar:" { print $2 }' "/proc/$pid/io" 2>/dev/null) || break
    ((written != last)) || continue
    last=$written
    progress_line written "$written" "$total"
  done
}

# segment_write TARGET N TOTAL RAW-OFFSET RAW-LENGTH OFFSET LENGTH SHA256: decompresses
# the frames of data segment N (LENGTH bytes at OFFSET in the image file) on their own and
# writes them at RAW-OFFSET in TARGET, at most RAW-LENGTH bytes, hashing what is written.
# Returns after checking: the frames decompress (else the artifact is corrupt), to exactly
# RAW-LENGTH bytes, whose SHA-256 is SHA256; any failure ends the flash here, before the
# next segment.
segment_write() {
  local target=$1 n=$2 count=$3 roff=$4 rlen=$5 off=$6 len=$7 sha=$8 got extra sum
  local what="segment $n of $count (raw offset $roff, $rlen bytes)"
  local -a piped=(0 0 0 0)
  sparse_sha256 <"$work/hash.fifo" >"$work/hash" &
  hasher=$!
  dd if="$dl/$image" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=4M status=none |
    zstd -dcq 2>"$work/zstd.log" |
    tee "$work/hash.fifo" |
    { LC_ALL=C dd of="$target" conv=notrunc oflag=seek_bytes seek="$roff" iflag=fullblock,count_bytes \
      count="$rlen" "${out[@]}" 2>"$work/dd.log" && wc -c >"$work/extra"; } || piped=("${PIPESTATUS[@]}")
  wait "$hasher" || true
  hasher=''
  ((piped[0] == 0)) || die "$EX_IOERR" "reading $dl/$image failed at $what"
  ((piped[3] == 0)) || die "$EX_IOERR" "writing $target failed at $what: $(tail -n 1 "$work/dd.log")"
  ((piped[1] == 0)) ||
    die "$EX_DATAERR" "corrupt artifact $image: the frames of $what do not decompress ($(tail -n 1 "$work/zstd.log")); nothing after it was written"
  # GNU dd: "N bytes (...) copied" or "1 byte copied".
  got=$(awk '$2 ~ /^bytes?$/ && /copied/ { print $1 }' "$work/dd.log") extra=$(<"$work/extra") sum=$(cut -c1-64 "$work/hash")
  [[ $got == "$rlen" && $extra == 0 ]] ||
    die "$EX_DATAERR" "$what: its frames hold $((${got:-0} + ${extra:-0})) bytes, not $rlen; stopped before the next segment"
  [[ $sum == "$sha" ]] ||
    die "$EX_DATAERR" "$what: SHA-256 $sum of what was written is not $sha (image-info.json); stopped before the next segment"
}

# frames_write TARGET INDEX: the project's writer: for each data segment of INDEX (lines of
# image_info_frames), its frames alone are decompressed and written at its offset in TARGET,
# checked by segment_write; holes are neither read, decompressed nor written. Progress
# every tenth.
frames_write() {
  # shellcheck disable=SC2034 # step: progress_tenths's counter, passed by name
  local target=$1 index=$2 total count n roff rlen off len sha done=0 step=0
  total=$(awk '{ n += $3 } END { printf "%.0f", n }' <<<"$index")
  count=$(wc -l <<<"$index")
  # A segment includes the block map's short holes (postprocess folds holes under 1 MiB into
  # data): to a new file they are left as holes (dd skips all-zero 64 KiB blocks); a disk gets
  # them written as zeros, as it must any zero block the block map lists.
  out=(bs=4M)
  [[ -b $target ]] || out=(ibs=4M obs=64K conv=sparse)
  mkfifo "$work/hash.fifo"
  while read -r n roff rlen off len sha; do
    segment_write "$target" "$n" "$count" "$roff" "$rlen" "$off" "$len" "$sha"
    done=$((done + rlen))
    progress_tenths step written "$done" "$total" "each segment's SHA-256 checked"
  done <<<"$index"
}

flash() {
  local target=$1 size mapped status=0 index
  size=$(info_number .raw.bytes) mapped=$(info_number .raw.mappedBytes)
  if [[ -b $target ]]; then
    local capacity
    capacity=$(lsblk -bdno SIZE "$target" | tr -d ' ')
    ((capacity >= size)) || refuse "$target" "it holds $capacity bytes, the image needs $size"
  fi
  index=$(image_info_frames "$dl/image-info.json" "$dl/$image" "$dl/$bmap") || exit $?
  [[ -b $target ]] || writing=$target
  if [[ -n $index ]] && ((!verify_ranges)); then
    # The artifact's and the bmap's SHA-256 were checked above; segment_write checks each
    # segment's, and zstd every frame's own checksum while decompressing.
    log "writing $((mapped >> 20)) MiB of data ($((size >> 20)) MiB image) to $target: $(wc -l <<<"$index") data segments"
    # A file target gets the image's full size (its holes read as zeros), also when the
    # image ends in a hole.
    if [[ ! -b $target ]]; then truncate -s 0 "$target" && truncate -s "$size" "$target"; fi
    frames_write "$target" "$index"
  else
    # bmaptool: for --verify-ranges and for artifacts without a frame index, always
    # re-hashing every range against the block map. It decompresses the whole image.
    log "writing $((mapped >> 20)) MiB of data ($((size >> 20)) MiB image) to $target with bmaptool (every range checked)"
    # bmaptool's own percentage needs stdout on a terminal; progress() reports instead.
    bmaptool copy --bmap "$dl/$bmap" "$dl/$image" "$target" >/dev/null &
    pid=$!
    progress "$pid" "$mapped" &
    monitor=$!
    wait "$pid" || status=$?
    kill "$monitor" 2>/dev/null || true
    pid='' monitor=''
    ((status == 0)) || die "$EX_IOERR" "bmaptool failed (exit $status; a checksum mismatch is named above): $target is only partly written"
  fi
  sync -- "$target"
  writing=''
  log "done: $target holds $node ($build); boot the mini PC from it and run install-to-disk"
}

cleanup() {
  local status=$? what=''
  trap - INT TERM
  [[ -z ${monitor:-} ]] || kill "$monitor" 2>/dev/null || true
  [[ -z ${pid:-} ]] || kill "$pid" 2>/dev/null || true
  [[ -z ${hasher:-} ]] || kill "$hasher" 2>/dev/null || true
  [[ -z ${tmp:-} ]] || rm -rf "$tmp"
  [[ -z ${work:-} ]] || rm -rf "$work"
  ((status != 0)) || return 0
  if [[ -n ${writing:-} ]]; then
    # A file target that was (re)written only in part is no image: never leave it.
    rm -f "$writing"
    what="removed the partial $writing"
  elif [[ -n ${device:-} && ${confirmed:-0} == 1 ]]; then
    what="$device is only partly written: flash it again"
  fi
  if [[ -n ${interrupted:-} ]]; then
    log "interrupted by $interrupted while flashing $node to ${device:-$output}${what:+: $what}"
  elif [[ -n $what ]]; then
    log "failed (exit $status): $what"
  fi
}

main() {
  builds_dispatch "$@"
  set -- "${BUILDS_ARGS[@]}"
  opts_parse "$@"
  require_cmd jq bmaptool zstd sha256sum lsblk awk dd tee mkfifo
  image_info_validator_check
  [[ -n $source_dir ]] || require_cmd aws
  locations_load
  attestation_ready
  if [[ -n $device ]]; then disk_check "$device"; else file_check "$output"; fi
  traps_set cleanup
  work=$(mktemp -d "${TMPDIR:-/tmp}/flash-image.work.XXXXXX")
  if [[ -n $source_dir ]]; then
    dl=$source_dir/$(build_key) dl=${dl%/}
  elif [[ -n $download_dir ]]; then
    mkdir -p "$download_dir"
    dl=$download_dir
  else
    tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/flash-image.XXXXXX")
    dl=$tmp
  fi
  download_verify
  if [[ -n $device ]]; then
    confirm
    confirmed=1
    flash "$device"
  else
    flash "$output"
  fi
}

main "$@"
