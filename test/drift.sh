#!/usr/bin/env bash
# Drift check: regenerate every artifact, then fail if the tree differs from
# what is committed (modified, deleted or untracked files alike).
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"

npx projen
changes=$(git status --porcelain --untracked-files=all)
if [[ -n "$changes" ]]; then
  echo "drift: the tree differs from what is committed after 'npx projen':" >&2
  echo "$changes" >&2
  git --no-pager diff --stat >&2 || true
  echo "drift: run 'npx projen' and commit the result (or commit/remove the files above)." >&2
  exit 1
fi
echo "drift: none"
