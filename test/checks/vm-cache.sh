#!/usr/bin/env bash
# shellcheck disable=SC2016 # each `bash -c '...' _ args` body expands its own arguments
# The VM bench's machine cache (test/vm/build-image.sh) in a scratch cache, with a STAND-IN
# mmdebstrap on PATH (it lays out a tiny root instead of downloading Debian; the rest of the
# build is real: mke2fs -d, sgdisk, the hashes): a missing image is built, a present one is
# reused and checked once per test run, a corrupt or half-built one is built again, two runs
# side by side build it once, and a rebuild waits for the tests that use the image.
# Prints "vm-cache: N passed, M failed (S s)". Exit codes: docs/exit-codes.md.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/bin"
cat >"$scratch/bin/mmdebstrap" <<'EOF'
#!/usr/bin/env bash
# STAND-IN for mmdebstrap (test/checks/vm-cache.sh): takes build-image.sh's options, refuses
# others, and lays out a tiny root in the target directory; every call is counted.
set -eu
args=()
while (($#)); do
  case $1 in
    --quiet | --mode=root | --variant=apt | --format=directory | --include=* | --skip=* | \
      --setup-hook=* | --customize-hook=* | --dpkgopt=*) shift ;;
    -*) echo "mmdebstrap stand-in: unknown option $1" >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
((${#args[@]} == 3)) || { echo "mmdebstrap stand-in: want SUITE TARGET MIRROR" >&2; exit 2; }
echo "build ${args[1]}" >>"$STANDIN_DIR/builds"
sleep "${STANDIN_BUILD_SECONDS:-0}"
mkdir -p "${args[1]}/boot" "${args[1]}/etc"
echo kernel >"${args[1]}/boot/vmlinuz-stand-in"
echo initrd >"${args[1]}/boot/initrd.img-stand-in"
echo bench >"${args[1]}/etc/hostname"
EOF
chmod +x "$scratch/bin/mmdebstrap"
# Small images: the check is about the cache, not the size.
export STANDIN_DIR=$scratch PATH=$scratch/bin:$PATH LOLICE_VM_CACHE=$scratch/cache LOLICE_VM_DISK_MIB=64
: >"$scratch/builds"

# build LOG [RUN_DIR]: build-image.sh; its stderr in LOG; prints the image dir.
build() { LOLICE_TEST_RUN_DIR=${2:-} bash test/vm/build-image.sh 2>"$1" | tail -n1; }
builds() { wc -l <"$scratch/builds"; }

dir=$(build "$scratch/1.log")
check "a missing image is built (cache cold) [builds $(builds)]" \
  bash -c '[[ $1 == 1 ]] && grep -q "cache cold: built" "$2"' _ "$(builds)" "$scratch/1.log"
check "... read-only, its hashes in SHA256SUMS" \
  bash -c 'cd "$1" && test ! -w disk.raw -o "$(stat -c %a disk.raw)" = 444 && sha256sum --quiet -c SHA256SUMS' _ "$dir"

again=$(build "$scratch/2.log")
check "a present image is reused (cache warm) and checked against its hashes [builds $(builds)]" \
  bash -c '[[ $1 == 1 && $2 == "$3" ]] && grep -q "cache warm" "$4"' _ "$(builds)" "$again" "$dir" "$scratch/2.log"

build "$scratch/3.log" "$scratch/no-such-run-dir" >/dev/null
check "a run dir that does not exist: the image is checked, found good and kept, not built again [builds $(builds)]" \
  bash -c '[[ $1 == 1 ]] && grep -q "cache warm" "$2" && grep -q "cannot write .*no-such-run-dir" "$2"' _ "$(builds)" "$scratch/3.log"

run=$scratch/run && mkdir -p "$run"
build "$scratch/4.log" "$run" >/dev/null
printf 'x' | dd of="$dir/disk.raw" bs=1 seek=1048700 conv=notrunc status=none 2>/dev/null
build "$scratch/5.log" "$run" >/dev/null
check "within one test run the hashes are checked once (a stamp in LOLICE_TEST_RUN_DIR)" \
  bash -c '[[ $1 == 1 ]] && grep -q "cache warm" "$2" && ls "$3"/bench-image-verified.* >/dev/null' _ "$(builds)" "$scratch/5.log" "$run"

build "$scratch/6.log" >/dev/null
check "a corrupt image (one byte changed) is built again, and says so [builds $(builds)]" \
  bash -c '[[ $1 == 2 ]] && grep -q "does not match its SHA256SUMS" "$2" && grep -q "cache cold: built" "$2"' _ "$(builds)" "$scratch/6.log"
check "... and then matches its hashes" bash -c 'cd "$1" && sha256sum --quiet -c SHA256SUMS' _ "$dir"

rm "$dir/SHA256SUMS"
build "$scratch/7.log" >/dev/null
check "a half-built image (no SHA256SUMS) is built again [builds $(builds)]" \
  bash -c '[[ $1 == 3 ]] && grep -q "cache cold: built" "$2"' _ "$(builds)" "$scratch/7.log"

# Two runs side by side on a missing image: one builds, the other waits and finds it built.
rm -rf "$dir"
STANDIN_BUILD_SECONDS=3 build "$scratch/8a.log" >/dev/null &
first=$!
sleep 1
build "$scratch/8b.log" >/dev/null
wait "$first"
check "two runs side by side build the image once [builds $(builds)]" \
  bash -c '[[ $1 == 4 ]] && cat "$2" "$3" | grep -c "cache cold: built" | grep -qx 1' _ "$(builds)" "$scratch/8a.log" "$scratch/8b.log"

# A test holds the image's lock shared (as vm_init does while its VMs run): a rebuild of a
# corrupt image waits for it.
printf 'y' | dd of="$dir/disk.raw" bs=1 seek=1048700 conv=notrunc status=none 2>/dev/null
exec 7<"$dir.lock"
flock -s 7
build "$scratch/9.log" >/dev/null &
rebuild=$!
sleep 3
check "a rebuild waits while a test holds the image [builds $(builds)]" bash -c '[[ $1 == 4 ]] && kill -0 "$2"' _ "$(builds)" "$rebuild"
flock -u 7
exec 7<&-
wait "$rebuild"
check "... and runs when it lets go [builds $(builds)]" test "$(builds)" == 5

t_summary
