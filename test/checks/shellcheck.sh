#!/usr/bin/env bash
# Runs shellcheck over every hand-written shell script in the repository: files that git tracks
# or would track (node_modules, .scratch and other ignored paths are left out) whose name
# ends in .sh/.bash or whose first line is a sh/bash shebang. Found, not listed by hand.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
command -v shellcheck >/dev/null || { echo "shellcheck: not installed (test/system-packages.txt)" >&2; exit 1; }

scripts=()
while IFS= read -r -d '' file; do
  [[ -f $file ]] || continue
  if [[ $file == *.sh || $file == *.bash ]] ||
    head -n1 "$file" | grep -qE '^#!.*/(env +)?(ba|da)?sh( |$)'; then
    scripts+=("$file")
  fi
done < <(git ls-files -z --cached --others --exclude-standard)

((${#scripts[@]})) || { echo "shellcheck: no shell scripts found" >&2; exit 1; }
# -x follows `source` lines; "# shellcheck source=<path from the repo root>" names their files.
shellcheck -x "${scripts[@]}"
printf 'shellcheck: %d scripts clean:\n' "${#scripts[@]}"
printf '  %s\n' "${scripts[@]}"
