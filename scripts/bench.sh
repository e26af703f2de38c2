#!/usr/bin/env bash
# shellcheck disable=SC2016 # sh -c scripts take their arguments as "$1"...: single quotes on purpose
# The image-artifact benchmark (`npx projen bench`). See usage().
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
readonly LOG_PREFIX=bench PACKAGES_HINT='add its package to test/system-packages.txt'
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$here/lib/common.sh"
# shellcheck source=lib/sparse-image.sh source-path=SCRIPTDIR
source "$here/lib/sparse-image.sh"
# shellcheck source=lib/fetch.sh source-path=SCRIPTDIR
source "$here/lib/fetch.sh"

readonly NODE=golyat-1
readonly BASE=${LOLICE_BENCH_DIR:-$repo/.scratch/bench}
# Compressors tried besides the project's (all skip holes the same way); label|command.
readonly CANDIDATES=(
  'lz4 -1|lz4 -q -1 -c'
  'zstd -1|zstd -q -T0 -1 -c'
  'zstd -3|zstd -q -T0 -3 -c'
  'zstd -6 --long=27|zstd -q -T0 -6 --long=27 -c'
  'zstd -12 --long=27|zstd -q -T0 -12 --long=27 -c'
  'gzip -6 (pigz)|pigz -q -6 -c'
  'xz -1 -T0|xz -q -T0 -1 -c'
)

