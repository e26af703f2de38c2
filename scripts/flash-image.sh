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
# shellcheck source=lib/builds.sh source-path=SCRIPTDIR
source "$here/lib/builds.sh"

usage() {
  cat <<'EOF'
Usage: flash-image.sh --node NODE (--device DEV | --output FILE) [options]
       flash-image.sh --node NODE --list-builds
       flash-image.sh --node NODE --mark-known-good BUILD

Downloads the image of NODE (image-info.json, then the files it names), checks the
SHA-256 of the image and of its block map against image-info.json and the .sha256 file,
and writes it: only the data frames of its frame index are decompressed, and only their
segments are written (bmaptool copy for an artifact without a frame index).

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
  -h, --help          this text
Builds (scripts/lib/builds.sh):
  --list-builds       the node's dated builds: id, build time, commit, Kubernetes and CRI-O
                      versions, and which one is latest and which one is known-good
  --mark-known-good BUILD
                      make BUILD the node's known-good build, with your own AWS credentials:
                      the bucket's lifecycle then keeps its objects; the build it replaces
                      expires as any other

S3 access uses the aws CLI with your usual credentials (AWS_PROFILE, SSO, ...).
Exit codes: 64 usage, 65 checksum or metadata mismatch, 66 download failed,
69 missing command, 74 write failed, 77 refused (target not safe to write).
EOF
}

# --- options -----------------------------------------------------------------

opts_parse() {
  node='' device='' output='' build=latest source_dir='' endpoint='' download_dir=''
  bucket='' prefix='' key_template='' region='' force=0 yes=0 verify_ranges=0
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --force) force=1 ;;
      --yes) yes=1 ;;
      --verify-ranges) verify_ranges=1 ;;
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

# fetch FILE: makes $dl/FILE available: from S3 into the download directory, or, from
# --source-dir, in place (local files are read where they are, not copied).
fetch() {
  local key
  key=$(build_key)$1
  if [[ -n $source_dir ]]; then
    [[ -f $dl/$1 ]] || die "$EX_NOINPUT" "not found: $dl/$1"
    log "found $dl/$1"
  else
    local -a aws=(aws s3 cp --region "$region")
    [[ -z $endpoint ]] || aws+=(--endpoint-url "$endpoint")
    log "downloading s3://$bucket/$key"
    "${aws[@]}" "s3://$bucket/$key" "$dl/$1" >&2 || die "$EX_NOINPUT" "download of s3://$bucket/$key failed"
  fi
}

# info FIELD: a field of the downloaded image-info.json.
info() { jq -er "$1" "$dl/image-info.json"; }

download_verify() {
  fetch image-info.json
  [[ $(info .node) == "$node" ]] || die "$EX_DATAERR" "image-info.json is for $(info .node), not $node"
  image=$(info .image.file) sums=$(info .sha256File) bmap=$(info .bmap.file)
  local f
  for f in "$image" "$sums" "$bmap"; do
    [[ $f =~ ^[A-Za-z0-9._-]+$ ]] || die "$EX_DATAERR" "image-info.json names an unsafe file: $f"
    fetch "$f"
  done
  log "verifying sha256 of $image"
  (cd "$dl" && sha256sum --quiet --strict -c "$sums") || die "$EX_DATAERR" "$image does not match $sums: download again"
  [[ $(cut -d' ' -f1 "$dl/$sums") == "$(info .image.sha256)" ]] ||
    die "$EX_DATAERR" "$sums and image-info.json disagree on the sha256 of $image"
  [[ $(sha256sum "$dl/$bmap" | cut -d' ' -f1) == "$(info .bmap.sha256)" ]] ||
    die "$EX_DATAERR" "$bmap does not match the sha256 in image-info.json"
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
    log "written $((written >> 20)) of $((total >> 20)) MiB ($((written * 100 / (total > 0 ? total : 1)))%)"
  done
}

# frames_index: the data frames of image-info.json's frame index ("RAW-OFFSET RAW-LENGTH
# OFFSET LENGTH" lines), when the index is sound: its segments tile the raw image and its
# frames tile the artifact, both in order and without a gap, and every range of the block
# map lies in a data segment. Prints nothing for an artifact without an index; dies on an
# unsound one.
frames_index() {
  local index
  index=$(jq -r '(.frames // [])[] | "\(.kind) \(.rawOffset) \(.rawLength) \(.offset) \(.length)"' "$dl/image-info.json") ||
    die "$EX_DATAERR" "image-info.json: unreadable frames"
  [[ -n $index ]] || return 0
  awk -v raw="$(info .raw.bytes)" -v zst="$(stat -c %s "$dl/$image")" '
    FNR == NR {
      if (NF != 5 || ($1 != "data" && $1 != "zero") || $3 <= 0 || $5 <= 0 || $2 != rend || $4 != zend) { bad = 1; exit 1 }
      rend = $2 + $3; zend = $4 + $5
      if ($1 == "data") { n++; s[n] = $2; e[n] = rend }
      next
    }
    # the block map ranges (sparse_segments with gap 0), each inside a data segment
    { while (i < n && e[i + 1] <= $2) i++; if (i == n || s[i + 1] > $2 || $2 + $3 > e[i + 1]) { bad = 1; exit 1 } }
    END { if (bad || rend != raw || zend != zst) exit 1 }' <(echo "$index") <(sparse_segments "$dl/$bmap" 0 | grep '^data') ||
    die "$EX_DATAERR" "image-info.json: its frame index does not match $image and $bmap"
  awk '$1 == "data" { print $2, $3, $4, $5 }' <<<"$index"
}

