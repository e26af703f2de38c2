#!/usr/bin/env bash
# Turns a raw worker image into the artifacts uploaded to S3. See usage().
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly LOG_PREFIX=postprocess PACKAGES_HINT='Debian: bmap-tools zstd jq coreutils'
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$here/lib/common.sh"
# shellcheck source=lib/sparse-image.sh source-path=SCRIPTDIR
source "$here/lib/sparse-image.sh"

usage() {
  cat <<'EOF'
Usage: postprocess-image.sh <raw-image> <out-dir>

Writes into <out-dir> (created if missing, must be empty) exactly four files:
  <node>.img.zst          the image, zstd (-10 --long=27), holes skipped but restored
                          on decompression: `zstd -dc` gives back the exact raw image
  <node>.img.zst.sha256   its sha256, in `sha256sum -c` format
  <node>.img.bmap         bmaptool's block map of the raw image (per-range SHA-256)
  image-info.json         node, versions, commit, build time, these files' names,
                          sizes and checksums, and the frame index (frames: where each
                          segment's zstd frames are, so that a writer can skip the holes,
                          and the SHA-256 of each data segment, which the writer checks)

Environment (all required):
  NODE_NAME            worker node the image is for, e.g. golyat-1
  KUBERNETES_VERSION   Kubernetes version installed in the image
  CRIO_VERSION         CRI-O version installed in the image
  GIT_COMMIT           commit the image was built from (7 to 40 hex digits)
  BUILD_TIME           build time, ISO 8601 UTC: YYYY-MM-DDTHH:MM:SSZ

Only the ranges the block map lists are read: holes are never read or compressed.
On failure, SIGINT or SIGTERM it removes what it wrote (and <out-dir> if it made it),
prints one line saying so and exits with the failure's code, 130 or 143.
Exit codes: 64 usage, 65 bad environment, 66 no raw image, 69 missing command,
73 out-dir not empty or not creatable.
EOF
}

