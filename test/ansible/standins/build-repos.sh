#!/usr/bin/env bash
# Builds the STAND-INS of the Kubernetes and CRI-O APT repositories for the Ansible converge
# test (test/e2e/ansible-converge.sh): stand-in .deb packages with the real names and the
# model's versions (payloads beside this script: tiny scripts and systemd units), in two flat
# repositories signed with a throwaway key, laid out under the real repositories' paths:
#
#   <out>/www/pkgs.k8s.io/core:/stable:/v<minor>/deb/                               kubelet kubeadm kubectl
#   <out>/www/download.opensuse.org/repositories/isv:/cri-o:/stable:/v<minor>/deb/   cri-o
#
# each with Packages, Release, InRelease and the armored signing key Release.key.
# Versions come from the generated ansible/inventories/production/group_vars/workers.yml: the
# repositories' minors (kubernetes_version, crio_version) and the package pins.
# Each repository also holds the next patch release of each package, so the test
# can show that the pins (not "newest wins") decide what is installed.
#
#   bash test/ansible/standins/build-repos.sh <out-dir>
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
group_vars=$repo/ansible/inventories/production/group_vars/workers.yml

log() { printf 'standin-repos: %s\n' "$*" >&2; }

require_cmd() {
  local cmd
  for cmd in "$@"; do command -v "$cmd" >/dev/null || { log "missing command: $cmd"; exit 127; }; done
}

# fact NAME: one variable of the generated group_vars/workers.yml.
fact() {
  /usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' "$group_vars" "$1"
}

# next_patch 1.32.0-1.1 -> 1.32.1-1.1
next_patch() {
  local upstream=${1%%-*} revision=${1#*-}
  echo "${upstream%.*}.$((${upstream##*.} + 1))-$revision"
}

# build_deb NAME VERSION DEST_DIR: a stand-in package from the payload tree <here>/<NAME>.
build_deb() {
  local name=$1 version=$2 dest=$3 tree
  tree=$(mktemp -d)
  cp -a "$here/$name/." "$tree/"
  mkdir -p "$tree/DEBIAN"
  cat >"$tree/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: amd64
Maintainer: lolice tests <tests@example.invalid>
Description: STAND-IN for $name (lolice Ansible converge test only)
 Not the real package: a small script and the unit files the real package ships.
CONTROL
  if [[ -d $tree/etc ]]; then (cd "$tree" && find etc -type f -printf '/%p\n') >"$tree/DEBIAN/conffiles"; fi
  dpkg-deb --root-owner-group -Zgzip --build "$tree" "$dest/${name}_${version}_amd64.deb" >/dev/null
  rm -rf "$tree"
}

# sign_repo DIR LABEL: Packages, Release (SHA256), InRelease, Release.gpg, Release.key.
sign_repo() {
  local dir=$1 label=$2
  (cd "$dir" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null)
  {
    echo "Origin: lolice stand-in"
    echo "Label: $label (STAND-IN for tests)"
    echo "Date: $(LC_ALL=C date -Ru)"
    echo "Architectures: amd64"
    echo "SHA256:"
    printf ' %s %s Packages\n' "$(sha256sum <"$dir/Packages" | cut -d' ' -f1)" "$(stat -c %s "$dir/Packages")"
  } >"$dir/Release"
  gpg --batch --yes --quiet --clearsign -o "$dir/InRelease" "$dir/Release"
  gpg --batch --yes --quiet --armor --detach-sign -o "$dir/Release.gpg" "$dir/Release"
  gpg --batch --quiet --armor --export >"$dir/Release.key"
}

main() {
  local out=${1:?usage: build-repos.sh <out-dir>}
  require_cmd dpkg-deb dpkg-scanpackages gpg gpgconf sha256sum
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  local minor crio crio_package kubeadm kubelet kubectl
  minor=$(fact kubernetes_version) crio=$(fact crio_version) crio_package=$(fact crio_package_version)
  kubeadm=$(fact kubernetes_kubeadm_version) kubelet=$(fact kubernetes_kubelet_version) kubectl=$(fact kubernetes_kubectl_version)

  export GNUPGHOME=$out/gnupg
  rm -rf "$GNUPGHOME" && mkdir -m 0700 "$GNUPGHOME"
  gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'lolice stand-in APT repositories (tests only) <tests@example.invalid>' ed25519 sign 1d

  local k8s=$out/www/pkgs.k8s.io/core:/stable:/v$minor/deb
  local crio_dir=$out/www/download.opensuse.org/repositories/isv:/cri-o:/stable:/v$crio/deb
  rm -rf "$k8s" "$crio_dir" && mkdir -p "$k8s" "$crio_dir"
  build_deb kubeadm "$kubeadm" "$k8s"
  build_deb kubelet "$kubelet" "$k8s"
  build_deb kubectl "$kubectl" "$k8s"
  build_deb kubeadm "$(next_patch "$kubeadm")" "$k8s"
  build_deb kubelet "$(next_patch "$kubelet")" "$k8s"
  build_deb kubectl "$(next_patch "$kubectl")" "$k8s"
  build_deb cri-o "$crio_package" "$crio_dir"
  build_deb cri-o "$(next_patch "$crio_package")" "$crio_dir"
  sign_repo "$k8s" "pkgs.k8s.io core:/stable:/v$minor"
  sign_repo "$crio_dir" "isv:cri-o:stable:v$crio"
  gpgconf --kill gpg-agent 2>/dev/null || true
  log "Kubernetes $minor ($kubelet, and $(next_patch "$kubelet") to prove the pin) and CRI-O $crio_package (and $(next_patch "$crio_package")) in $out/www"
}

main "$@"
