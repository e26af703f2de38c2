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
# The Kubernetes repository also holds the next patch release of each package, so the test
# can show that the pins (not "newest wins") decide what is installed.
#
# With --previous-minor it also builds the repositories of the minor series before the
# model's (version <major>.<minor-1>.0 of each package, same revision; CRI-O <minor-1>), and
# writes <out>/previous.yml: the group variables of a cluster at that version, so that the
# upgrade test (test/e2e/upgrade.sh) can install it first and then upgrade to the model's.
#
# Every stand-in package logs its installation ("dpkg configure <name> <version>") to
# /var/log/lolice-standin/calls.log, where the stand-in kubectl, kubeadm, kubelet and CRI-O
# log their calls and starts too: one ordered record of an upgrade.
#
#   bash test/ansible/standins/build-repos.sh <out-dir> [--previous-minor]
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

# previous_minor 1.32.0-1.1 -> 1.31.0-1.1; 1.32 -> 1.31
previous_minor() {
  local upstream=${1%%-*} revision='' major minor
  [[ $1 == *-* ]] && revision=-${1#*-}
  major=${upstream%%.*} minor=${upstream#*.} minor=${minor%%.*}
  ((minor > 0)) || { log "no minor series before $1"; exit 1; }
  if [[ $upstream == *.*.* ]]; then echo "$major.$((minor - 1)).0$revision"; else echo "$major.$((minor - 1))"; fi
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
  cat >"$tree/DEBIAN/postinst" <<POSTINST
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
  mkdir -p /var/log/lolice-standin
  echo "dpkg configure $name $version" >>/var/log/lolice-standin/calls.log
fi
POSTINST
  chmod 0755 "$tree/DEBIAN/postinst"
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

# build_series OUT MINOR CRIO KUBEADM KUBELET KUBECTL [next]: the two repositories of one minor
# series; with "next", the Kubernetes one also holds the next patch release of each package.
build_series() {
  local out=$1 minor=$2 crio=$3 kubeadm=$4 kubelet=$5 kubectl=$6 crio_package=$7 next=${8:-}
  local k8s=$out/www/pkgs.k8s.io/core:/stable:/v$minor/deb
  local crio_dir=$out/www/download.opensuse.org/repositories/isv:/cri-o:/stable:/v$crio/deb
  rm -rf "$k8s" "$crio_dir" && mkdir -p "$k8s" "$crio_dir"
  build_deb kubeadm "$kubeadm" "$k8s"
  build_deb kubelet "$kubelet" "$k8s"
  build_deb kubectl "$kubectl" "$k8s"
  if [[ -n $next ]]; then
    build_deb kubeadm "$(next_patch "$kubeadm")" "$k8s"
    build_deb kubelet "$(next_patch "$kubelet")" "$k8s"
    build_deb kubectl "$(next_patch "$kubectl")" "$k8s"
    build_deb cri-o "$(next_patch "$crio_package")" "$crio_dir"
  fi
  build_deb cri-o "$crio_package" "$crio_dir"
  sign_repo "$k8s" "pkgs.k8s.io core:/stable:/v$minor"
  sign_repo "$crio_dir" "isv:cri-o:stable:v$crio"
}

main() {
  local out=${1:?usage: build-repos.sh <out-dir> [--previous-minor]} previous=${2:-}
  [[ -z $previous || $previous == --previous-minor ]] || { log "unknown option $previous"; exit 64; }
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

  build_series "$out" "$minor" "$crio" "$kubeadm" "$kubelet" "$kubectl" "$crio_package" next
  log "Kubernetes $minor ($kubelet, and $(next_patch "$kubelet") to prove the pin) and CRI-O $crio_package (and $(next_patch "$crio_package")) in $out/www"
  if [[ -n $previous ]]; then
    local pminor pcrio pkubeadm pkubelet pkubectl pcrio_package
    pminor=$(previous_minor "$minor") pcrio=$(previous_minor "$crio") pcrio_package=$(previous_minor "$crio_package")
    pkubeadm=$(previous_minor "$kubeadm") pkubelet=$(previous_minor "$kubelet") pkubectl=$(previous_minor "$kubectl")
    build_series "$out" "$pminor" "$pcrio" "$pkubeadm" "$pkubelet" "$pkubectl" "$pcrio_package"
    cat >"$out/previous.yml" <<VARS
# The cluster one minor series before the model's (stand-in repositories of build-repos.sh).
kubernetes_version: "$pminor"
kubernetes_kubeadm_version: "$pkubeadm"
kubernetes_kubelet_version: "$pkubelet"
kubernetes_kubectl_version: "$pkubectl"
crio_version: "$pcrio"
crio_package_version: "$pcrio_package"
VARS
    log "and the previous series: Kubernetes $pminor ($pkubelet), CRI-O $pcrio_package; its group variables in $out/previous.yml"
  fi
  gpgconf --kill gpg-agent 2>/dev/null || true
}

main "$@"