# env_check: every variable set and well-formed, before anything is written.
env_check() {
  local name
  for name in NODE_NAME KUBERNETES_VERSION CRIO_VERSION GIT_COMMIT BUILD_TIME; do
    [[ -n ${!name:-} ]] || die "$EX_DATAERR" "environment variable $name is not set (see --help)"
  done
  [[ $NODE_NAME =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
    die "$EX_DATAERR" "NODE_NAME=$NODE_NAME is not an RFC 1123 host name"
  [[ $GIT_COMMIT =~ ^[0-9a-f]{7,40}$ ]] ||
    die "$EX_DATAERR" "GIT_COMMIT=$GIT_COMMIT is not 7 to 40 lowercase hex digits"
  [[ $BUILD_TIME =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
    die "$EX_DATAERR" "BUILD_TIME=$BUILD_TIME is not ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ)"
}

# out_prepare DIR: DIR exists and is empty, so it ends up holding our four files only.
out_prepare() {
  [[ -d $1 ]] || made_out=1
  mkdir -p "$1" || die "$EX_CANTCREAT" "cannot create the output directory $1"
  [[ -z $(ls -A "$1") ]] || die "$EX_CANTCREAT" "output directory $1 is not empty: give an empty or new directory"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# info_write: image-info.json from the environment, the files in $out_dir and the frame index.
info_write() {
  # A file, not an argument: a fragmented image's index can outgrow one argument's 128 KiB.
  jq -Rnc '[inputs | split(" ") | {kind: .[0], rawOffset: (.[1] | tonumber), rawLength: (.[2] | tonumber), offset: (.[3] | tonumber), length: (.[4] | tonumber)}
    + (if .[0] == "data" then {sha256: .[5]} else {} end)]' \
    "$work/frames" >"$work/frames.json"
  jq -n \
    --arg node "$NODE_NAME" --arg kubernetes "$KUBERNETES_VERSION" --arg crio "$CRIO_VERSION" \
    --arg commit "$GIT_COMMIT" --arg time "$BUILD_TIME" \
    --arg image "$image" --argjson imageBytes "$(stat -c %s "$out_dir/$image")" --arg imageSha "$image_sha" \
    --arg sums "$sums" --arg bmap "$bmap" --argjson bmapBytes "$(stat -c %s "$out_dir/$bmap")" \
    --arg bmapSha "$(sha256_of "$out_dir/$bmap")" --arg compressor "zstd ${ARTIFACT_LEVEL[*]}" \
    --arg raw "$NODE_NAME.img" --argjson rawBytes "$(stat -c %s "$raw")" \
    --argjson mapped "$(sparse_mapped_bytes "$out_dir/$bmap")" \
    --slurpfile frames "$work/frames.json" \
    '{
      node: $node, kubernetesVersion: $kubernetes, crioVersion: $crio,
      gitCommit: $commit, buildTime: $time,
      image: { file: $image, bytes: $imageBytes, sha256: $imageSha, compressor: $compressor },
      sha256File: $sums,
      bmap: { file: $bmap, bytes: $bmapBytes, sha256: $bmapSha },
      raw: { file: $raw, bytes: $rawBytes, mappedBytes: $mapped },
      frames: $frames[0]
    }' >"$out_dir/image-info.json"
}

cleanup() {
  local status=$? what=''
  traps_clear
  [[ -z ${child:-} ]] || kill "$child" 2>/dev/null || true
  [[ -z ${work:-} ]] || rm -rf "$work"
  if ((status != 0)) && [[ -n ${created:-} ]]; then
    # Leave no half-made artifact that could be mistaken for a good one.
    rm -f "${created[@]/#/$out_dir/}"
    what="removed the partial outputs from $out_dir"
    if ((${made_out:-0})); then rmdir "$out_dir" 2>/dev/null && what="removed $out_dir"; fi
  fi
  if [[ -n ${interrupted:-} ]]; then
    log "interrupted by $interrupted while post-processing ${raw:-}${what:+: $what}"
  elif [[ -n $what ]]; then
    log "failed (exit $status): $what"
  fi
}

main() {
  [[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
  (($# == 2)) || { usage >&2; exit "$EX_USAGE"; }
  raw=$1 out_dir=$2
  require_cmd bmaptool zstd jq sha256sum dd awk stat tee mkfifo
  traps_set cleanup
  env_check
  [[ -f $raw && -r $raw ]] || die "$EX_NOINPUT" "raw image $raw is not a readable regular file"
  out_prepare "$out_dir"
  work=$(mktemp -d)

  image=$NODE_NAME.img.$ARTIFACT_EXTENSION sums=$NODE_NAME.img.$ARTIFACT_EXTENSION.sha256
  bmap=$NODE_NAME.img.bmap
  created=("$image" "$sums" "$bmap" image-info.json)

  local t0=$SECONDS
  log "block map of $raw ($(($(stat -c %s "$raw") >> 20)) MiB)"
  # In the background: a signal's trap runs at once, not after the whole image is mapped.
  bmaptool create -o "$out_dir/$bmap" "$raw" &
  child=$!
  wait "$child"
  child=''
  local mapped size
  mapped=$(sparse_mapped_bytes "$out_dir/$bmap") size=$(stat -c %s "$raw")
  log "mapped: $((mapped >> 20)) of $((size >> 20)) MiB; compressing with zstd ${ARTIFACT_LEVEL[*]}"
  ((mapped * 2 < size)) ||
    log "warning: most of the image is mapped: is it sparse? (copy it with cp --sparse=always, or trim it: fstrim / virt-sparsify)"
  SPARSE_PROGRESS=1 SPARSE_INDEX=$work/frames sparse_compress "$raw" "$out_dir/$bmap" "$out_dir/$image" "$work" "${ARTIFACT_COMPRESSOR[@]}"
  image_sha=$(sha256_of "$out_dir/$image")
  printf '%s  %s\n' "$image_sha" "$image" >"$out_dir/$sums"
  info_write
  log "done in $((SECONDS - t0)) s: $out_dir/$image ($(($(stat -c %s "$out_dir/$image") >> 20)) MiB), $sums, $bmap, image-info.json"
}

main "$@"
