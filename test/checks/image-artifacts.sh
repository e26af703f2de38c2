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
scratch=$(mktemp -d "${TMPDIR:-/tmp}/image-artifacts.XXXXXX")
loops=() mounted=''
passed=0 failed=0

cleanup() {
  [[ -z $mounted ]] || umount "$mounted" || true
  local l
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
# expect EXIT-CODE PATTERN DESCRIPTION COMMAND...: exit code and a line of its output.
expect() {
  local code=$1 pattern=$2 what=$3 status=0
  shift 3
  "$@" >"$scratch/out.log" 2>&1 || status=$?
  if ((status == code)) && grep -Eq -- "$pattern" "$scratch/out.log"; then
    ok "$what"
  else
    fail "$what (exit $status, wanted $code and /$pattern/):"
    sed 's/^/    /' "$scratch/out.log"
  fi
}
jq_true() { jq -e "$@" >/dev/null; }
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
  # shellcheck source=scripts/lib/sparse-image.sh
  source scripts/lib/sparse-image.sh
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
    { fail "postprocess-image.sh ran"; cat "$scratch/pp.log"; return; }
  ok "postprocess-image.sh ran"

  check "out-dir holds exactly the four artifacts" \
    test "$(find "$out" -mindepth 1 -printf '%f\n' | sort | paste -sd' ')" == "$NODE.img.bmap $NODE.img.zst $NODE.img.zst.sha256 image-info.json"
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

  expect 65 'NODE_NAME is not set' "postprocess refuses a missing NODE_NAME" \
    env -u NODE_NAME "${PP_ENV[@]:1}" scripts/postprocess-image.sh "$raw" "$scratch/never"
  expect 65 'BUILD_TIME=yesterday is not ISO 8601' "postprocess refuses a malformed BUILD_TIME" \
    env "${PP_ENV[@]}" BUILD_TIME=yesterday scripts/postprocess-image.sh "$raw" "$scratch/never"
  check "... before writing anything" test ! -e "$scratch/never"
  expect 73 'is not empty' "postprocess refuses a non-empty out-dir" postprocess "$raw" "$out"
  check "... and leaves it as it was" test "$(find "$out" -mindepth 1 | wc -l)" -eq 4
}

# The S3 stand-in: a directory laid out like the bucket, latest and one dated build.
standin_make() {
  local prefix
  prefix=$(jq -r .prefix generated/image-locations.json)
  bucket=$scratch/standin-bucket
  mkdir -p "$bucket/$prefix/$NODE/latest" "$bucket/$prefix/$NODE/builds/$BUILD"
  cp "$scratch/out"/* "$bucket/$prefix/$NODE/latest/"
  cp "$scratch/out"/* "$bucket/$prefix/$NODE/builds/$BUILD/"
  # Stand-in for the aws CLI: logs its arguments and serves s3://<bucket>/<key> from the directory.
  mkdir -p "$scratch/bin"
  cat >"$scratch/bin/aws" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$*" >>'$scratch/aws.log'
[[ "\$1 \$2" == "s3 cp" ]] || exit 2
src=\${@: -2:1} dest=\${@: -1}
key=\${src#s3://*/}
cp "$bucket/\$key" "\$dest"
EOF
  chmod +x "$scratch/bin/aws"
}

