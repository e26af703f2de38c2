#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose
# Checks of the rollback side of scripts/flash-image.sh (scripts/lib/builds.sh): --list-builds,
# --mark-known-good and --known-good, against a STAND-IN for S3: a directory laid out like the
# bucket (generated/image-locations.json), with object tags beside it, served by a stand-in
# `aws` command (s3 cp, s3api list-objects-v2, put-object, put/delete-object-tagging) that logs
# every call. Real artifacts of scripts/postprocess-image.sh, one distinct small image per build;
# hostile entries (a key that is no build id, an image-info.json of another node, a bad pointer,
# an odd object name) must be refused or left out, never used.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh

loc=generated/image-locations.json
scratch=$(mktemp -d "${TMPDIR:-/tmp}/rollback.XXXXXX")
T_OUTPUT=$scratch/out.log # expect_exit's, read by the checks after it
trap '[[ -n ${KEEP:-} ]] || rm -rf "$scratch"' EXIT
bucket=$(jq -r .bucket "$loc") prefix=$(jq -r .prefix "$loc") node=$(jq -r '.nodes[0]' "$loc")
tag_key=$(jq -r .expiryTag.key "$loc") tag_value=$(jq -r .expiryTag.value "$loc")
gv=ansible/inventories/production/group_vars/workers.yml
k8s=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["kubernetes_kubelet_version"])' "$gv")
crio=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["crio_version"])' "$gv")
root=$scratch/bucket
key() { local k; k=$(jq -r ".keys.$1" "$loc"); k=${k//\{prefix\}/$prefix}; k=${k//\{node\}/$node}; echo "${k//\{build\}/${2:-}}"; }

# The stand-in aws: objects under $root/<key>, their tags in $root/.tags/<key> (JSON TagSet).
mkdir -p "$scratch/bin"
cat >"$scratch/bin/aws" <<EOF
#!/usr/bin/python3
# STAND-IN for the aws CLI (tests only): serves s3://$bucket from $root, logs every call.
import json, os, re, shutil, sys
root, bucket, log = '$root', '$bucket', '$scratch/aws.log'
argv = sys.argv[1:]
open(log, 'a').write(' '.join(argv) + '\n')
def opt(name):
    return argv[argv.index(name) + 1] if name in argv else None
def path(key, tags=False):
    assert not key.startswith('/') and '..' not in key.split('/'), key
    return os.path.join(root, '.tags' if tags else '', key)
def need_bucket(b):
    if b != bucket: sys.exit(f'An error occurred (NoSuchBucket): {b}')
if argv[:2] == ['s3', 'cp']:
    src, dest = [a for a in argv[2:] if not a.startswith('-') and a not in (opt('--region'), opt('--endpoint-url'))][:2]
    b, _, k = src[len('s3://'):].partition('/')
    need_bucket(b)
    if not os.path.isfile(path(k)): sys.exit(f'fatal error: An error occurred (404) when calling the HeadObject operation: Key "{k}" does not exist')
    shutil.copyfile(path(k), dest)
elif argv[:2] == ['s3api', 'list-objects-v2']:
    need_bucket(opt('--bucket'))
    p, d = opt('--prefix') or '', opt('--delimiter')
    keys = sorted(os.path.relpath(os.path.join(dp, f), root) for dp, _, fs in os.walk(root) for f in fs
                  if not os.path.relpath(os.path.join(dp, f), root).startswith('.tags/'))
    keys = [k for k in keys if k.startswith(p)]
    out = {}
    if d:
        out['CommonPrefixes'] = [{'Prefix': p + c + d} for c in sorted({k[len(p):].split(d)[0] for k in keys if d in k[len(p):]})]
        keys = [k for k in keys if d not in k[len(p):]]
    if keys: out['Contents'] = [{'Key': k} for k in keys]
    print(json.dumps(out))
elif argv[:2] == ['s3api', 'put-object']:
    need_bucket(opt('--bucket'))
    os.makedirs(os.path.dirname(path(opt('--key'))), exist_ok=True)
    shutil.copyfile(opt('--body'), path(opt('--key')))
elif argv[:2] in (['s3api', 'put-object-tagging'], ['s3api', 'delete-object-tagging']):
    need_bucket(opt('--bucket'))
    k = opt('--key')
    if not os.path.isfile(path(k)): sys.exit(f'An error occurred (NoSuchKey): {k}')
    t = path(k, tags=True)
    if argv[1] == 'delete-object-tagging':
        if os.path.exists(t): os.remove(t)
    else:
        m = re.fullmatch(r'TagSet=\[\{Key=([^,]+),Value=([^}]*)\}\]', opt('--tagging'))
        os.makedirs(os.path.dirname(t), exist_ok=True)
        json.dump([{'Key': m.group(1), 'Value': m.group(2)}], open(t, 'w'))
else:
    sys.exit('aws stand-in: not implemented: ' + ' '.join(argv))
EOF
chmod +x "$scratch/bin/aws"
export PATH=$scratch/bin:$PATH
flash=scripts/flash-image.sh

# Three builds, each of its own small image, uploaded and tagged as the image workflow does.
declare -A raw=()
b1=20250102-abcdef1 b2=20250203-1234567 b3=20250304-89abcde
for spec in "$b1 2025-01-02T03:04:05Z abcdef1aaaa" "$b2 2025-02-03T04:05:06Z 1234567bbbb" "$b3 2025-03-04T05:06:07Z 89abcdecccc"; do
  read -r id time commit <<<"$spec"
  raw[$id]=$scratch/$id.raw
  truncate -s 8M "${raw[$id]}"
  head -c 1M /dev/urandom | dd of="${raw[$id]}" bs=1M seek=2 conv=notrunc status=none
  head -c 64K /dev/urandom | dd of="${raw[$id]}" bs=64K seek=127 conv=notrunc status=none  # data up to the end, as a GPT's backup header
  env NODE_NAME="$node" KUBERNETES_VERSION="$k8s" CRIO_VERSION="$crio" GIT_COMMIT="$commit" BUILD_TIME="$time" \
    scripts/postprocess-image.sh "${raw[$id]}" "$scratch/out-$id" 2>/dev/null
  mkdir -p "$root/$(key build "$id")"
  cp "$scratch/out-$id"/* "$root/$(key build "$id")"
  for f in "$scratch/out-$id"/*; do aws s3api put-object-tagging --bucket "$bucket" --key "$(key build "$id")$(basename "$f")" --tagging "TagSet=[{Key=$tag_key,Value=$tag_value}]"; done
done
mkdir -p "$root/$(key latest)"
cp "$scratch/out-$b3"/* "$root/$(key latest)"
# Hostile entries: a key that is no build id, and a "build" whose image-info.json is another node's.
mkdir -p "$root/$(key build 'x;touch pwned')" "$root/$(key build 20250401-0000000)"
echo '{}' >"$root/$(key build 'x;touch pwned')/image-info.json"
jq '.node = "someone-else"' "$root/$(key build "$b1")/image-info.json" >"$root/$(key build 20250401-0000000)/image-info.json"
: >"$scratch/aws.log"
tagged() { test -f "$root/.tags/$(key build "$1")$node.img.zst" && jq -e --arg k "$tag_key" --arg v "$tag_value" '. == [{Key: $k, Value: $v}]' "$root/.tags/$(key build "$1")image-info.json" >/dev/null; }
untagged() { ! find "$root/.tags/$(key build "$1")" -type f 2>/dev/null | grep -q .; }

# --- listing
expect_exit 0 "^$b3 +2025-03-04T05:06:07Z +89abcde +${k8s//./\\.} +${crio//./\\.} +latest\$" "--list-builds: id, build time, commit, versions; the newest is latest" \
  "$flash" --node "$node" --list-builds
check "... all three builds, newest first" bash -c "grep -oE '^20[0-9]{6}-[0-9a-f]{7}' '$scratch/out.log' | paste -sd' ' | grep -qx '20250401-0000000 $b3 $b2 $b1'"
check "... another node's image-info.json shown as not usable" grep -q '^20250401-0000000 .*not valid' "$scratch/out.log"
check "... a listed key that is no build id left out, with a warning (quoted)" bash -c "grep -q 'ignoring .*not a build id' '$scratch/out.log' && ! grep -q '^x;touch' '$scratch/out.log' && test ! -e pwned"
check "... no known-good yet" grep -q 'no known-good build yet' "$scratch/out.log"
expect_exit 66 'has no known-good build yet' "--known-good without a pointer is refused" "$flash" --node "$node" --known-good --output "$scratch/never.img"

# --- marking
expect_exit 0 "known-good of $node: $b2" "--mark-known-good $b2" "$flash" --node "$node" --mark-known-good "$b2"
check "... the pointer beside latest/ names $b2 (node, build, time only)" \
  jq -e --arg n "$node" --arg b "$b2" 'keys == ["build", "markedAt", "node"] and .node == $n and .build == $b' "$root/$(key knownGood)" >/dev/null
check "... $b2's objects lost the expiry tag; $b1 and $b3 keep it" bash -c "$(declare -f key tagged untagged); $(declare -p loc prefix node root tag_key tag_value); untagged $b2 && tagged $b1 && tagged $b3"
check "... through delete-object-tagging of $b2's four objects only, then put-object of the pointer" \
  bash -c "test \"\$(grep -c '^s3api delete-object-tagging' '$scratch/aws.log')\" = 4 && ! grep '^s3api delete-object-tagging' '$scratch/aws.log' | grep -v '/$b2/' && grep -q '^s3api put-object --bucket $bucket --key $(key knownGood) ' '$scratch/aws.log'"
expect_exit 0 "^$b2 .* known-good\$" "--list-builds marks $b2 known-good" "$flash" --node "$node" --list-builds

# --- flashing the known-good build
: >"$scratch/aws.log"
expect_exit 0 "known-good build of $node: $b2" "--known-good flashes the known-good build" "$flash" --node "$node" --known-good --output "$scratch/kg.img" --allow-unattested
check "... byte for byte $b2's image (not latest's)" bash -c "cmp -s '$scratch/kg.img' '${raw[$b2]}' && ! cmp -s '$scratch/kg.img' '${raw[$b3]}'"
check "... downloaded from builds/$b2/" grep -q "s3 cp --region .* s3://$bucket/$(key build "$b2")$node.img.zst " "$scratch/aws.log"

# --- moving the mark
expect_exit 0 "previous known-good build $b2 is tagged for expiry again" "--mark-known-good $b1 re-tags $b2 for expiry" \
  "$flash" --node "$node" --mark-known-good "$b1"
check "... $b1 untagged, $b2 and $b3 tagged; the pointer names $b1" bash -c "$(declare -f key tagged untagged); $(declare -p loc prefix node root tag_key tag_value); untagged $b1 && tagged $b2 && tagged $b3 && jq -e '.build == \"$b1\"' '$root/$(key knownGood)' >/dev/null"

# --- refusals
expect_exit 64 'expected a build id' "a malformed build id is refused" "$flash" --node "$node" --mark-known-good 'latest;x'
expect_exit 66 "no build 20991231-0000000" "an unknown build is refused" "$flash" --node "$node" --mark-known-good 20991231-0000000
expect_exit 65 'not valid for .* and this build id' "a build whose image-info.json is another node's is not marked" "$flash" --node "$node" --mark-known-good 20250401-0000000
echo x >"$root/$(key build "$b3")odd name"
expect_exit 65 'unexpected object' "a build holding an odd object name is not touched" "$flash" --node "$node" --mark-known-good "$b3"
check "... its tags unchanged, the pointer still $b1" bash -c "$(declare -f key tagged); $(declare -p loc prefix node root tag_key tag_value); tagged $b3 && jq -e '.build == \"$b1\"' '$root/$(key knownGood)' >/dev/null"
expect_exit 64 'not with --source-dir' "marking from a --source-dir copy is refused" "$flash" --node "$node" --mark-known-good "$b2" --source-dir "$root"
for bad in '{"node": "'"$node"'", "build": "../../x", "markedAt": "2025-01-01T00:00:00Z"}' \
  '{"node": "'"$node"'", "build": "'"$b2"'", "markedAt": "2025-01-01T00:00:00Z", "extra": 1}' \
  '{"node": "other", "build": "'"$b2"'", "markedAt": "2025-01-01T00:00:00Z"}' 'not json'; do
  printf '%s' "$bad" >"$root/$(key knownGood)"
  expect_exit 65 'known-good pointer .* is not valid' "a hostile pointer is refused: $(printf '%q' "$bad" | cut -c1-60)" \
    "$flash" --node "$node" --known-good --output "$scratch/never.img"
done
check "... and nothing was written" test ! -e "$scratch/never.img"
head -c 4096 /dev/zero | tr '\0' ' ' >"$root/$(key knownGood)"
expect_exit 65 'larger than 1024 bytes' "an oversized pointer is refused unread" "$flash" --node "$node" --known-good --output "$scratch/never.img"
expect_exit 64 "unknown node localhost" "an unknown node is refused (localhost: a name no node may have)" "$flash" --node localhost --list-builds
check "shellcheck: builds.sh and this check" shellcheck -x scripts/lib/builds.sh "$0"

t_summary
