#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs and bash -c scripts are single-quoted on purpose
# flash-image.sh writes only what the model's image workflow built on the model's branch, for
# that node and that build (issue 24), replayed as an attacker who can write to the bucket or to
# a --source-dir but cannot run the workflow on the branch: copies (the source read once, into
# a private directory; files swapped after the verification or during the write; symbolic links,
# FIFOs, oversized files), gh (its version, a fail-open gh, the policy it is asked to enforce,
# its JSON checked), the signer (another branch, a pull request, a look-alike workflow file, a
# self-hosted runner), the build id (another build's files under an id, an older latest/), six
# signals against a write in progress, the .sha256 by value, and the listings. Against the
# STAND-INs of test/checks/lib/flash-standins.sh, on two small builds of real artifacts
# (scripts/postprocess-image.sh). Sections: copies gh signer binding signals checksums listings.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh
# shellcheck source=test/checks/lib/flash-standins.sh
source test/checks/lib/flash-standins.sh
# shellcheck source=scripts/lib/sparse-image.sh
source scripts/lib/sparse-image.sh

scratch=$(mktemp -d "${TMPDIR:-/tmp}/flash-trust.XXXXXX")
T_OUTPUT=$scratch/out.log # expect_exit's, read by the checks after it
loops=()
cleanup() {
  local l
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  [[ -n ${KEEP:-} ]] || rm -rf "$scratch"
}
trap cleanup EXIT

NODE=$(jq -er '.nodes[0]' "$LOC") PREFIX=$(jq -r .prefix "$LOC") BUNDLE=$(jq -r .attestation.bundle "$LOC")
readonly NODE PREFIX BUNDLE ZST=$NODE.img.zst
group_var() {
  python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' \
    ansible/inventories/production/group_vars/workers.yml "$1"
}
# Two builds: NEW (latest) and OLD, ids made by the image workflow's rule (date and commit).
readonly NEW=20250304-89abcde NEW_TIME=2025-03-04T05:06:07Z NEW_COMMIT=89abcde0123
readonly OLD=20250102-abcdef1 OLD_TIME=2025-01-02T03:04:05Z OLD_COMMIT=abcdef1