usage() {
  cat <<'EOF'
Usage: bench.sh [--size-gib N] [--tree DIR]      (npx projen bench)

Measures, in one run on this machine, on a realistic image (a sparse raw disk of the
model's image.diskSizeGiB holding the VM bench's Debian system, test/vm/build-image.sh):
  - the seed's pipeline: xz -9 -T0 over the whole raw image; xz -dc | dd to flash;
  - the project's: scripts/postprocess-image.sh; scripts/flash-image.sh from a --source-dir
    (its copies into a private directory included, also measured on their own); bmaptool;
  - other compressors, holes skipped the same way, and zstd over the full image;
  - `npx projen` against a bare projen TypeScript project's synth;
and prints every figure, the ratios and the issue's targets. Needs root (loop mount),
about 24 GiB free under .scratch/bench (the seed's dd writes the whole image), and
15-20 minutes on 2 cores. It first installs the missing packages of test/system-packages.txt
(test/setup-system.sh, as `npx projen test` does). Scratch files are removed at the end, also when interrupted.
Quick trials (figures not comparable): --size-gib N  a smaller disk;
  --tree DIR  the root file system's contents from DIR instead of the VM bench's system.
Exit codes (docs/exit-codes.md): 0 every target met, 1 a target missed (the figures are
printed), 64 usage, 66 no --tree directory, 69 missing command, 73 too little free space,
77 not root, 130 SIGINT, 143 SIGTERM.
EOF
}

# --- output -----------------------------------------------------------------------

t_start=$EPOCHREALTIME
# Replaces common.sh's log (die and require_cmd use it): elapsed time instead of LOG_PREFIX.
log() { printf '[%s] %s\n' "$(elapsed)" "$*" >&2; }
elapsed() { awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { s = b - a; printf "%02d:%02d", s / 60, s % 60 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
row() { printf '  %-40s %17s %12s  %s\n' "$@"; }
# target NAME VALUE OP LIMIT: prints a target line and counts misses.
target() {
  local verdict=met
  awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { exit !((op == "<=") ? v <= l : v >= l) }' || { verdict=MISSED; missed=$((missed + 1)); }
  printf '  target %-52s %8s %s %-6s %s\n' "$1" "$2" "$3" "$4" "$verdict"
}

# ticker PID WHAT [FILE]: a progress line every 30 s while PID runs.
ticker() {
  local pid=$1 what=$2 file=${3:-}
  while sleep 30 && kill -0 "$pid" 2>/dev/null; do
    log "  ... $what still running${file:+, $(mib "$(stat -c %s "$file" 2>/dev/null || echo 0)") written}"
  done
}

declare -A wall=() cpu=() written=()
# measure NAME [FILE] -- COMMAND...: runs COMMAND (a function too) in a subshell, sets
# wall[NAME] (seconds), cpu[NAME] (user + system seconds of COMMAND and its children:
# comparable between runs on a busy machine, unlike wall time) and written[NAME] (bytes
# they wrote to storage: write_bytes of /proc/<pid>/io, which adds reaped children's).
measure() {
  local name=$1 file='' t0 io pid
  shift
  [[ $1 == -- ]] || { file=$1; shift; }
  shift
  io=$work/io.$name
  t0=$EPOCHREALTIME
  ("$@" && cat "/proc/$BASHPID/io" >"$io" && times >"$io.cpu") &
  pid=$! job=$!
  ticker "$pid" "$name" "$file" &
  tick=$!
  disown "$tick" # no job-control notice when it is stopped
  wait "$pid"
  kill "$tick" 2>/dev/null || true
  tick='' job=''
  wall[$name]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  written[$name]=$(awk '$1 == "write_bytes:" { print $2 }' "$io")
  # `times`: "1m2.5s 0m0.3s" lines (the shell, then its children); sum all four.
  cpu[$name]=$(awk '{ for (i = 1; i <= NF; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } } END { printf "%.1f", s }' "$io.cpu")
}

# --- the realistic image ---------------------------------------------------------------

# image_build RAW SIZE-GIB: a sparse GPT disk laid out like the worker image (BIOS boot,
# 512 MiB ESP, ext4 root on the rest) whose root holds the VM bench's Debian system.
image_build() {
  local raw=$1 gib=$2 tree=$3 bench disk start
  if [[ -z $tree ]]; then
    bench=$(bash "$repo/test/vm/build-image.sh" | tail -n 1)
    disk=$bench/disk.raw
    start=$(sgdisk -i 1 "$disk" | awk '/^First sector:/ { print $3 }')
    [[ $start =~ ^[0-9]+$ ]] || { log "error: no partition 1 in $disk"; return 1; }
    mkdir -p "$mnt"
    mount -o ro,loop,offset=$((start * 512)) "$disk" "$mnt"
    tree=$mnt
  fi
  truncate -s "${gib}G" "$raw"
  sgdisk --clear --new=1:1M:+1M --typecode=1:EF02 --new=2:2M:+512M --typecode=2:EF00 \
    --new=3:514M:0 --typecode=3:8304 "$raw" >/dev/null
  local root_start root_end
  root_start=$(sgdisk -i 3 "$raw" | awk '/^First sector:/ { print $3 }')
  root_end=$(sgdisk -i 3 "$raw" | awk '/^Last sector:/ { print $3 }')
  mkfs.fat -F 32 -n ESP --offset 4096 "$raw" $((512 * 1024)) >/dev/null 2>&1
  mke2fs -q -F -t ext4 -L root -d "$tree" -E offset=$((root_start * 512)),nodiscard \
    "$raw" $(((root_end - root_start + 1) / 2))k
  if mountpoint -q "$mnt"; then umount "$mnt"; fi
}

# --- phases ------------------------------------------------------------------------------

phase_image() {
  local gib=$1 tree=$2
  log "image: ${gib} GiB sparse raw disk with ${tree:-the VM bench system}"
  measure image -- image_build "$raw" "$gib" "$tree"
  size_raw=$(stat -c %s "$raw")
  used=$(($(stat -c %b "$raw") * $(stat -c %B "$raw")))
  log "image: $(mib "$size_raw"), $(mib "$used") used, built in ${wall[image]} s"
}

phase_compress() {
  log "compress (seed): xz -9 -T0 over the whole raw image (the long one: minutes)"
  measure seed_xz "$work/seed.img.xz" -- sh -c 'xz -9 -T0 -c "$1" >"$2"' _ "$raw" "$work/seed.img.xz"
  size_seed=$(stat -c %s "$work/seed.img.xz")
  log "compress (seed): ${wall[seed_xz]} s, $(mib "$size_seed")"

  log "compress (project): scripts/postprocess-image.sh"
  mkdir -p "$work/out"
  measure project -- env NODE_NAME=$NODE KUBERNETES_VERSION=bench CRIO_VERSION=bench GIT_COMMIT=0000000 \
    BUILD_TIME=2000-01-01T00:00:00Z "$here/postprocess-image.sh" "$raw" "$work/out"
  artifact=$work/out/$NODE.img.$ARTIFACT_EXTENSION
  size_project=$(stat -c %s "$artifact")
  mapped=$(sparse_mapped_bytes "$work/out/$NODE.img.bmap")
  log "compress (project): ${wall[project]} s, $(mib "$size_project")"
}

phase_candidates() {
  local c label i=0 zeros=$work/zero-frames out=$work/candidate cmd=()
  cand_rows=()
  for c in "${CANDIDATES[@]}"; do
    label=${c%%|*} i=$((i + 1))
    read -r -a cmd <<<"${c#*|}"
    log "candidate $i/${#CANDIDATES[@]}: $label (holes skipped)"
    rm -rf "$zeros" && mkdir -p "$zeros"
    measure cand "$out" -- sparse_compress "$raw" "$work/out/$NODE.img.bmap" "$out" "$zeros" "${cmd[@]}"
    cand_rows+=("$label|${wall[cand]}|${cpu[cand]}|$(stat -c %s "$out")")
    rm -f "$out"
  done
  log "candidate: zstd ${ARTIFACT_LEVEL[*]} over the full image (holes read and compressed)"
  measure full "$out" -- sh -c 'in=$1 out=$2; shift 2; "$@" <"$in" >"$out"' _ "$raw" "$out" "${ARTIFACT_COMPRESSOR[@]}"
  cand_rows+=("zstd ${ARTIFACT_LEVEL[*]}, full image|${wall[full]}|${cpu[full]}|$(stat -c %s "$out")")
  rm -f "$out"
}

phase_decompress() {
  log "decompress: xz -dc (seed) and zstd -dc (project) of the whole image to /dev/null"
  measure seed_dc -- sh -c 'xz -dc "$1" >/dev/null' _ "$work/seed.img.xz"
  measure project_dc -- sh -c 'zstd -dc "$1" >/dev/null' _ "$artifact"
  log "decompress: xz ${wall[seed_dc]} s, zstd ${wall[project_dc]} s"
}

phase_flash() {
  local target=$work/target.img standin=$work/standin prefix
  log "flash (seed): xz -dc | dd of=<file> bs=4M conv=fsync"
  measure seed_flash "$target" -- sh -c 'xz -dc "$1" | dd of="$2" bs=4M conv=fsync status=none' _ "$work/seed.img.xz" "$target"
  alloc_seed=$(($(stat -c %b "$target") * $(stat -c %B "$target")))
  rm -f "$target"
  log "flash (seed): ${wall[seed_flash]} s, $(mib "${written[seed_flash]}") written"

  # The S3 stand-in: the artifacts in a directory laid out like the bucket.
  prefix=$(jq -r .prefix "$repo/generated/image-locations.json")
  mkdir -p "$standin/$prefix/$NODE"
  mv "$work/out" "$standin/$prefix/$NODE/latest"
  artifact=$standin/$prefix/$NODE/latest/$NODE.img.$ARTIFACT_EXTENSION
  # No attestation here (GitHub is not reachable, the bench's build is not signed):
  # --allow-unattested; everything else (schema, SHA-256s, each segment's hash) is checked.
  log "flash (project): scripts/flash-image.sh --output <file> --allow-unattested (S3 stand-in: a local directory)"
  measure project_flash "$target" -- "$here/flash-image.sh" --node "$NODE" --output "$target" --source-dir "$standin" --allow-unattested
  alloc_project=$(($(stat -c %b "$target") * $(stat -c %B "$target")))
  log "flash (project): ${wall[project_flash]} s, $(mib "${written[project_flash]}") written; checking the written data"
  flashed_check "$target" "$standin/$prefix/$NODE/latest/$NODE.img.bmap" || return 1
  rm -f "$target"
  # Part of the row above: the helper copies every file from --source-dir (or S3) into its
  # private directory before it checks it. The same copies on their own (fetch.sh's fetch_local).
  log "flash (project): of which, copying the artifacts into a private directory (fetch_local, as flash-image.sh does)"
  measure copy -- copy_artifacts "$standin/$prefix/$NODE/latest" "$work/copy"
  copied=$(du -cb "$work/copy"/* | tail -n 1 | cut -f1)
  rm -rf "$work/copy"
  log "flash (project): copying $(mib "$copied"): ${wall[copy]} s"

  # The same artifact with a common tool: bmaptool (the bmap beside it), then a sync as dd's conv=fsync.
  log "flash (bmaptool): bmaptool copy --no-verify of the .zst, the bmap beside it"
  measure bmaptool_flash "$target" -- sh -c 'bmaptool -q copy --no-verify "$1" "$2" && sync "$2"' _ "$artifact" "$target"
  alloc_bmaptool=$(($(stat -c %b "$target") * $(stat -c %B "$target")))
  log "flash (bmaptool): ${wall[bmaptool_flash]} s, $(mib "${written[bmaptool_flash]}") written; checking the written data"
  flashed_check "$target" "$standin/$prefix/$NODE/latest/$NODE.img.bmap" || return 1
  rm -f "$target"
}

# copy_artifacts DIR DEST: copies each file of DIR into the new private directory DEST.
copy_artifacts() {
  local f
  mkdir -m 0700 "$2"
  for f in "$1"/*; do
    fetch_local "$f" "$2/$(basename "$f")" $((1 << 40)) >/dev/null || return 1
  done
}

# flashed_check TARGET BMAP: every mapped range of the raw image is in TARGET, and TARGET
# has the image's size (its holes read as zeros, as the image's do).
flashed_check() {
  local kind off len
  [[ $(stat -c %s "$1") == "$(stat -c %s "$raw")" ]] || { log "error: $1 is not the image's size"; return 1; }
  while read -r kind off len; do
    [[ $kind == data ]] || continue
    cmp -s <(sparse_read "$1" "$off" "$len") <(sparse_read "$raw" "$off" "$len") ||
      { log "error: $1 differs from the raw image at $off"; return 1; }
  done < <(sparse_segments "$2" 1)
}

# projen_run DIR ARGS...: projen in DIR, never its post-synthesis npm install (DIR's
# node_modules is this repository's, linked: an install would replace the link).
projen_run() {
  local dir=$1
  shift
  (cd "$dir" && PROJEN_DISABLE_POST=true "$@" >"$work/projen.log" 2>&1) ||
    { log "error: projen failed in $dir:"; cat "$work/projen.log" >&2; return 1; }
}

# synth_time DIR: "WALL CPU", the medians of three `npx projen --no-post` runs in DIR
# (after a warm-up run).
synth_time() {
  local dir=$1 i walls=() cpus=()
  projen_run "$dir" npx --offline projen --no-post
  for i in 1 2 3; do
    measure synth -- projen_run "$dir" npx --offline projen --no-post
    walls+=("${wall[synth]}") cpus+=("${cpu[synth]}")
  done
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p) $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 2p)"
}

phase_regenerate() {
  local copy=$work/repo-copy bare=$work/bare
  log "regenerate: npx projen on a copy of this repository (3 runs, median)"
  mkdir -p "$copy"
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$copy" 2>/dev/null) || true
  ln -s "$repo/node_modules" "$copy/node_modules"
  read -r regen_project regen_project_cpu < <(synth_time "$copy")
  log "regenerate: a bare projen TypeScript project (projen new typescript, with the tsx runner as here)"
  mkdir -p "$bare"
  ln -s "$repo/node_modules" "$bare/node_modules"
  projen_run "$bare" "$repo/node_modules/.bin/projen" new typescript --no-post --no-git
  # Same .projenrc.ts runner as this repository (tsx); projen's default, ts-node, is not
  # installed. One direct run of the edited .projenrc.ts switches the default task to it.
  sed -i 's|^  projenrcTs: true,|  projenrcTs: true,\n  projenrcTsOptions: { runner: typescript.TypeScriptRunner.tsx() },|' "$bare/.projenrc.ts"
  projen_run "$bare" "$repo/node_modules/.bin/tsx" .projenrc.ts
  jq -e '.tasks.default.steps[0].execArgs[0] == "tsx"' "$bare/.projen/tasks.json" >/dev/null ||
    { log "error: the bare project's default task does not run tsx"; return 1; }
  read -r regen_bare regen_bare_cpu < <(synth_time "$bare")
  log "regenerate: ${regen_project} s (this repository), ${regen_bare} s (bare)"
}

# --- report -------------------------------------------------------------------------------

report() {
  local c label cwall ccpu csize
  echo
  echo "== Benchmark of the image artifacts ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "image:   $(mib "$size_raw") raw, $(mib "$used") used (allocated), $(mib "$mapped") mapped by the bmap; built/reused in ${wall[image]} s"
  echo "(wall = elapsed seconds; cpu = user + system seconds of all processes, steadier on a busy machine)"
  echo
  row "compression" "wall / cpu (s)" "size" "ratio to the seed: wall, cpu, size"
  row "seed: xz -9 -T0, full image" "${wall[seed_xz]} / ${cpu[seed_xz]}" "$(mib "$size_seed")" "1, 1, 1"
  row "project: postprocess-image.sh" "${wall[project]} / ${cpu[project]}" "$(mib "$size_project")" \
    "$(ratio "${wall[project]}" "${wall[seed_xz]}"), $(ratio "${cpu[project]}" "${cpu[seed_xz]}"), $(ratio "$size_project" "$size_seed")"
  for c in "${cand_rows[@]}"; do
    IFS="|" read -r label cwall ccpu csize <<<"$c"
    row "  $label" "$cwall / $ccpu" "$(mib "$csize")" \
      "$(ratio "$cwall" "${wall[seed_xz]}"), $(ratio "$ccpu" "${cpu[seed_xz]}"), $(ratio "$csize" "$size_seed")"
  done
  echo "  (the project's row is zstd ${ARTIFACT_LEVEL[*]} plus bmaptool create and sha256; the candidates below it"
  echo "   skip holes the same way, except the 'full image' row, which reads and compresses all of it)"
  echo
  row "decompression, whole image to /dev/null" "wall / cpu (s)" "" ""
  row "seed: xz -dc" "${wall[seed_dc]} / ${cpu[seed_dc]}" "" ""
  row "project: zstd -dc" "${wall[project_dc]} / ${cpu[project_dc]}" "" "$(ratio "${wall[seed_dc]}" "${wall[project_dc]}")x faster"
  echo
  # The copies go to the host's private directory, not to the USB stick: the bytes-written target
  # (the stick's wear and write time) counts what reaches the target, the total is shown too.
  local to_target=$((written[project_flash] - written[copy]))
  row "flashing to a target file" "wall / cpu (s)" "written" "target allocated"
  row "seed: xz -dc | dd bs=4M conv=fsync" "${wall[seed_flash]} / ${cpu[seed_flash]}" "$(mib "${written[seed_flash]}")" "$(mib "$alloc_seed")"
  row "project: flash-image.sh (frame writer)" "${wall[project_flash]} / ${cpu[project_flash]}" "$(mib "${written[project_flash]}")" "$(mib "$alloc_project")"
  row "  of which: the private copies ($(mib "$copied"))" "${wall[copy]} / ${cpu[copy]}" "$(mib "${written[copy]}")" ""
  row "  of which: to the target (the rest)" "" "$(mib "$to_target")" ""
  row "  bmaptool copy of the same .zst" "${wall[bmaptool_flash]} / ${cpu[bmaptool_flash]}" "$(mib "${written[bmaptool_flash]}")" "$(mib "$alloc_bmaptool")"
  echo "  (written = write_bytes of the flashing processes, from /proc/<pid>/io; the frame writer decompresses"
  echo "   the data frames only, bmaptool the whole image; both end with the target synced to disk. The"
  echo "   project's row includes copying every file from the --source-dir into its private directory first)"
  echo
  row "regeneration: npx projen --no-post" "wall / cpu (s)" "" "(medians of 3 runs, after a warm-up run)"
  row "this repository" "$regen_project / $regen_project_cpu" "" ""
  row "bare projen TypeScript project" "$regen_bare / $regen_bare_cpu" "" "cpu ratio $(ratio "$regen_project_cpu" "$regen_bare_cpu")"
  echo
  echo "targets (issue 11)"
  target "compression time / seed's" "$(ratio "${wall[project]}" "${wall[seed_xz]}")" '<=' 0.15
  target "compressed size / seed's" "$(ratio "$size_project" "$size_seed")" '<=' 1.25
  target "decompression speed / seed's (x faster)" "$(ratio "${wall[seed_dc]}" "${wall[project_dc]}")" '>=' 5
  target "bytes written to the target when flashing / used bytes" "$(ratio "$to_target" "$used")" '<=' 1.1
  target "flashing wall time / seed's xz -dc | dd" "$(ratio "${wall[project_flash]}" "${wall[seed_flash]}")" '<=' 0.2
  target "regeneration / bare projen synth" "$(ratio "$regen_project" "$regen_bare")" '<=' 1.3
  echo "  flashable directly by bmaptool: the bmaptool row wrote the .zst, and its file holds every mapped range"
  echo "total bench time: $(elapsed)"
}

# --- main -----------------------------------------------------------------------------------

cleanup() {
  local status=$?
  [[ -z ${tick:-} ]] || kill "$tick" 2>/dev/null || true
  # The measured job runs in its own process group (set -m): stop it and its children.
  [[ -z ${job:-} ]] || kill -- "-$job" 2>/dev/null || true
  wait 2>/dev/null || true
  if [[ -n ${work:-} ]]; then
    mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
    rm -rf "$work"
  fi
  ((status == 0)) || log "bench stopped (exit $status); scratch files removed"
}

main() {
  local gib='' tree=''
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --size-gib | --tree) (($# >= 2)) || die "$EX_USAGE" "$1 needs a value" ;;&
      --size-gib) gib=$2; shift ;;
      --tree) tree=$(cd "$2" && pwd) || die "$EX_NOINPUT" "--tree $2: not a directory"; shift ;;
      *) usage >&2; die "$EX_USAGE" "unknown argument: $1" ;;
    esac
    shift
  done
  ((EUID == 0)) || die "$EX_NOPERM" "run as root (the bench image is loop-mounted read-only)"
  # The system packages, installed the way the test command installs them (the missing ones
  # of test/system-packages.txt); then every command the bench runs must be there.
  bash "$repo/test/setup-system.sh" >&2 || die "$EX_UNAVAILABLE" "installing test/system-packages.txt failed"
  require_cmd xz zstd lz4 pigz bmaptool jq sgdisk mke2fs mkfs.fat mount mmdebstrap git python3
  gib=${gib:-$(cd "$repo" && node_modules/.bin/tsx -e 'import { lolice } from "./packages/node-model/src/lolice"; console.log(lolice.image.diskSizeGiB)')}
  mkdir -p "$BASE"
  local free
  free=$(df -B1 --output=avail "$BASE" | tail -n 1)
  ((free > (gib + 4) * 1073741824)) || die "$EX_CANTCREAT" "$(mib "$free") free under $BASE; the bench needs $((gib + 4)) GiB"
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  work=$(mktemp -d "$BASE/run.XXXXXX")
  mnt=$work/bench-root
  raw=$work/$NODE.img
  set -m # each measured job in a process group of its own, for cleanup()
  traps_set cleanup
  phase_image "$gib" "$tree"
  phase_compress
  phase_candidates
  phase_decompress
  phase_flash
  phase_regenerate
  missed=0
  report >"$BASE/last-run.txt"
  cat "$BASE/last-run.txt"
  log "figures saved in $BASE/last-run.txt"
  ((missed == 0))
}

main "$@"
