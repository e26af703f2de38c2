#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs and bash -c scripts are single-quoted on purpose
# Functional checks of scripts/postprocess-image.sh and scripts/flash-image.sh on small
# images (a few seconds): shellcheck; the four artifacts and their metadata; the .zst
# decoding with plain `zstd -d` (as bmaptool 3.6 runs it) to the exact raw image; holes
# never read (strace); bmaptool flashing the artifact directly; and the flashing helper
# against a stand-in for S3 (a directory with the bucket's layout, and a stand-in `aws`
# command serving it), its refusals on loop devices, and a real write to a loop device.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh
# shellcheck source=test/checks/lib/flash-standins.sh
source test/checks/lib/flash-standins.sh

# The first worker the image pipeline builds, and the versions its image installs, from the
# generated files (the model's values): never literals here.
group_var() { # group_var NAME: a variable of the generated group_vars/workers.yml
  python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' \
    ansible/inventories/production/group_vars/workers.yml "$1"
}
NODE=$(jq -er '.nodes[0]' generated/image-locations.json)
KUBERNETES_VERSION=$(group_var kubernetes_kubelet_version)
CRIO_VERSION=$(group_var crio_package_version)
readonly NODE KUBERNETES_VERSION CRIO_VERSION BUILD=20250102-abcdef1
# sparse_segments, sparse_read
# shellcheck source=scripts/lib/sparse-image.sh
source scripts/lib/sparse-image.sh
scratch=$(mktemp -d "${TMPDIR:-/tmp}/image-artifacts.XXXXXX")
T_OUTPUT=$scratch/out.log # expect_exit's, read by the checks after it
loops=() mounted=''

