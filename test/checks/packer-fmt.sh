#!/usr/bin/env bash
# External validator for the committed Packer templates (packer/x86_64/*.pkr.hcl):
# HashiCorp's formatter (Debian's packer 1.6.6; its `fmt` uses the same hclwrite
# rules as current Packer) must find them canonically formatted. A deliberately
# misformatted copy must be rejected, so the check can fail.
#
# Not done here: `packer init` and `packer validate` need the QEMU and Ansible
# plugins from GitHub; the pull-request workflow runs them for every worker.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"

readonly DIR=packer/x86_64

command -v packer >/dev/null || { echo "packer-fmt: packer is not installed (test/system-packages.txt lists it)" >&2; exit 1; }

shopt -s nullglob
templates=("$DIR"/*.pkr.hcl)
((${#templates[@]} > 0)) || { echo "packer-fmt: no templates in $DIR" >&2; exit 1; }

packer fmt -check -diff "$DIR"
echo "packer-fmt: ${#templates[@]} templates in $DIR canonically formatted (packer fmt -check)"

# Negative control: the same check on a copy with one attribute misaligned must fail.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "${templates[0]}" "$scratch/"
sed -i -E '0,/^  ([a-z_]+) += /s//  \1 =    /' "$scratch/$(basename "${templates[0]}")"
if packer fmt -check "$scratch" >/dev/null 2>&1; then
  echo "packer-fmt: a misformatted copy passed packer fmt -check: the check cannot fail" >&2
  exit 1
fi
echo "packer-fmt: a misformatted copy is rejected"