section_flash_file() {
  local raw=$scratch/disk.raw flash=scripts/flash-image.sh t=$scratch/flashed.img
  standin_make
  if LOLICE_FLASH_PROGRESS_SECONDS=0.01 "$flash" --node "$NODE" --output "$t" --source-dir "$bucket" >"$scratch/f.log" 2>&1; then
    ok "flash-image.sh --output writes the latest image from the stand-in"
  else
    fail "flash-image.sh --output writes the latest image from the stand-in"
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
  check "the frame writer (the default) writes the image" bash -c "grep -q 'data frames' '$scratch/fw.log' && cmp '$t' '$raw'"
  check "... decompressing the data segments only ($data of $image_bytes bytes)" \
    test "$(awk '{ n += $1 } END { print n + 0 }' "$scratch/zstd-bytes")" -eq "$data"
  check "... (which are a small part of the image)" test $((data * 10)) -lt "$image_bytes"
  rm -f "$t"

  # An artifact without a frame index (older post-processing): bmaptool writes it.
  local old=$scratch/old-bucket prefix
  prefix=$(jq -r .prefix generated/image-locations.json)
  cp -r "$bucket" "$old"
  jq 'del(.frames)' "$bucket/$prefix/$NODE/latest/image-info.json" >"$old/$prefix/$NODE/latest/image-info.json"
  check "an image-info.json without a frame index: written with bmaptool, the same image" \
    bash -c "'$flash' --node $NODE --output '$t' --source-dir '$old' 2>'$scratch/old.log' && grep -q 'with bmaptool' '$scratch/old.log' && cmp '$t' '$raw'"
  rm -f "$t"
  jq '.frames[1].offset += 1' "$bucket/$prefix/$NODE/latest/image-info.json" >"$old/$prefix/$NODE/latest/image-info.json"
  expect 65 'frame index does not match' "a frame index that does not tile the .zst is refused" \
    "$flash" --node "$NODE" --output "$scratch/never.img" --source-dir "$old"
  check "... before anything is written" test ! -e "$scratch/never.img"
  jq '(.frames | map(.kind == "data") | index(true)) as $d | .frames[$d].rawLength -= 4096 | .frames[$d + 1].rawOffset -= 4096 | .frames[$d + 1].rawLength += 4096' \
    "$bucket/$prefix/$NODE/latest/image-info.json" >"$old/$prefix/$NODE/latest/image-info.json"
  expect 65 'frame index does not match' "a frame index whose data segments miss a block map range is refused" \
    "$flash" --node "$NODE" --output "$scratch/never.img" --source-dir "$old"
  check "--verify-ranges (bmaptool re-checks every range) writes the same image" \
    bash -c "'$flash' --node $NODE --output '$t' --verify-ranges --source-dir '$bucket' 2>/dev/null && cmp '$t' '$raw'"
  rm -f "$t"
  check "a dated build: --build $BUILD" bash -c "'$flash' --node $NODE --build $BUILD --output '$t' --source-dir '$bucket' 2>/dev/null && cmp '$t' '$raw'"

  head -c 64M /dev/urandom >"$t"
  expect 77 'already exists; pass --force' "an existing --output file is refused" \
    "$flash" --node "$NODE" --output "$t" --source-dir "$bucket"
  check "... and with --force overwritten to exactly the image (old bytes gone)" \
    bash -c "'$flash' --node $NODE --output '$t' --force --source-dir '$bucket' 2>/dev/null && cmp '$t' '$raw'"

  local bad=$scratch/bad-bucket prefix
  prefix=$(jq -r .prefix generated/image-locations.json)
  cp -r "$bucket" "$bad"
  printf 'x' | dd of="$bad/$prefix/$NODE/latest/$NODE.img.zst" bs=1 seek=1000 conv=notrunc status=none
  expect 65 'does not match' "a corrupted download is refused (sha256)" \
    "$flash" --node "$NODE" --output "$scratch/never.img" --source-dir "$bad"
  check "... and nothing is written" test ! -e "$scratch/never.img"
  expect 64 "unknown node $NODE-unknown" "an unknown node is refused" "$flash" --node "$NODE-unknown" --output "$scratch/never.img" --source-dir "$bucket"
  expect 64 'expected latest or YYYYMMDD' "a malformed build id is refused" "$flash" --node "$NODE" --build last --output "$scratch/never.img" --source-dir "$bucket"
  expect 77 'not a block device' "--device on a regular file is refused" "$flash" --node "$NODE" --device "$raw" --source-dir "$bucket"

  # S3 through the aws CLI (stand-in): bucket, key layout and region from the generated file.
  local b r
  b=$(jq -r .bucket generated/image-locations.json) r=$(jq -r .region generated/image-locations.json)
  rm -f "$t"
  check "S3 path: downloads via 'aws s3 cp' and writes the image" \
    bash -c "PATH='$scratch/bin':\$PATH '$flash' --node $NODE --build $BUILD --output '$t' 2>/dev/null && cmp '$t' '$raw'"
  check "... from s3://$b/$prefix/$NODE/builds/$BUILD/ in $r (from generated/image-locations.json)" \
    grep -q -- "s3 cp --region $r s3://$b/$prefix/$NODE/builds/$BUILD/$NODE.img.zst " "$scratch/aws.log"
}