# frames_write TARGET INDEX: the project's writer: one zstd process decompresses the data
# frames alone (their bytes cut from the artifact in order), and each segment goes to its
# offset in TARGET: holes are neither read, decompressed nor written. Progress every tenth.
frames_write() {
  local target=$1 index=$2 total
  total=$(awk '{ n += $2 } END { printf "%.0f", n }' <<<"$index")
  # A segment includes the block map's short holes (postprocess folds holes under 1 MiB into
  # data): to a new file they are left as holes (dd skips all-zero 64 KiB blocks); a disk gets
  # them written as zeros, as it must any zero block the block map lists.
  local -a out=(bs=4M)
  [[ -b $target ]] || out=(ibs=4M obs=64K conv=sparse)
  while read -r _ _ off len; do
    dd if="$dl/$image" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=4M status=none
  done <<<"$index" | zstd -dcq | {
    local roff rlen got done=0 step=0
    while read -r roff rlen _ _ <&3; do
      got=$(LC_ALL=C dd of="$target" conv=notrunc oflag=seek_bytes seek="$roff" iflag=fullblock,count_bytes \
        count="$rlen" "${out[@]}" 2>&1 >/dev/null | awk '/ bytes / { print $1 }')
      [[ $got == "$rlen" ]] || { log "error: segment at $roff: wrote ${got:-no} bytes of $rlen"; exit 1; }
      done=$((done + rlen))
      if ((done * 10 / total > step)); then
        step=$((done * 10 / total))
        log "written $((done >> 20)) of $((total >> 20)) MiB ($((done * 100 / total))%)"
      fi
    done 3<<<"$index"
    [[ $(head -c 1 | wc -c) == 0 ]] || { log "error: the data frames hold more than the index lists"; exit 1; }
  }
}

flash() {
  local target=$1 size mapped pid status=0 index
  size=$(info .raw.bytes) mapped=$(info .raw.mappedBytes)
  if [[ -b $target ]]; then
    local capacity
    capacity=$(lsblk -bdno SIZE "$target" | tr -d ' ')
    ((capacity >= size)) || refuse "$target" "it holds $capacity bytes, the image needs $size"
  fi
  index=$(frames_index) || exit $?
  if [[ -n $index ]] && ((!verify_ranges)); then
    # The artifact's and the bmap's SHA-256 were checked above, and zstd checks every
    # frame's checksum while decompressing.
    log "writing $((mapped >> 20)) MiB of data ($((size >> 20)) MiB image) to $target: $(wc -l <<<"$index") data frames"
    if [[ -f $target ]]; then truncate -s 0 "$target" && truncate -s "$size" "$target"; fi
    frames_write "$target" "$index" || status=$?
    ((status == 0)) || die "$EX_IOERR" "writing failed (exit $status): $target is only partly written; flash it again"
  else
    # bmaptool: for --verify-ranges (it re-hashes every range against the block map) and
    # for artifacts without a frame index. It decompresses the whole image, holes included.
    log "writing $((mapped >> 20)) MiB of data ($((size >> 20)) MiB image) to $target with bmaptool"
    local -a verify=(--no-verify)
    ((verify_ranges)) && verify=()
    # bmaptool's own percentage needs stdout on a terminal; progress() reports instead.
    bmaptool copy "${verify[@]}" --bmap "$dl/$bmap" "$dl/$image" "$target" >/dev/null &
    pid=$!
    progress "$pid" "$mapped" &
    monitor=$!
    wait "$pid" || status=$?
    kill "$monitor" 2>/dev/null || true
    ((status == 0)) || die "$EX_IOERR" "bmaptool failed (exit $status): $target is only partly written; flash it again"
  fi
  sync -- "$target"
  log "done: $target holds $node ($build); boot the mini PC from it and run install-to-disk"
}

cleanup() {
  local status=$?
  [[ -z ${monitor:-} ]] || kill "$monitor" 2>/dev/null || true
  [[ -z ${tmp:-} ]] || rm -rf "$tmp"
  if ((status != 0)) && [[ -n ${output:-} && ${created_output:-0} == 1 ]]; then
    rm -f "$output"
    log "removed the partial $output"
  fi
}

main() {
  builds_dispatch "$@"
  set -- "${BUILDS_ARGS[@]}"
  opts_parse "$@"
  require_cmd jq bmaptool zstd sha256sum lsblk awk
  [[ -n $source_dir ]] || require_cmd aws
  locations_load
  if [[ -n $device ]]; then disk_check "$device"; else file_check "$output"; fi
  trap cleanup EXIT
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
    flash "$device"
  else
    [[ -e $output ]] || created_output=1
    flash "$output"
  fi
}

main "$@"