cleanup() {
  [[ -z $mounted ]] || umount "$mounted" || true
  local l
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

jq_true() { jq -e "$@" >/dev/null; }
quiet() { "$@" >"$scratch/quiet.log" 2>&1; }
allocated() { echo $(($(stat -c %b "$1") * $(stat -c %B "$1"))); }

# image_make FILE: a 512 MiB sparse GPT disk with an ext4 partition holding random and
# text files (about 10 MiB of data, spread by mke2fs over its block groups).
image_make() {
  local tree=$scratch/tree
  mkdir -p "$tree/etc" "$tree/bin"
  head -c 6M /dev/urandom >"$tree/bin/blob"
  seq 1 400000 >"$tree/etc/numbers"
  truncate -s 512M "$1"
  sgdisk --clear --new=1:1M:0 --typecode=1:8304 "$1" >/dev/null
  mke2fs -q -F -t ext4 -d "$tree" -E offset=1048576,nodiscard "$1" $((510 * 1024))k
}

# The post-processing environment as the image workflow sets it.
readonly PP_ENV=("NODE_NAME=$NODE" "KUBERNETES_VERSION=$KUBERNETES_VERSION" "CRIO_VERSION=$CRIO_VERSION" GIT_COMMIT=abcdef1 BUILD_TIME=2025-01-02T03:04:05Z)
postprocess() { env "${PP_ENV[@]}" scripts/postprocess-image.sh "$@"; }

# mapped_equal TARGET RAW BMAP: every range the block map lists is identical in TARGET and RAW.
mapped_equal() {
  local kind off len
  while read -r kind off len; do
    [[ $kind == data ]] || continue
    cmp -s <(sparse_read "$1" "$off" "$len") <(sparse_read "$2" "$off" "$len") || return 1
  done < <(sparse_segments "$3" 1)
}

section_shellcheck() {
  check "shellcheck: scripts and this check" shellcheck -x scripts/*.sh scripts/lib/*.sh "$0"
}

section_postprocess() {
  local raw=$scratch/disk.raw out=$scratch/out
  image_make "$raw"
  # Every read(2) of the raw image, with its path, to prove that holes are not read.
  strace -f -qq -e trace=read,pread64,readv,preadv,preadv2,sendfile,copy_file_range,splice \
    -y -o "$scratch/strace.log" env "${PP_ENV[@]}" scripts/postprocess-image.sh "$raw" "$out" 2>"$scratch/pp.log" ||
    { t_fail "postprocess-image.sh ran"; cat "$scratch/pp.log"; return; }
  t_ok "postprocess-image.sh ran"

  # node-model's S3 layout names the files of a build (generated/image-locations.json): the
  # four post-processing writes, and the attestation bundle the image workflow adds.
  local files
  files=$(jq -r --arg node "$NODE" '[.files[] | sub("\\{node\\}"; $node)] - [.attestation.bundle] | .[]' \
    generated/image-locations.json | sort | paste -sd' ')
  check "out-dir holds exactly the four artifacts, the files of node-model's layout" \
    test "$(find "$out" -mindepth 1 -printf '%f\n' | sort | paste -sd' ')" == "$files"
  check ".sha256 verifies with sha256sum -c" bash -c "cd '$out' && sha256sum --strict -c $NODE.img.zst.sha256 >/dev/null"
  local info=$out/image-info.json mapped
  mapped=$(($(sed -n 's/.*<MappedBlocksCount> *\([0-9]*\).*/\1/p' "$out/$NODE.img.bmap") * 4096))
  check "image-info.json: node, versions, commit, build time from the environment" jq_true \
    --arg node "$NODE" --arg k8s "$KUBERNETES_VERSION" --arg crio "$CRIO_VERSION" \
    '.node == $node and .kubernetesVersion == $k8s and .crioVersion == $crio
     and .gitCommit == "abcdef1" and .buildTime == "2025-01-02T03:04:05Z"' "$info"
  check "image-info.json: names, sizes and sha256 of the files" jq_true \
    --arg sha "$(sha256sum "$out/$NODE.img.zst" | cut -d' ' -f1)" --argjson size "$(stat -c %s "$out/$NODE.img.zst")" \
    --arg bsha "$(sha256sum "$out/$NODE.img.bmap" | cut -d' ' -f1)" --argjson raw "$(stat -c %s "$raw")" \
    --argjson mapped "$mapped" --arg node "$NODE" \
    '.image == {file: "\($node).img.zst", bytes: $size, sha256: $sha, compressor: "zstd -10 --long=27"}
     and .sha256File == "\($node).img.zst.sha256" and .bmap.file == "\($node).img.bmap" and .bmap.sha256 == $bsha
     and .raw == {file: "\($node).img", bytes: $raw, mappedBytes: $mapped}' "$info"
  check "plain 'zstd -dc' (bmaptool 3.6's call) restores the raw image byte for byte" \
    bash -c "zstd -dc '$out/$NODE.img.zst' | cmp - '$raw'"
  check "the bmap lists a small part of the image (test image is sparse)" test $((mapped * 20)) -lt "$(stat -c %s "$raw")"
  check "image-info.json: the frame index tiles the raw image and the .zst, in order, without a gap" jq_true \
    --argjson raw "$(stat -c %s "$raw")" --argjson zst "$(stat -c %s "$out/$NODE.img.zst")" '
      .frames as $f | ($f | length) > 1 and ([$f[].kind] | unique) == ["data", "zero"]
      and $f[0].rawOffset == 0 and $f[0].offset == 0
      and ([range(1; $f | length) | $f[.].rawOffset == $f[. - 1].rawOffset + $f[. - 1].rawLength
            and $f[.].offset == $f[. - 1].offset + $f[. - 1].length] | all)
      and ($f[-1] | .rawOffset + .rawLength == $raw and .offset + .length == $zst)' "$info"
  check "... each data frame decompresses on its own to its segment of the raw image" bash -c '
    jq -r ".frames[] | select(.kind == \"data\") | \"\(.rawOffset) \(.rawLength) \(.offset) \(.length)\"" "$1" |
      while read -r roff rlen off len; do
        cmp <(dd if="$2" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=4M status=none | zstd -dcq) \
          <(dd if="$3" iflag=skip_bytes,count_bytes skip="$roff" count="$rlen" bs=4M status=none) || exit 1
      done' _ "$info" "$out/$NODE.img.zst" "$raw"
  check "... each data segment carries the SHA-256 of its bytes in the raw image (zero segments none)" bash -c '
    jq -e "all(.frames[] | select(.kind == \"zero\"); has(\"sha256\") | not)" "$1" >/dev/null || exit 1
    jq -r ".frames[] | select(.kind == \"data\") | \"\(.rawOffset) \(.rawLength) \(.sha256)\"" "$1" |
      while read -r roff rlen sha; do
        [[ $(dd if="$2" iflag=skip_bytes,count_bytes skip="$roff" count="$rlen" bs=4M status=none | sha256sum | cut -c1-64) == "$sha" ]] || exit 1
      done' _ "$info" "$raw"
  check "image-info.json is valid against scripts/lib/image-info.schema.json (python3-jsonschema)" python3 -c '
import json, sys, jsonschema
jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))' scripts/lib/image-info.schema.json "$info"

  # Bytes read from the raw image: the mapped data once (bmaptool create checksums it)
  # and the data segments once (the compressor: mapped data plus holes shorter than
  # SPARSE_MERGE_GAP folded in); the other holes never.
  local read_bytes segments
  read_bytes=$(awk -v f="<$raw>" 'index($0, f) && $NF ~ /^[0-9]+$/ { n += $NF } END { printf "%.0f", n }' "$scratch/strace.log")
  segments=$(bash -c 'source scripts/lib/sparse-image.sh && sparse_segments "$1"' _ "$out/$NODE.img.bmap" |
    awk '$1 == "data" { n += $3 } END { printf "%.0f", n }')
  echo "# read from the raw image: $read_bytes bytes; mapped: $mapped; data segments: $segments; image: $(stat -c %s "$raw")"
  check "holes are not read: bytes read from the raw image <= mapped + data segments + 1 MiB" \
    test "$read_bytes" -le $((mapped + segments + 1048576))
  check "holes are not read: less than a tenth of the image was read" test $((read_bytes * 10)) -lt "$(stat -c %s "$raw")"

  local target=$scratch/bmaptool-target.img
  check "bmaptool copy flashes the .zst directly (bmap discovered beside it)" \
    bash -c "bmaptool copy '$out/$NODE.img.zst' '$target' 2>/dev/null && cmp '$target' '$raw'"
  check "bmaptool wrote about the mapped bytes only (allocated <= 1.1 x mapped + 1 MiB)" \
    test "$(allocated "$target")" -le $((mapped * 11 / 10 + 1048576))

  # An image whose size is not a multiple of the 4 KiB block: the last partial block survives.
  local odd=$scratch/odd.raw
  truncate -s $((40 * 1048576 + 512)) "$odd"
  head -c 4096 /dev/urandom | dd of="$odd" bs=512 seek=$((40 * 2048 - 7)) conv=notrunc status=none
  postprocess "$odd" "$scratch/odd" 2>/dev/null
  check "an odd-sized image round-trips through postprocess and zstd -dc" \
    bash -c "zstd -dc '$scratch/odd/$NODE.img.zst' | cmp - '$odd'"

  expect_exit 65 'NODE_NAME is not set' "postprocess refuses a missing NODE_NAME" \
    env -u NODE_NAME "${PP_ENV[@]:1}" scripts/postprocess-image.sh "$raw" "$scratch/never"
  expect_exit 65 'BUILD_TIME=yesterday is not ISO 8601' "postprocess refuses a malformed BUILD_TIME" \
    env "${PP_ENV[@]}" BUILD_TIME=yesterday scripts/postprocess-image.sh "$raw" "$scratch/never"
  check "... before writing anything" test ! -e "$scratch/never"
  expect_exit 73 'is not empty' "postprocess refuses a non-empty out-dir" postprocess "$raw" "$out"
  check "... and leaves it as it was" test "$(find "$out" -mindepth 1 | wc -l)" -eq 4
}