section_flash_device() {
  local raw=$scratch/disk.raw flash=scripts/flash-image.sh disk loop before
  disk=$scratch/loop-disk.img
  truncate -s 512M "$disk"
  head -c 1M /dev/urandom | dd of="$disk" conv=notrunc status=none
  loop=$(losetup -f --show "$disk")
  loops+=("$loop")
  before=$(sha256sum "$disk" | cut -d' ' -f1)
  expect 77 'not a removable or USB disk' "a non-removable disk (loop device) is refused" \
    "$flash" --node "$NODE" --device "$loop" --yes --source-dir "$bucket"
  check "... before any download" bash -c "! grep -q image-info.json '$scratch/out.log'"
  expect 77 'no terminal to confirm on; pass --yes' "without --yes and no terminal, --force is not enough" \
    "$flash" --node "$NODE" --device "$loop" --force --source-dir "$bucket" </dev/null
  check "... and the disk is untouched" test "$(sha256sum "$disk" | cut -d' ' -f1)" == "$before"

  mkfs.ext4 -q -F "$loop"
  mounted=$scratch/mnt
  mkdir -p "$mounted"
  mount "$loop" "$mounted"
  expect 77 "in use: .* on $mounted" "a mounted disk is refused" "$flash" --node "$NODE" --device "$loop" --yes --source-dir "$bucket"
  umount "$mounted"
  mounted=''

  local root_src
  root_src=$(findmnt -no SOURCE /)
  if [[ -b $root_src ]]; then
    expect 77 "holds the running system's root file system" "the disk under / is refused, even with --force" \
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
    expect 77 'not a whole disk' "a partition is refused, even with --force" \
      "$flash" --node "$NODE" --device "$part" --force --yes --source-dir "$bucket"
  else
    fail "a partition is refused: no partition node $part appeared"
  fi

  if "$flash" --node "$NODE" --device "$loop" --force --yes --source-dir "$bucket" >"$scratch/d.log" 2>&1; then
    ok "--force --yes writes a non-removable disk (loop device)"
  else
    fail "--force --yes writes a non-removable disk (loop device)"
    sed 's/^/    /' "$scratch/d.log"
  fi
  check "... every mapped range of the image is on the disk" mapped_equal "$loop" "$raw" "$scratch/out/$NODE.img.bmap"
  check "... (the check can fail: the disk's old bytes remain in the holes)" bash -c "! cmp -s -n $(stat -c %s "$raw") '$loop' '$raw'"
}

main() {
  local cmd
  for cmd in shellcheck strace bmaptool zstd jq sgdisk mke2fs losetup partx; do
    command -v "$cmd" >/dev/null || { echo "image-artifacts: missing command $cmd" >&2; exit 1; }
  done
  local t0=$SECONDS section t
  for section in shellcheck postprocess flash_file flash_device; do
    t=$SECONDS
    "section_$section"
    echo "# section $section: $((SECONDS - t)) s"
  done
  echo "image-artifacts: $passed passed, $failed failed ($((SECONDS - t0)) s)"
  ((failed == 0))
}

main "$@"
