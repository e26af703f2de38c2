#!/usr/bin/env bash
# One exit-code scheme across the operator scripts (docs/exit-codes.md): the sysexits(3)
# constants of scripts/lib/common.sh are the C library's (/usr/include/sysexits.h, when
# installed); install-to-disk, shipped alone to the USB installer, repeats them with the same
# values; the table of docs/exit-codes.md lists exactly those constants; every EX_ name a script
# uses is defined; and no script exits with a bare number but 0, 1, 130 and 143.
# shellcheck disable=SC2016 # the patterns hold a literal $ and backquotes
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh

readonly COMMON=scripts/lib/common.sh
readonly INSTALLER=ansible/roles/usb_installer/files/install-to-disk.sh
readonly DOC=docs/exit-codes.md
readonly SCRIPTS=(scripts/*.sh scripts/lib/*.sh "$INSTALLER")

# constants FILE: "NAME VALUE" of each `readonly EX_NAME=VALUE` in FILE, sorted.
constants() { grep -E '^readonly EX_' "$1" | grep -oE 'EX_[A-Z]+=[0-9]+' | tr '=' ' ' | sort; }
common=$(constants "$COMMON")
check "$COMMON defines the sysexits constants ($(wc -l <<<"$common"))" test "$(wc -l <<<"$common")" -ge 5

if [[ -r /usr/include/sysexits.h ]]; then
  libc=$(awk '$1 == "#define" && $2 ~ /^EX_[A-Z]+$/ && $3 ~ /^[0-9]+$/ { print $2, $3 }' /usr/include/sysexits.h | sort)
  check "... with the values of /usr/include/sysexits.h" test -z "$(comm -23 <(printf '%s\n' "$common") <(printf '%s\n' "$libc"))"
else
  echo "# /usr/include/sysexits.h not installed (libc6-dev): values not compared with the C library"
fi

installer=$(constants "$INSTALLER")
check "install-to-disk repeats $(wc -l <<<"$installer") of them, each with common.sh's value" \
  test -z "$(comm -23 <(printf '%s\n' "$installer") <(printf '%s\n' "$common"))"

# The table's rows: "| 64 | `EX_USAGE` | ...".
table=$(grep -oE '^\| *[0-9]+ *\| *`EX_[A-Z]+`' "$DOC" | tr -d '|`' | awk '{ print $2, $1 }' | sort)
check "$DOC has a row for each constant and for nothing else" test "$table" == "$common"
for code in 0 1 130 143; do
  check "$DOC has a row for $code" grep -qE "^\| *$code *\|" "$DOC"
done

used=$(grep -ohE '\$\{?EX_[A-Z]+' "${SCRIPTS[@]}" | tr -d '${' | sort -u)
undefined=$(comm -23 <(printf '%s\n' "$used") <(cut -d' ' -f1 <<<"$common"))
check "every EX_ name the scripts use is defined${undefined:+ (not: $undefined)}" test -z "$undefined"

# Bare numbers outside comments: `exit N` and `die N` with N other than 0, 1, 130 and 143.
bare=$(grep -nE '(^|[^a-z_])(exit|die) +[0-9]+' "${SCRIPTS[@]}" | grep -vE '^[^:]+:[0-9]+: *#' |
  grep -vE '(exit|die) +(0|1|130|143)([^0-9]|$)' || true)
check "no script exits with a bare number outside the scheme${bare:+: $bare}" test -z "$bare"

t_summary