# The S3 stand-in: a directory laid out like the bucket (served by the stand-in aws), latest and
# one dated build, each with the build's (stand-in) attestation bundle beside its files.
standin_make() {
  local prefix
  prefix=$(jq -r .prefix generated/image-locations.json)
  bucket=$scratch/standin-bucket
  mkdir -p "$bucket/$prefix/$NODE/latest" "$bucket/$prefix/$NODE/builds/$BUILD"
  cp "$scratch/out"/* "$bucket/$prefix/$NODE/latest/"
  cp "$scratch/out"/* "$bucket/$prefix/$NODE/builds/$BUILD/"
  attest "$bucket/$prefix/$NODE/latest"
  attest "$bucket/$prefix/$NODE/builds/$BUILD"
}

section_flash_file() {
  local raw=$scratch/disk.raw flash=scripts/flash-image.sh t=$scratch/flashed.img
  standin_make
  if LOLICE_FLASH_PROGRESS_SECONDS=0.01 "$flash" --node "$NODE" --output "$t" --source-dir "$bucket" >"$scratch/f.log" 2>&1; then
    t_ok "flash-image.sh --output writes the latest image from the stand-in"
  else
    t_fail "flash-image.sh --output writes the latest image from the stand-in"
    sed 's/^/    /' "$scratch/f.log"
  fi
  check "... byte for byte the raw image" cmp "$t" "$raw"
  check "... writing about the mapped bytes only (allocated <= 1.1 x mapped + 1 MiB)" \
    test "$(allocated "$t")" -le $(($(jq .raw.mappedBytes "$scratch/out/image-info.json") * 11 / 10 + 1048576))
  check "... after verifying the sha256" grep -q "verifying sha256 of $NODE.img.zst" "$scratch/f.log"
  check "... showing progress" grep -Eq 'written [0-9]+ of [0-9]+ MiB \([0-9]+%\)' "$scratch/f.log"
  rm -f "$t"

  # The frame writer: zstd (a stand-in wrapper counting what it outputs) decompresses the
  # data frames only, never the holes' zero frames.
  local data image_bytes
  data=$(jq '[.frames[] | select(.kind == "data") | .rawLength] | add' "$scratch/out/image-info.json")
  image_bytes=$(stat -c %s "$raw")
  mkdir -p "$scratch/zbin"
  printf '#!/usr/bin/env bash\n# Stand-in around zstd: counts the bytes it writes.\nset -o pipefail\n%s "$@" | tee >(wc -c >>%q)\nstatus=$?\nwait $!\nexit $status\n' \
    "$(command -v zstd)" "$scratch/zstd-bytes" >"$scratch/zbin/zstd"
  chmod +x "$scratch/zbin/zstd"
  : >"$scratch/zstd-bytes"
  PATH=$scratch/zbin:$PATH "$flash" --node "$NODE" --output "$t" --source-dir "$bucket" >"$scratch/fw.log" 2>&1
  check "the frame writer (the default) writes the image" bash -c "grep -q 'data segments' '$scratch/fw.log' && cmp '$t' '$raw'"
  check "... decompressing the data segments only ($data of $image_bytes bytes)" \
    test "$(awk '{ n += $1 } END { print n + 0 }' "$scratch/zstd-bytes")" -eq "$data"
  check "... (which are a small part of the image)" test $((data * 10)) -lt "$image_bytes"
  rm -f "$t"

  # An artifact without a frame index (older post-processing): bmaptool writes it.
  local old=$scratch/old-bucket prefix
  prefix=$(jq -r .prefix generated/image-locations.json)
  cp -r "$bucket" "$old"
  jq 'del(.frames)' "$bucket/$prefix/$NODE/latest/image-info.json" >"$old/$prefix/$NODE/latest/image-info.json"
  attest "$old/$prefix/$NODE/latest" # as if the build had made it: the writer's own checks are under test
  check "an image-info.json without a frame index: written with bmaptool, the same image" \
    bash -c "'$flash' --node $NODE --output '$t' --source-dir '$old' 2>'$scratch/old.log' && grep -q 'with bmaptool' '$scratch/old.log' && cmp '$t' '$raw'"
  rm -f "$t"
  jq '.frames[1].offset += 1' "$bucket/$prefix/$NODE/latest/image-info.json" >"$old/$prefix/$NODE/latest/image-info.json"
  attest "$old/$prefix/$NODE/latest"
  expect_exit 65 'frame index does not match' "a frame index that does not tile the .zst is refused" \
    "$flash" --node "$NODE" --output "$scratch/never.img" --source-dir "$old"
  check "... before anything is written" test ! -e "$scratch/never.img"
  jq '(.frames | map(.kind == "data") | index(true)) as $d | .frames[$d].rawLength -= 4096 | .frames[$d + 1].rawOffset -= 4096 | .frames[$d + 1].rawLength += 4096' \
    "$bucket/$prefix/$NODE/latest/image-info.json" >"$old/$prefix/$NODE/latest/image-info.json"
  attest "$old/$prefix/$NODE/latest"
  expect_exit 65 'frame index does not match' "a frame index whose data segments miss a block map range is refused" \
    "$flash" --node "$NODE" --output "$scratch/never.img" --source-dir "$old"
  check "--verify-ranges (bmaptool re-checks every range) writes the same image" \
    bash -c "'$flash' --node $NODE --output '$t' --verify-ranges --source-dir '$bucket' 2>/dev/null && cmp '$t' '$raw'"
  rm -f "$t"
  check "a dated build: --build $BUILD" bash -c "'$flash' --node $NODE --build $BUILD --output '$t' --source-dir '$bucket' 2>/dev/null && cmp '$t' '$raw'"

  head -c 64M /dev/urandom >"$t"
  expect_exit 77 'already exists; pass --force' "an existing --output file is refused" \
    "$flash" --node "$NODE" --output "$t" --source-dir "$bucket"
  check "... and with --force overwritten to exactly the image (old bytes gone)" \
    bash -c "'$flash' --node $NODE --output '$t' --force --source-dir '$bucket' 2>/dev/null && cmp '$t' '$raw'"

  local bad=$scratch/bad-bucket prefix
  prefix=$(jq -r .prefix generated/image-locations.json)
  cp -r "$bucket" "$bad"
  printf 'x' | dd of="$bad/$prefix/$NODE/latest/$NODE.img.zst" bs=1 seek=1000 conv=notrunc status=none
  expect_exit 65 'does not match' "a corrupted download is refused (sha256)" \
    "$flash" --node "$NODE" --output "$scratch/never.img" --source-dir "$bad"
  check "... and nothing is written" test ! -e "$scratch/never.img"
  expect_exit 64 "unknown node $NODE-unknown" "an unknown node is refused" "$flash" --node "$NODE-unknown" --output "$scratch/never.img" --source-dir "$bucket"
  expect_exit 64 'expected latest or YYYYMMDD' "a malformed build id is refused" "$flash" --node "$NODE" --build last --output "$scratch/never.img" --source-dir "$bucket"
  expect_exit 77 'not a block device' "--device on a regular file is refused" "$flash" --node "$NODE" --device "$raw" --source-dir "$bucket"

  # S3 through the aws CLI (stand-in): bucket, key layout and region from the generated file.
  local b r
  b=$(jq -r .bucket generated/image-locations.json) r=$(jq -r .region generated/image-locations.json)
  rm -f "$t"
  check "S3 path: downloads via 'aws s3 cp' and writes the image" \
    bash -c "'$flash' --node $NODE --build $BUILD --output '$t' 2>/dev/null && cmp '$t' '$raw'"
  check "... from s3://$b/$prefix/$NODE/builds/$BUILD/ in $r (from generated/image-locations.json)" \
    grep -q -- "^s3 cp --region $r .*s3://$b/$prefix/$NODE/builds/$BUILD/$NODE.img.zst " "$scratch/aws.log"
}

section_flash_device() {
  local raw=$scratch/disk.raw flash=scripts/flash-image.sh disk loop before
  disk=$scratch/loop-disk.img
  truncate -s 512M "$disk"
  head -c 1M /dev/urandom | dd of="$disk" conv=notrunc status=none
  loop=$(losetup -f --show "$disk")
  loops+=("$loop")
  before=$(sha256sum "$disk" | cut -d' ' -f1)
  expect_exit 77 'not a removable or USB disk' "a non-removable disk (loop device) is refused" \
    "$flash" --node "$NODE" --device "$loop" --yes --source-dir "$bucket"
  check "... before any download" bash -c "! grep -q image-info.json '$scratch/out.log'"
  expect_exit 77 'no terminal to confirm on; pass --yes' "without --yes and no terminal, --force is not enough" \
    "$flash" --node "$NODE" --device "$loop" --force --source-dir "$bucket" </dev/null
  check "... and the disk is untouched" test "$(sha256sum "$disk" | cut -d' ' -f1)" == "$before"

  mkfs.ext4 -q -F "$loop"
  mounted=$scratch/mnt
  mkdir -p "$mounted"
  mount "$loop" "$mounted"
  expect_exit 77 "in use: .* on $mounted" "a mounted disk is refused" "$flash" --node "$NODE" --device "$loop" --yes --source-dir "$bucket"
  umount "$mounted"
  mounted=''

  local root_src
  root_src=$(findmnt -no SOURCE /)
  if [[ -b $root_src ]]; then
    expect_exit 77 "holds the running system's root file system" "the disk under / is refused, even with --force" \
      "$flash" --node "$NODE" --device "$root_src" --force --yes --source-dir "$bucket"
  else
    echo "# skipped: / is not on a block device here ($root_src)"
  fi

  local parted=$scratch/parted.img part
  cp --sparse=always "$raw" "$parted"
  local ploop
  ploop=$(losetup -f --show -P "$parted")
  loops+=("$ploop")
  partx -u "$ploop" 2>/dev/null || true
  part=${ploop}p1
  if [[ -b $part ]]; then
    expect_exit 77 'not a whole disk' "a partition is refused, even with --force" \
      "$flash" --node "$NODE" --device "$part" --force --yes --source-dir "$bucket"
  else
    t_fail "a partition is refused: no partition node $part appeared"
  fi

  if "$flash" --node "$NODE" --device "$loop" --force --yes --source-dir "$bucket" >"$scratch/d.log" 2>&1; then
    t_ok "--force --yes writes a non-removable disk (loop device)"
  else
    t_fail "--force --yes writes a non-removable disk (loop device)"
    sed 's/^/    /' "$scratch/d.log"
  fi
  check "... every mapped range of the image is on the disk" mapped_equal "$loop" "$raw" "$scratch/out/$NODE.img.bmap"
  check "... (the check can fail: the disk's old bytes remain in the holes)" bash -c "! cmp -s -n $(stat -c %s "$raw") '$loop' '$raw'"
}

# --- hostile artifacts (issue 16's audit, case by case) ------------------------------------

# bucket_copy NAME: a copy of the stand-in bucket: hsrc (for --source-dir) and hb (its latest/).
bucket_copy() {
  hsrc=$scratch/h-$1
  rm -rf "$hsrc" "$scratch/never.img" "$scratch/h.img"
  cp -r "$bucket" "$hsrc"
  hb=$hsrc/$(jq -r .prefix generated/image-locations.json)/$NODE/latest
}
# bucket_of OUT NAME: a stand-in bucket holding the artifacts in OUT, attested; sets hsrc, hb.
bucket_of() {
  hsrc=$scratch/h-$2
  hb=$hsrc/$(jq -r .prefix generated/image-locations.json)/$NODE/latest
  rm -rf "$hsrc" && mkdir -p "$hb" && cp "$1"/* "$hb/"
  attest "$hb"
}
# tamper JQ-ARGS...: rewrites $hb/image-info.json with jq.
tamper() { jq "$@" "$hb/image-info.json" >"$scratch/tampered.json" && mv "$scratch/tampered.json" "$hb/image-info.json"; }
# data_segment N: "RAW-OFFSET RAW-LENGTH" of the Nth data segment (from 1) of $hb's index.
data_segment() { jq -r --argjson n "$1" '[.frames[] | select(.kind == "data")][$n - 1] | "\(.rawOffset) \(.rawLength)"' "$hb/image-info.json"; }
# flash_h ARGS...: flash-image.sh for NODE from $hsrc.
flash_h() { scripts/flash-image.sh --node "$NODE" --source-dir "$hsrc" "$@"; }
# one_line PATTERN: the last command's output has exactly one line matching PATTERN.
one_line() { test "$(grep -Ec -- "$1" "$scratch/out.log")" -eq 1; }

# slow_zstd: a stand-in zstd on PATH that waits 0.3 s before running the real one, so that a
# signal arrives in the middle of the work.
slow_zstd() {
  mkdir -p "$scratch/slow"
  printf '#!/usr/bin/env bash\n# Stand-in around zstd: slow, so that a test can interrupt its caller.\nsleep 0.3\nexec %q "$@"\n' \
    "$(command -v zstd)" >"$scratch/slow/zstd"
  chmod +x "$scratch/slow/zstd"
}

# interrupt SIGNAL FILE COMMAND...: runs COMMAND (SIGINT and SIGTERM at their defaults, as in
# a terminal), sends SIGNAL once FILE exists, and leaves its exit code in $status and its
# output in $scratch/out.log.
interrupt() {
  local signal=$1 file=$2 pid i
  shift 2
  env --default-signal=INT,TERM PATH="$scratch/slow:$PATH" "$@" >"$scratch/out.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 200; i++)); do [[ -e $file ]] && break; sleep 0.05; done
  sleep 0.2
  kill "-$signal" "$pid"
  status=0
  wait "$pid" || status=$?
}

section_hostile() {
  local raw=$scratch/disk.raw never=$scratch/never.img t=$scratch/h.img prefix
  prefix=$(jq -r .prefix generated/image-locations.json)

  # 1. Code execution as root: an arithmetic expansion in a number field.
  bucket_copy exec
  tamper --arg v "BASH_VERSINFO[\$(id >$scratch/pwned)0]" '.raw.mappedBytes = $v'
  expect_exit 65 'image-info.json\.raw\.mappedBytes: .* is not of type .integer.' \
    "code in raw.mappedBytes: refused by the schema, naming the field" flash_h --output "$never"
  check "... the code never ran" test ! -e "$scratch/pwned"
  check "... nothing was written" test ! -e "$never"
  tamper --arg v "BASH_VERSINFO[\$(id >$scratch/pwned)0]" '.raw.mappedBytes = 1 | .raw.bytes = $v'
  expect_exit 65 'image-info.json\.raw\.bytes: ' "code in raw.bytes: refused, even with --allow-unattested" \
    flash_h --output "$never" --allow-unattested
  check "... the code never ran" test ! -e "$scratch/pwned"

  # Every field is checked against the schema before anything reads it: one case per rule.
  local rule jqprog field
  while IFS='~' read -r rule jqprog field <&3; do
    field=${field//@NODE@/$NODE}
    bucket_copy schema
    tamper "$jqprog"
    expect_exit 65 "$field" "schema: $rule" flash_h --output "$never"
    check "... nothing written" test ! -e "$never"
  done 3<<'EOF'
a negative number~.frames[1].rawLength = -4096~image-info.json\.frames\[1\]\.rawLength: -4096 is less than the minimum of 1
a number beyond 16 TiB~.raw.bytes = 1e20~image-info.json\.raw\.bytes: .* is greater than the maximum
a fraction~.frames[0].offset = 0.5~image-info.json\.frames\[0\]\.offset: 0\.5 is not of type .integer.
a number as a string~.image.bytes |= tostring~image-info.json\.image\.bytes: .* is not of type .integer.
a file name outside the build~.image.file = "../../etc/passwd"~image-info.json\.image\.file: .* does not match
a control character (terminal escape) in a name~.crioVersion = "1.0\u001b]0;owned\u0007"~image-info.json\.crioVersion: contains a control character
a malformed sha256~.bmap.sha256 = "abc"~image-info.json\.bmap\.sha256: 'abc' does not match
an unknown segment kind~.frames[1].kind = "code"~image-info.json\.frames\[1\]\.kind: 'code' is not one of
a data segment without its sha256~del(.frames[0].sha256)~image-info.json\.frames\[0\]: 'sha256' is a required property
an unknown field~.hook = "curl | sh"~image-info.json: Additional properties are not allowed \('hook' was unexpected\)
another node's image~.node = "other-node"~image-info.json: node is other-node, not @NODE@
3000 nested arrays (a parser's recursion)~.node = (reduce range(3000) as $i ("x"; [.]))~image-info.json: not valid JSON
EOF
  bucket_copy notjson
  printf '{"node": "%s", ' "$NODE" >"$hb/image-info.json"
  expect_exit 65 'image-info.json: not valid JSON' "an image-info.json that is not JSON: said so, not 'for , not $NODE'" \
    flash_h --output "$never"
  check "... nothing written" test ! -e "$never"

  # 2. Silent corruption: the audit's index-only edit. The last zero frame of a hole (4 KiB
  # of zeros, a frame of its own) is relabelled as the start of the next data segment's
  # frames, that segment made longer by as much and the next hole shorter: everything still
  # tiles and lies in a data segment, but the segment's bytes land 4 KiB late (today's old
  # writer wrote such an image and exited 0).
  local k hole low c
  bucket_copy shift
  for k in $(jq -r '.frames | to_entries[] | select(.value.kind == "data" and .key > 0) | .key' "$hb/image-info.json"); do
    hole=$(jq ".frames[$k - 1].rawLength" "$hb/image-info.json") low=$((hole & -hole))
    ((hole != low)) && (($(jq ".frames[$k + 1].rawLength // 0" "$hb/image-info.json") > low)) && break
  done
  c=$(head -c "$low" /dev/zero | zstd -q -T0 "${ARTIFACT_LEVEL[@]}" -c | wc -c)
  tamper --argjson k "$k" --argjson c "$c" --argjson low "$low" '.frames[$k - 1].length -= $c
    | .frames[$k].offset -= $c | .frames[$k].length += $c | .frames[$k].rawLength += $low
    | .frames[$k + 1].rawOffset += $low | .frames[$k + 1].rawLength -= $low'
  attest "$hb" # even as the build's own (signed) index
  expect_exit 65 'does not start and end with ranges of the block map' \
    "a zero frame relabelled as data, a data segment shifted by $low bytes: refused" flash_h --output "$never"
  check "... before anything is written" test ! -e "$never"

  # The writer checks every segment's SHA-256 while writing: a mismatch in segment 2 stops
  # it before segment 3, on a disk (segment 3's old bytes stay) and on a file (removed).
  local count s1 l1 s3 l3 disk loop
  bucket_copy sha
  count=$(jq '[.frames[] | select(.kind == "data")] | length' "$hb/image-info.json")
  tamper '[.frames | to_entries[] | select(.value.kind == "data") | .key][1] as $k | .frames[$k].sha256 = ("0" * 64)'
  attest "$hb"
  read -r s1 l1 < <(data_segment 1)
  read -r s3 l3 < <(data_segment 3)
  expect_exit 65 "segment 2 of $count \(raw offset [0-9]+, [0-9]+ bytes\): SHA-256 [0-9a-f]{64} of what was written is not 0{64}" \
    "a segment whose bytes do not match its SHA-256: exit 65, the segment named" flash_h --output "$t"
  check "... the file target is removed" test ! -e "$t"
  check "... saying so in one line" one_line "removed the partial $t"
  disk=$scratch/h-disk.img
  truncate -s "$(stat -c %s "$raw")" "$disk"
  head -c "$l3" /dev/zero | tr '\0' '\377' | dd of="$disk" bs=64K seek="$s3" oflag=seek_bytes conv=notrunc status=none
  loop=$(losetup -f --show "$disk")
  loops+=("$loop")
  expect_exit 65 "segment 2 of $count .*stopped before the next segment" "... on a disk too" flash_h --device "$loop" --force --yes
  check "... segment 1 was written" cmp -s <(sparse_read "$loop" "$s1" "$l1") <(sparse_read "$raw" "$s1" "$l1")
  check "... segment 3 was not: its old bytes are there" \
    cmp -s <(sparse_read "$loop" "$s3" "$l3") <(head -c "$l3" /dev/zero | tr '\0' '\377')
  check "... and the disk is said to be partly written" one_line "$loop is only partly written: flash it again"

  # 3. --output to a new file gets the full raw size when the image ends in a hole.
  local holey=$scratch/holey.raw
  truncate -s 64M "$holey"
  head -c 512K /dev/urandom | dd of="$holey" conv=notrunc status=none
  postprocess "$holey" "$scratch/holey" 2>/dev/null
  bucket_of "$scratch/holey" holey
  check "an image ending in a hole, --output to a new file: exit 0" quiet flash_h --output "$t"
  check "... the file has the image's full size, $(stat -c %s "$holey") bytes" test "$(stat -c %s "$t")" -eq "$(stat -c %s "$holey")"
  check "... and is the image" cmp "$t" "$holey"
  rm -f "$t"

  # 4. A 1-byte final data segment flashes.
  local tiny=$scratch/tiny.raw
  truncate -s $((8 * 1048576 + 1)) "$tiny"
  head -c 4096 /dev/urandom | dd of="$tiny" conv=notrunc status=none
  printf 'x' | dd of="$tiny" bs=1 seek=$((8 * 1048576)) conv=notrunc status=none
  postprocess "$tiny" "$scratch/tiny" 2>/dev/null
  bucket_of "$scratch/tiny" tiny
  check "an image whose last data segment is 1 byte long has it in its index" \
    jq_true '.frames[-1] | .kind == "data" and .rawLength == 1' "$hb/image-info.json"
  check "... and flashes to the exact image" bash -c "scripts/flash-image.sh --node $NODE --source-dir '$hsrc' --output '$t' 2>/dev/null && cmp '$t' '$tiny'"
  rm -f "$t"

  # 5. A corrupt frame (a byte of the largest data frame changed, the sha256 files made to
  # match, attested) is reported as a corrupt artifact, naming the file; nothing is left.
  local off len sha
  bucket_copy corrupt
  read -r off len < <(jq -r '[.frames[] | select(.kind == "data")] | max_by(.length) | "\(.offset) \(.length)"' "$hb/image-info.json")
  local at=$((off + len / 2)) byte
  byte=$(dd if="$hb/$NODE.img.zst" bs=1 skip="$at" count=1 status=none | od -An -tu1 | tr -d ' ')
  printf '%b' "\\$(printf %03o $((255 - byte)))" | dd of="$hb/$NODE.img.zst" bs=1 seek="$at" conv=notrunc status=none
  sha=$(sha256sum "$hb/$NODE.img.zst" | cut -d' ' -f1)
  printf '%s  %s\n' "$sha" "$NODE.img.zst" >"$hb/$NODE.img.zst.sha256"
  tamper --arg s "$sha" '.image.sha256 = $s'
  attest "$hb"
  expect_exit 65 "corrupt artifact $NODE\.img\.zst: the frames of segment [0-9]+ of [0-9]+ .* do not decompress" \
    "a corrupt zstd frame: reported as a corrupt artifact, naming the file and the segment" flash_h --output "$t"
  check "... the file target is removed" test ! -e "$t"

  # 6. Interrupted post-processing leaves nothing behind, says so in one line (the flashing
  # helper's six signals: flash-trust.sh).
  slow_zstd
  local sig code
  for sig in INT:130 TERM:143; do
    code=${sig#*:} sig=${sig%:*}
    rm -rf "$scratch/pp-$sig"
    interrupt "$sig" "$scratch/pp-$sig/$NODE.img.zst" env "${PP_ENV[@]}" scripts/postprocess-image.sh "$raw" "$scratch/pp-$sig"
    check "postprocess-image.sh on SIG$sig: exit $code (got $status)" test "$status" -eq "$code"
    check "... its partial outputs and the out-dir it made are removed" test ! -e "$scratch/pp-$sig"
    check "... one line says what was interrupted" one_line "^postprocess: interrupted by SIG$sig while post-processing"
  done

  # 7. Provenance: the stand-in gh verifies image-info.json against the model's signer identity
  # (generated/image-locations.json); the identity cases are flash-trust.sh's.
  local bundle
  bundle=$(jq -r .attestation.bundle generated/image-locations.json)
  : >"$scratch/gh.log"
  check "an attested build is written" bash -c "scripts/flash-image.sh --node $NODE --source-dir '$bucket' --output '$t' 2>/dev/null && cmp '$t' '$raw'"
  rm -f "$t"
  check "... after one 'gh attestation verify' of image-info.json (whose attestation names the other files)" \
    test "$(grep -c '^attestation verify .*/image-info.json --bundle ' "$scratch/gh.log")" -eq 1
  bucket_copy forged
  attest "$hb" --repository someone/else --workflow .github/workflows/build.yml
  expect_exit 65 'attestation of image-info.json: gh attestation verify failed' "a bundle signed by another repository's workflow: refused" flash_h --output "$never"
  check "... nothing written" test ! -e "$never"
  bucket_copy edited
  tamper '.gitCommit = "0000000"'
  expect_exit 65 'attestation of image-info.json: gh attestation verify failed' "an image-info.json edited after the build (still schema-valid): refused" \
    flash_h --output "$never"
  bucket_copy nobundle
  rm "$hb/$bundle"
  expect_exit 66 'no attestation bundle .*--allow-unattested' "a build without its bundle: refused" flash_h --output "$never"
  check "... nothing written" test ! -e "$never"
  expect_exit 69 "GitHub CLI \(gh\) is not installed" "without gh: refused (verification cannot run)" \
    env PATH="${PATH#"$STANDINS:"}" scripts/flash-image.sh --node "$NODE" --source-dir "$bucket" --output "$never"
  check "... nothing written" test ! -e "$never"
  bucket_copy forged
  attest "$hb" --repository someone/else --workflow .github/workflows/build.yml
  expect_exit 0 'WARNING: --allow-unattested: attestation of image-info.json: gh attestation verify failed' "--allow-unattested: a failing verification only warns" \
    flash_h --output "$t" --allow-unattested
  check "... in one line" one_line 'WARNING'
  check "... and the image is written" cmp "$t" "$raw"
  rm -f "$t"
}

main() {
  local cmd
  for cmd in shellcheck strace bmaptool zstd jq sgdisk mke2fs losetup partx; do
    command -v "$cmd" >/dev/null || { echo "image-artifacts: missing command $cmd" >&2; exit 1; }
  done
  local section t
  standins_init "$scratch/standin-bucket"
  # Sections to run (default all; hostile needs postprocess and flash_file before it).
  local -a sections=("$@")
  ((${#sections[@]})) || sections=(shellcheck postprocess flash_file flash_device hostile)
  for section in "${sections[@]}"; do
    t=$SECONDS
    "section_$section"
    echo "# section $section: $((SECONDS - t)) s"
  done
  t_summary
}

main "$@"