# key latest|build|knownGood [ID]: a key of the node (generated/image-locations.json's layout).
key() { local k; k=$(jq -r ".keys.$1" "$LOC"); k=${k//\{prefix\}/$PREFIX}; k=${k//\{node\}/$NODE}; echo "${k//\{build\}/${2:-}}"; }
one_line() { test "$(grep -Ec -- "$1" "$scratch/out.log")" -eq 1; }
nothing() { test ! -e "$scratch/never.img"; }
# running PID: PID runs (a zombie, exited but not yet reaped, does not).
running() { local line; { read -r line <"/proc/$1/stat"; } 2>/dev/null && [[ ${line##*) } != Z* ]]; }
no_work_left() { test -z "$(find "$scratch/tmp" -mindepth 1 -maxdepth 1 -name 'flash-image.*' -print -quit)"; }

# image_make FILE: a 64 MiB sparse image with three data segments of random bytes.
image_make() {
  truncate -s 64M "$1"
  head -c 1M /dev/urandom | dd of="$1" bs=1M seek=1 conv=notrunc status=none
  head -c 512K /dev/urandom | dd of="$1" bs=1M seek=20 conv=notrunc status=none
  head -c 1M /dev/urandom | dd of="$1" bs=1M seek=48 conv=notrunc status=none
}

# build_make ID TIME COMMIT: the artifacts of build ID in $scratch/out-ID, from $scratch/ID.raw.
build_make() {
  image_make "$scratch/$1.raw"
  env NODE_NAME="$NODE" KUBERNETES_VERSION="$(group_var kubernetes_kubelet_version)" CRIO_VERSION="$(group_var crio_package_version)" \
    GIT_COMMIT="$3" BUILD_TIME="$2" scripts/postprocess-image.sh "$scratch/$1.raw" "$scratch/out-$1" 2>/dev/null
}

# bucket_new NAME: a stand-in bucket $src: latest/ and builds/NEW/ hold NEW, builds/OLD/ OLD, each
# attested by the model's signer; $lat is its latest/.
bucket_new() {
  src=$scratch/b-$1 lat=$scratch/b-$1/$(key latest) lat=${lat%/}
  rm -rf "$src" "$scratch/never.img" "$scratch/t.img"
  mkdir -p "$lat" "$src/$(key build "$NEW")" "$src/$(key build "$OLD")"
  cp "$scratch/out-$NEW"/* "$lat/"
  cp "$scratch/out-$NEW"/* "$src/$(key build "$NEW")"
  cp "$scratch/out-$OLD"/* "$src/$(key build "$OLD")"
  attest "$lat" && attest "$src/$(key build "$NEW")" && attest "$src/$(key build "$OLD")"
  AWS_STANDIN_ROOT=$src
}

# flash ARGS...: flash-image.sh for NODE from $src, its private directories under $scratch/tmp.
flash() { env TMPDIR="$scratch/tmp" scripts/flash-image.sh --node "$NODE" --source-dir "$src" "$@"; }
# env_flash NAME=VALUE... ARGS...: flash with these variables in its environment.
env_flash() {
  local -a vars=()
  while [[ $1 == *=* ]]; do vars+=("$1"); shift; done
  env "${vars[@]}" TMPDIR="$scratch/tmp" scripts/flash-image.sh --node "$NODE" --source-dir "$src" "$@"
}

# wrap NAME SCRIPT: a wrapper command NAME on PATH (first), $scratch/wrap/NAME, around the real one
# ($real in SCRIPT); for spies and slow or swapping stand-ins.
wrap() {
  local real
  real=$(PATH=${PATH#"$scratch/wrap:"} command -v "$1")
  mkdir -p "$scratch/wrap"
  printf '#!/usr/bin/env bash\n# Test wrapper (tests only) around %s.\nreal=%q scratch=%q\n%s\n' "$1" "$real" "$scratch" "$2" >"$scratch/wrap/$1"
  chmod +x "$scratch/wrap/$1"
}
unwrap() { rm -rf "$scratch/wrap"; }

# swap_to_old: the attacker's move: latest/'s files replaced by OLD's (genuine, attested).
swap_to_old() { cp -f "$scratch/out-$OLD"/* "$lat/" && attest "$lat"; }

section_copies() {
  bucket_new copies
  # A spy around the stand-in gh: where the file it verifies lies, and that directory's mode; with
  # SPY_AFTER, a command run once, right after the first verification that succeeds.
  wrap gh 'if [[ $1 == attestation ]]; then stat -c "%a %n" "$(dirname "$3")" >>"$scratch/spy.log"; fi
"$real" "$@"; status=$?
if ((status == 0)) && [[ $1 == attestation && $3 != --help && -n ${SPY_AFTER:-} && ! -e $scratch/spy.done ]]; then touch "$scratch/spy.done"; bash -c "$SPY_AFTER"; fi
exit $status'
  : >"$scratch/spy.log"
  strace -f -qq -e trace=open,openat -o "$scratch/strace.log" env TMPDIR="$scratch/tmp" \
    scripts/flash-image.sh --node "$NODE" --source-dir "$src" --output "$scratch/t.img" >"$scratch/out.log" 2>&1 || true
  check "the latest build is written" cmp "$scratch/t.img" "$scratch/$NEW.raw"
  check "... gh verified a copy in a private directory (mode 700), not the file in --source-dir" \
    bash -c '[[ $(wc -l <"$1") -ge 1 ]] && ! grep -v "^700 $2/flash-image\." "$1"' _ "$scratch/spy.log" "$scratch/tmp"
  local f n
  for f in image-info.json "$BUNDLE" "$ZST.sha256" "$NODE.img.bmap" "$ZST"; do
    n=$(grep -cF "\"$lat/$f\"" "$scratch/strace.log" || true)
    check "... $f of --source-dir opened once (got $n), then only its copy" test "$n" -eq 1
  done
  check "... and the private directory is removed" no_work_left
  rm -f "$scratch/t.img"
  expect_exit 0 'done: ' "--download-dir keeps the verified copies" flash --output "$scratch/t.img" --download-dir "$scratch/kept"
  check "... the five files, as verified" bash -c 'for f in "$1"/*; do cmp -s "$f" "$2/$(basename "$f")" || exit 1; done; test "$(ls "$2" | wc -l)" -eq 5' \
    _ "$lat" "$scratch/kept"

  # Swapped right after the (last) attestation check: the copies already verified are used, and
  # what is copied after the swap does not match them.
  bucket_new swap
  rm -f "$scratch/spy.done"
  SPY_AFTER="$(declare -f swap_to_old attest att_repository att_ref att_identity att_workflow); $(declare -p lat LOC STANDINS scratch OLD); swap_to_old" \
    expect_exit 65 '(must be exactly|does not match)' "latest/ swapped for an older attested build right after gh verified it: refused" \
    flash --output "$scratch/never.img"
  check "... nothing written" nothing
  unwrap

  # Swapped once the write has begun (a wrapper around zstd swaps at its first call): the
  # verified copies are written, the source is not read again.
  bucket_new during
  wrap zstd '[[ -e $scratch/zstd.done ]] || { touch "$scratch/zstd.done"; bash -c "$SWAP"; }
exec "$real" "$@"'
  rm -f "$scratch/zstd.done"
  SWAP="$(declare -f swap_to_old attest att_repository att_ref att_identity att_workflow); $(declare -p lat LOC STANDINS scratch OLD); swap_to_old" \
    expect_exit 0 'done: ' "latest/ swapped for another attested build while the write runs: exit 0" \
    flash --output "$scratch/t.img"
  check "... the build that was verified is written, byte for byte" cmp "$scratch/t.img" "$scratch/$NEW.raw"
  check "... (the swap did happen)" cmp -s "$lat/$ZST" "$scratch/out-$OLD/$ZST"
  unwrap

  bucket_new symlink
  ln -sf "$src/$(key build "$NEW")image-info.json" "$lat/image-info.json"
  expect_exit 65 'image-info.json is a symbolic link: refusing it' "image-info.json a symbolic link (to a genuine copy): refused unread" flash --output "$scratch/never.img"
  check "... nothing written" nothing
  bucket_new fifo
  rm "$lat/$ZST" && mkfifo "$lat/$ZST"
  expect_exit 65 "$ZST is not a regular file: refusing it" "the .zst a FIFO: refused without blocking" timeout 60 scripts/flash-image.sh \
    --node "$NODE" --source-dir "$src" --output "$scratch/never.img"
  check "... nothing written" nothing
  bucket_new big
  head -c 1M /dev/zero >>"$lat/$ZST"
  expect_exit 65 "$ZST holds [0-9]+ bytes, more than $(jq .image.bytes "$lat/image-info.json")" \
    "a .zst larger than image-info.json says: refused by its size, before it is copied or hashed" flash --output "$scratch/never.img"
  check "... nothing written" nothing
}

section_gh() {
  local pred
  pred=$(jq -r .attestation.predicateType "$LOC")
  bucket_new gh
  : >"$scratch/gh.log"
  expect_exit 0 'done: ' "an attested build is written" flash --output "$scratch/t.img"
  check "... after gh attestation verify of image-info.json's copy with the model's policy: exact signer identity, source ref, predicate type, no self-hosted runner, JSON" \
    grep -qxE -- "attestation verify $scratch/tmp/flash-image\.[^ ]+/image-info\.json --bundle $scratch/tmp/flash-image\.[^ ]+/$BUNDLE --repo $(att_repository) --cert-identity $(att_identity) --source-ref $(att_ref) --predicate-type $pred --deny-self-hosted-runners --format json" \
    "$scratch/gh.log"

  expect_exit 69 'gh 2\.66\.1 can report a failed verification as a success \(CVE-2025-25204' "gh 2.66.1 (read from gh --version): refused as if there were no gh" \
    env_flash GH_STANDIN_VERSION=2.66.1 --output "$scratch/never.img"
  check "... nothing written" nothing

  # A build whose bundle holds no provenance at all (another predicate type).
  bucket_new noprov
  attest "$lat" --predicate-type https://in-toto.io/attestation/release/v0.1
  local copy=$scratch/noprov-info.json
  cp "$lat/image-info.json" "$copy"
  expect_exit 0 "No attestations found with predicate type: $pred" "the fail-open stand-in (gh 2.49-2.66) exits 0 on it, printing no JSON" \
    env GH_STANDIN_MODE=fail-open gh attestation verify "$copy" --bundle "$lat/$BUNDLE" --repo "$(att_repository)" --predicate-type "$pred" --format json
  check "... (stdout empty)" test -z "$(GH_STANDIN_MODE=fail-open gh attestation verify "$copy" --bundle "$lat/$BUNDLE" --repo "$(att_repository)" --predicate-type "$pred" --format json 2>/dev/null)"
  expect_exit 69 'gh 2\.66\.1 can report' "a fail-open gh 2.66.1 and a bundle without provenance: refused" \
    env_flash GH_STANDIN_MODE=fail-open GH_STANDIN_VERSION=2.66.1 --output "$scratch/never.img"
  expect_exit 65 'gh printed no verification result' "a fail-open gh that claims 2.67.0: its exit 0 is not trusted, its empty JSON refused" \
    env_flash GH_STANDIN_MODE=fail-open --output "$scratch/never.img"
  check "... nothing written" nothing

  # gh's JSON is checked again (lib/attestation.sh): the JSON a weaker policy accepts.
  bucket_new json
  attest "$lat" --ref refs/heads/attacker-branch
  gh attestation verify "$lat/image-info.json" --bundle "$lat/$BUNDLE" --repo "$(att_repository)" \
    --signer-workflow "$(att_repository)/$(att_workflow)" --format json >"$scratch/weak.json" 2>/dev/null
  local sha check_json
  sha=$(sha256sum "$lat/image-info.json" | cut -c1-64)
  check_json='source scripts/lib/common.sh && source scripts/lib/attestation.sh && ATT_REPOSITORY=$(jq -r .attestation.repository "$LOC") ATT_IDENTITY=$(jq -r .attestation.signerIdentity "$LOC") ATT_REF=$(jq -r .attestation.sourceRef "$LOC") ATT_PREDICATE=$(jq -r .attestation.predicateType "$LOC") && attestation_check "$@"'
  check "attestation_check names the source ref of a branch build that a --signer-workflow policy let through" \
    bash -c "LOC=$LOC; $check_json | grep -q 'certificate.sourceRepositoryRef is \"refs/heads/attacker-branch\"'" _ "$scratch/weak.json" image-info.json "$sha"
  attest "$lat"
  gh attestation verify "$lat/image-info.json" --bundle "$lat/$BUNDLE" --repo "$(att_repository)" --cert-identity "$(att_identity)" \
    --format json >"$scratch/good.json" 2>/dev/null
  check "... passes gh's JSON of the model's own build" bash -c "LOC=$LOC; test -z \"\$($check_json)\"" _ "$scratch/good.json" image-info.json "$sha"
  check "... and refuses it for a file whose SHA-256 it does not list" \
    bash -c "LOC=$LOC; $check_json | grep -q 'no verified attestation names image-info.json with SHA-256 0\{64\}'" _ "$scratch/good.json" image-info.json "$(printf '0%.0s' {1..64})"
  check "... and an empty result (a fail-open gh's)" bash -c "LOC=$LOC; $check_json | grep -q 'no verification result'" _ /dev/null image-info.json "$sha"

  # A bundle edited by hand (a branch build's certificate renamed to the model's identity):
  # the stand-in checks the bundle's signature as Sigstore would.
  bucket_new forged
  attest "$lat" --ref refs/heads/attacker-branch
  jq --arg id "$(att_identity)" --arg ref "$(att_ref)" '.verificationMaterial.certificate.standinSummary |= (.subjectAlternativeName = $id
    | .buildSignerURI = $id | .sourceRepositoryRef = $ref)' "$lat/$BUNDLE" >"$scratch/forged.json" && mv "$scratch/forged.json" "$lat/$BUNDLE"
  expect_exit 65 'attestation of image-info.json: gh attestation verify failed' "a bundle whose certificate was edited: refused (its signature)" \
    flash --output "$scratch/never.img"
}

section_signer() {
  local repo wf ref name opts
  repo=$(att_repository) wf=$(att_workflow) ref=$(att_ref)
  while IFS='|' read -r name opts; do
    bucket_new signer
    # shellcheck disable=SC2086 # opts: the attest stand-in's options, word-split on purpose
    attest "$lat" $opts
    # shellcheck disable=SC2086
    attest "$src/$(key build "$NEW")" $opts
    expect_exit 65 'attestation of image-info.json' "signed by $name: refused" flash --output "$scratch/never.img"
    check "... nothing written" nothing
    if [[ $opts != *runner* ]]; then
      expect_exit 0 'Verification succeeded' "... which the stand-in, as gh, accepts with --signer-workflow alone (a prefix, any ref)" \
        gh attestation verify "$lat/image-info.json" --bundle "$lat/$BUNDLE" --repo "$repo" --signer-workflow "$repo/$wf"
    fi
  done <<EOF
the same workflow on refs/heads/attacker-branch|--ref refs/heads/attacker-branch
the same workflow on a pull request's merge ref|--ref refs/pull/7/merge
a workflow file named $(basename "$wf").evil.yml on the model's branch|--workflow $wf.evil.yml
the image workflow on a self-hosted runner|--runner self-hosted
EOF
  bucket_new signer-ref
  attest "$lat" --ref refs/heads/attacker-branch
  expect_exit 1 "expected SourceRepositoryRef to be $ref, got refs/heads/attacker-branch" "the stand-in checks the ref only when --source-ref is given, as gh does" \
    gh attestation verify "$lat/image-info.json" --bundle "$lat/$BUNDLE" --repo "$repo" --signer-workflow "$repo/$wf" --source-ref "$ref"
  expect_exit 1 'unknown flag: --signer-ref' "the stand-in knows gh's flags only" \
    gh attestation verify "$lat/image-info.json" --bundle "$lat/$BUNDLE" --repo "$repo" --signer-ref "$ref"
  expect_exit 1 'none of the others can be' "... and gh's exclusive identity flags" \
    gh attestation verify "$lat/image-info.json" --bundle "$lat/$BUNDLE" --repo "$repo" --signer-workflow "$repo/$wf" --cert-identity "$(att_identity)"
}

section_binding() {
  # An older attested build copied into another build's directory.
  bucket_new under
  rm "$src/$(key build "$NEW")"/* && cp "$src/$(key build "$OLD")"/* "$src/$(key build "$NEW")"
  expect_exit 65 "the files of build $NEW are build $OLD \(built $OLD_TIME, commit ${OLD_COMMIT:0:7}" \
    "build $OLD's attested files under builds/$NEW/, --build $NEW: refused, naming both" flash --build "$NEW" --output "$scratch/never.img"
  check "... nothing written" nothing
  printf '{"node": "%s", "build": "%s", "markedAt": "2025-04-01T00:00:00Z"}' "$NODE" "$NEW" >"$src/$(key knownGood)"
  expect_exit 65 "the files of the known-good build $NEW are build $OLD" "... with --known-good naming $NEW: refused" \
    flash --known-good --output "$scratch/never.img"
  expect_exit 0 "^$NEW .*not usable" "... which --list-builds shows as not usable" flash --list-builds

  # An older attested build copied into latest/.
  bucket_new older
  swap_to_old
  expect_exit 65 "latest/ holds build $OLD, built $OLD_TIME; build $NEW under builds/ was built later, at $NEW_TIME: refusing" \
    "latest/ holding $OLD while builds/ holds $NEW: refused" flash --output "$scratch/never.img"
  check "... in one line naming both" one_line "latest/ holds build"
  check "... nothing written" nothing
  expect_exit 0 "warning: latest/ holds build $OLD.*--allow-older" "... written with --allow-older, after one warning" flash --output "$scratch/t.img" --allow-older
  check "... $OLD's image" cmp "$scratch/t.img" "$scratch/$OLD.raw"
  rm -f "$scratch/t.img"
  printf '{"node": "%s", "build": "%s", "markedAt": "2025-04-01T00:00:00Z"}' "$NODE" "$NEW" >"$src/$(key knownGood)"
  expect_exit 65 "latest/ holds build $OLD, built $OLD_TIME; the known-good build $NEW was built later" \
    "latest/ older than the known-good build: refused, naming both" flash --output "$scratch/never.img"
  bucket_new fine
  printf '{"node": "%s", "build": "%s", "markedAt": "2025-04-01T00:00:00Z"}' "$NODE" "$OLD" >"$src/$(key knownGood)"
  expect_exit 0 "done: .* \($NEW\)" "latest/ the newest build, newer than the known-good one: written" flash --output "$scratch/t.img"
  rm -f "$scratch/t.img"
}

section_signals() {
  bucket_new signals
  # zstd, held at its first segment (up to 20 s) so that the signal meets a write in progress;
  # it records its pid, and on SIGTERM whether the target still exists (it must: the write is
  # stopped first).
  wrap zstd 'echo $$ >>"$scratch/zstd.pids"
trap '"'"'if [[ -e $TARGET ]]; then echo present; else echo absent; fi >>"$scratch/zstd.marks"; exit 143'"'"' TERM
for ((i = 0; i < 400; i++)); do sleep 0.05; done
"$real" "$@" <&0 & wait $!'
  local sig code pid status i alive
  for sig in HUP INT USR1 PIPE ALRM TERM; do
    code=$((128 + $(kill -l "$sig")))
    : >"$scratch/zstd.pids" && : >"$scratch/zstd.marks"
    rm -f "$scratch/t.img"
    # SIGINT and SIGTERM at their defaults, as in a terminal.
    env --default-signal=INT,TERM TARGET="$scratch/t.img" TMPDIR="$scratch/tmp" \
      scripts/flash-image.sh --node "$NODE" --source-dir "$src" --output "$scratch/t.img" >"$scratch/out.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 1200; i++)); do [[ -s $scratch/zstd.pids ]] && break; sleep 0.05; done
    check "... (SIG$sig: the write had begun)" test -s "$scratch/zstd.pids"
    kill "-$sig" "$pid"
    status=0
    wait "$pid" || status=$?
    cp "$scratch/out.log" "$scratch/out-$sig.log"
    check "SIG$sig during the write: exit $code (got $status)" test "$status" -eq "$code"
    check "... the partial --output file is removed" test ! -e "$scratch/t.img"
    check "... one line says what was interrupted" one_line "^flash: interrupted by SIG$sig while flashing $NODE to $scratch/t.img: removed the partial"
    alive=$(while read -r p; do if running "$p"; then echo "$p"; fi; done <"$scratch/zstd.pids")
    check "... the writing pipeline was stopped (no zstd left running${alive:+: $alive})" test -z "$alive"
    check "... before the file was removed (zstd got SIGTERM while it still existed: $(paste -sd, "$scratch/zstd.marks"))" \
      bash -c 'grep -qx present "$1" && ! grep -qx absent "$1"' _ "$scratch/zstd.marks"
    check "... the private directory is removed" no_work_left
  done
  unwrap
}

section_checksums() {
  local s1 l1 s2 disk loop name
  # The .sha256 names a genuine copy elsewhere; latest/'s .zst is another file of the same size
  # (segment 2 changed), attested: sha256sum -c would have checked the other file.
  bucket_new sums
  mkdir -p "$scratch/elsewhere" && cp "$scratch/out-$NEW/$ZST" "$scratch/elsewhere/"
  read -r s1 l1 < <(jq -r '[.frames[] | select(.kind == "data")][0] | "\(.rawOffset) \(.rawLength)"' "$lat/image-info.json")
  read -r s2 < <(jq -r '[.frames[] | select(.kind == "data")][1].offset' "$lat/image-info.json")
  printf '\377\377\377\377' | dd of="$lat/$ZST" bs=1 seek=$((s2 + 100)) conv=notrunc status=none
  printf '%s  %s\n' "$(jq -r .image.sha256 "$lat/image-info.json")" "$scratch/elsewhere/$ZST" >"$lat/$ZST.sha256"
  attest "$lat"
  disk=$scratch/sums-disk.img
  truncate -s 64M "$disk"
  head -c "$l1" /dev/zero | tr '\0' '\252' | dd of="$disk" bs=64K seek="$s1" oflag=seek_bytes conv=notrunc status=none
  loop=$(losetup -f --show "$disk")
  loops+=("$loop")
  expect_exit 65 "$ZST.sha256 must be exactly '<the sha256 of image-info.json>  $ZST' and a newline" \
    "a .sha256 naming another file: refused by its value" flash --device "$loop" --force --yes
  check "... before any write: segment 1's old bytes are still on the disk" \
    cmp -s <(sparse_read "$loop" "$s1" "$l1") <(head -c "$l1" /dev/zero | tr '\0' '\252')
  for name in - /etc/shadow "../../builds/$NEW/$ZST" "$ZST"$'\r'; do
    bucket_new sums-name
    printf '%s  %s\n' "$(jq -r .image.sha256 "$lat/image-info.json")" "$name" >"$lat/$ZST.sha256"
    expect_exit 65 "must be exactly" "a .sha256 naming $(printf '%q' "$name"): refused" flash --output "$scratch/never.img"
    check "... nothing written" nothing
  done
}

section_listings() {
  # Twelve builds (their image-info.json), latest/ the newest, hostile names beside them.
  src=$scratch/b-list
  rm -rf "$src"
  local d id i=0 ids=() info=$scratch/out-$NEW/image-info.json
  for d in 01 02 03 04 05 06 07 08 09 10 11 12; do
    i=$((i + 1)) id=202502$d-$(printf '%07x' "$((0xa00000 + i))")
    ids+=("$id")
    mkdir -p "$src/$(key build "$id")"
    jq --arg t "2025-02-${d}T00:00:00Z" --arg c "${id#*-}" '.buildTime = $t | .gitCommit = $c' "$info" >"$src/$(key build "$id")image-info.json"
  done
  mkdir -p "$src/$(key latest)" "$src/$(key build $'x\n20991231-abcdef0')" "$src/$(key build 20250213-1111111)"
  cp "$src/$(key build "${ids[11]}")image-info.json" "$src/$(key latest)"
  echo '{}' >"$src/$(key build $'x\n20991231-abcdef0')image-info.json"
  ln -s "$src/$(key build "${ids[0]}")image-info.json" "$src/$(key build 20250213-1111111)image-info.json"
  : >"$scratch/aws.log"
  AWS_STANDIN_ROOT=$src AWS_STANDIN_EXTRA_PREFIXES='["20991230-0000000/"]' \
    expect_exit 0 "^${ids[11]} .* latest\$" "--list-builds from S3 (the stand-in aws)" scripts/flash-image.sh --node "$NODE" --list-builds
  local rows
  rows=$(grep -oE '^20[0-9]{6}-[0-9a-f]{7}' "$scratch/out.log" | paste -sd' ')
  check "... the newest 10, newest first (got: $rows)" test "$rows" == "$(printf '%s\n' "${ids[@]}" 20250213-1111111 | sort -r | head -n 10 | paste -sd' ')"
  check "... one image-info.json read per build shown" test "$(grep -c "^s3 cp .*/builds/.*/image-info.json " "$scratch/aws.log")" -eq 10
  check "... the other 3 said in one line" one_line "^flash: 3 older builds not shown \(--limit 10"
  check "... a prefix holding a newline dropped, in one line, invents no build" \
    bash -c '! grep -q "^20991231" "$1" && test "$(grep -c "ignoring a listed prefix: .*x\\\\n20991231-abcdef0/\" holds a control character" "$1")" -eq 1' _ "$scratch/out.log"
  check "... a prefix outside builds/ dropped, in one line" \
    bash -c '! grep -q "^20991230" "$1" && test "$(grep -c "ignoring a listed prefix: \"20991230-0000000/\" is outside" "$1")" -eq 1' _ "$scratch/out.log"
  AWS_STANDIN_ROOT=$src expect_exit 0 '' "--list-builds --limit 3" scripts/flash-image.sh --node "$NODE" --list-builds --limit 3
  check "... shows the newest 3" test "$(grep -cE '^20[0-9]{6}-' "$scratch/out.log")" -eq 3
  expect_exit 64 'expected a number from 1 to 9999' "--limit 0 is refused" scripts/flash-image.sh --node "$NODE" --list-builds --limit 0
  expect_exit 64 '--limit goes with --list-builds' "--limit without --list-builds is refused" \
    scripts/flash-image.sh --node "$NODE" --limit 3 --output "$scratch/never.img"
  expect_exit 0 '' "--list-builds from a --source-dir" scripts/flash-image.sh --node "$NODE" --list-builds --source-dir "$src" --limit 20
  check "... a directory name holding a newline invents no build" bash -c '! grep -q "^20991231" "$1" && grep -q "holds a control character" "$1"' _ "$scratch/out.log"
  check "... a symbolic link is refused, its row not usable" bash -c 'grep -q "^20250213-1111111 .*refused" "$1" && grep -q "is a symbolic link" "$1"' _ "$scratch/out.log"
}

section_shellcheck() {
  check "shellcheck: this check, its stand-ins' library" shellcheck -x "$0" test/checks/lib/flash-standins.sh
}

main() {
  local cmd section t
  for cmd in strace zstd bmaptool jq losetup timeout python3; do
    command -v "$cmd" >/dev/null || { echo "flash-trust: missing command $cmd" >&2; exit 1; }
  done
  mkdir -p "$scratch/tmp"
  standins_init "$scratch/b-none"
  export PATH=$scratch/wrap:$PATH # wrap's wrappers before the stand-ins
  build_make "$NEW" "$NEW_TIME" "$NEW_COMMIT"
  build_make "$OLD" "$OLD_TIME" "$OLD_COMMIT"
  local -a sections=("$@")
  ((${#sections[@]})) || sections=(shellcheck copies gh signer binding signals checksums listings)
  for section in "${sections[@]}"; do
    t=$SECONDS
    "section_$section"
    echo "# section $section: $((SECONDS - t)) s"
  done
  t_summary
}

main "$@"
