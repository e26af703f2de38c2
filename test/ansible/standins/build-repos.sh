#!/usr/bin/env bash
# Builds the STAND-INS of the Kubernetes and CRI-O APT repositories for the Ansible tests
# (test/e2e/ansible-converge.sh, upgrade.sh): stand-in .deb packages with the real names and the
# model's versions (payloads beside this script: tiny scripts and systemd units), in flat
# repositories signed with a throwaway key, laid out under the real repositories' paths:
#
#   <out>/www/pkgs.k8s.io/core:/stable:/v<minor>/deb/                               kubelet kubeadm kubectl
#                                                                                   kubernetes-cni cri-tools
#   <out>/www/download.opensuse.org/repositories/isv:/cri-o:/stable:/v<minor>/deb/   cri-o
#
# each with Packages, Release, InRelease and the armored signing key Release.key.
# Versions come from the generated ansible/inventories/production/group_vars/workers.yml: the
# repositories' minors (kubernetes_version, crio_version) and the package pins.
# The Kubernetes repository also holds the next patch release of each package, so the test
# can show that the pins (not "newest wins") decide what is installed.
#
# The packages keep the real ones' shape where a rollout meets it (cri-o/packaging's spec,
# pkgs.k8s.io's control files): kubelet depends on kubernetes-cni of its series (a newer minor
# needs a newer one, found only in its own repository), kubeadm on cri-tools; cri-o recommends
# kubernetes-cni, ships /etc/default/crio as a conffile (its content changes with each version:
# a locally edited copy meets dpkg's conffile question) and 10-crio.conf as a plain file, and its
# maintainer script restarts a running crio on upgrade as the real package does
# (deb-systemd-invoke try-restart crio.service, which honours policy-rc.d).
#
# With --next-minor it also builds the repositories of the minor series after the model's
# (version <major>.<minor+1>.0 of each package, same revision, and its next patch; CRI-O
# <minor+1>), and writes <out>/next.yml: the group variables of the model moved to that series.
# The upgrade test (test/e2e/upgrade.sh) starts from the converged worker, at the model's
# versions, and upgrades it to them.
#
# The signing key is new on each run, unless --key FILE gives one (an armored secret key): a
# later test of the same run signs with the key the converged worker already trusts, as
# pkgs.k8s.io signs every minor series with one key. Either way the key is written to
# <out>/signing-key.asc (a throwaway of the test run, valid for one day; never committed).
#
# Every stand-in package logs its installation ("dpkg configure <name> <version>") to
# /var/log/lolice-standin/calls.log, where the stand-in kubectl, kubeadm, kubelet and CRI-O
# log their calls and starts too: one ordered record of an upgrade, each line after its time
# (seconds since the epoch, three decimals), by which the logs of several machines merge.
#
#   bash test/ansible/standins/build-repos.sh <out-dir> [--next-minor] [--key FILE]
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

# minor_step DELTA VERSION: the first release of the minor series DELTA away:
# minor_step -1 1.32.3-1.1 -> 1.31.0-1.1; minor_step 1 1.32 -> 1.33.
minor_step() {
  local delta=$1 upstream=${2%%-*} revision='' major minor
  [[ $2 == *-* ]] && revision=-${2#*-}
  major=${upstream%%.*} minor=${upstream#*.} minor=${minor%%.*}
  ((minor + delta >= 0)) || { log "no minor series before $2"; exit 1; }
  if [[ $upstream == *.*.* ]]; then echo "$major.$((minor + delta)).0$revision"; else echo "$major.$((minor + delta))"; fi
}

# cni_version MINOR: the stand-in kubernetes-cni of a Kubernetes minor series (1.36 -> 1.7.0-1.1):
# one newer release per series, as the real one moves.
cni_version() { echo "1.$((${1#*.} - 29)).0-1.1"; }

# build_deb NAME VERSION DEST_DIR [CONTROL-LINE...]: a stand-in package from the payload tree
# <here>/<NAME>, with extra control fields (Depends: ...). Conffiles: those CONFFILES[NAME] lists.
declare -A CONFFILES=([cri-o]=/etc/default/crio)
build_deb() {
  local name=$1 version=$2 dest=$3 tree
  shift 3
  tree=$(mktemp -d)
  cp -a "$here/$name/." "$tree/"
  # The stand-in tools that speak to the stand-in API server carry their own copy of its client.
  case $name in
    kubectl | kubeadm | kubelet) install -D -m 0644 "$here/lib/standin_client.py" "$tree/usr/lib/lolice-standin/$name/standin_client.py" ;;
  esac
  mkdir -p "$tree/DEBIAN"
  {
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: amd64"
    echo "Maintainer: lolice tests <tests@example.invalid>"
    (($# == 0)) || printf '%s\n' "$@"
    echo "Description: STAND-IN for $name (lolice Ansible tests only)"
    echo " Not the real package: a small script and the unit files the real package ships."
  } >"$tree/DEBIAN/control"
  # The conffile's content changes with every version, as a real package's does now and then.
  if [[ $name == cri-o ]]; then
    printf '# /etc/default/crio of the STAND-IN cri-o %s\nCRIO_CONFIG_OPTIONS=""\n' "$version" >"$tree/etc/default/crio"
  fi
  cat >"$tree/DEBIAN/postinst" <<POSTINST
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
  mkdir -p /var/log/lolice-standin
  echo "\$(date +%s.%N | cut -c1-14) dpkg configure $name $version" >>/var/log/lolice-standin/calls.log
fi
POSTINST
  # cri-o: after an upgrade (configure with the old version), restart a running crio, as
  # debhelper's restart-after-upgrade snippet in the real package does.
  if [[ $name == cri-o ]]; then
    cat >>"$tree/DEBIAN/postinst" <<'POSTINST'
if [ "$1" = configure ] && [ -n "$2" ] && [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
  deb-systemd-invoke try-restart crio.service >/dev/null || true
fi
POSTINST
  fi
  chmod 0755 "$tree/DEBIAN/postinst"
  if [[ -n ${CONFFILES[$name]:-} ]]; then printf "%s\n" "${CONFFILES[$name]}" >"$tree/DEBIAN/conffiles"; fi
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

# build_series OUT MINOR CRIO KUBEADM KUBELET KUBECTL CRIO_PACKAGE [next]: the two repositories of
# one minor series; with "next", the Kubernetes one also holds the next patch release of each package.
build_series() {
  local out=$1 minor=$2 crio=$3 kubeadm=$4 kubelet=$5 kubectl=$6 crio_package=$7 next=${8:-}
  local k8s=$out/www/pkgs.k8s.io/core:/stable:/v$minor/deb
  local crio_dir=$out/www/download.opensuse.org/repositories/isv:/cri-o:/stable:/v$crio/deb
  local cni cri_tools v
  cni=$(cni_version "$minor") cri_tools=$minor.0-1.1
  rm -rf "$k8s" "$crio_dir" && mkdir -p "$k8s" "$crio_dir"
  build_deb kubernetes-cni "$cni" "$k8s"
  build_deb cri-tools "$cri_tools" "$k8s"
  for v in "$kubeadm" ${next:+"$(next_patch "$kubeadm")"}; do build_deb kubeadm "$v" "$k8s" "Depends: cri-tools (>= ${cri_tools%-*})"; done
  for v in "$kubelet" ${next:+"$(next_patch "$kubelet")"}; do build_deb kubelet "$v" "$k8s" "Depends: kubernetes-cni (>= ${cni%-*})"; done
  for v in "$kubectl" ${next:+"$(next_patch "$kubectl")"}; do build_deb kubectl "$v" "$k8s"; done
  for v in "$crio_package" ${next:+"$(next_patch "$crio_package")"}; do build_deb cri-o "$v" "$crio_dir" "Recommends: kubernetes-cni"; done
  sign_repo "$k8s" "pkgs.k8s.io core:/stable:/v$minor"
  sign_repo "$crio_dir" "isv:cri-o:stable:v$crio"
}

# build_other_series OUT DELTA NAME: the series DELTA minors away from the model's (with its next
# patch, to prove the pins there too), and <out>/NAME.yml, the group variables of a cluster at
# its versions.
build_other_series() {
  local out=$1 delta=$2 name=$3 m c cp ka kl kc
  m=$(minor_step "$delta" "$minor") c=$(minor_step "$delta" "$crio") cp=$(minor_step "$delta" "$crio_package")
  ka=$(minor_step "$delta" "$kubeadm") kl=$(minor_step "$delta" "$kubelet") kc=$(minor_step "$delta" "$kubectl")
  build_series "$out" "$m" "$c" "$ka" "$kl" "$kc" "$cp" next
  cat >"$out/$name.yml" <<VARS
# The cluster at the minor series $delta away from the model's (stand-in repositories of build-repos.sh).
kubernetes_version: "$m"
kubernetes_kubeadm_version: "$ka"
kubernetes_kubelet_version: "$kl"
kubernetes_kubectl_version: "$kc"
crio_version: "$c"
crio_package_version: "$cp"
VARS
  log "and the $name series: Kubernetes $m ($kl), CRI-O $cp; its group variables in $out/$name.yml"
}

main() {
  local out=${1:?usage: build-repos.sh <out-dir> [--next-minor] [--key FILE]} next='' key=''
  shift
  while (($#)); do
    case $1 in
      --next-minor) next=1 ;;
      --key) key=${2:?--key needs a file}; shift ;;
      *) log "unknown option $1"; exit 64 ;;
    esac
    shift
  done
  require_cmd dpkg-deb dpkg-scanpackages gpg gpgconf sha256sum
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  minor=$(fact kubernetes_version) crio=$(fact crio_version) crio_package=$(fact crio_package_version)
  kubeadm=$(fact kubernetes_kubeadm_version) kubelet=$(fact kubernetes_kubelet_version) kubectl=$(fact kubernetes_kubectl_version)

  export GNUPGHOME=$out/gnupg
  rm -rf "$GNUPGHOME" && mkdir -m 0700 "$GNUPGHOME"
  if [[ -n $key ]]; then
    gpg --batch --quiet --import "$key"
  else
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
      --quick-gen-key 'lolice stand-in APT repositories (tests only) <tests@example.invalid>' ed25519 sign 1d
  fi
  (umask 077 && gpg --batch --quiet --pinentry-mode loopback --passphrase '' --armor --export-secret-keys >"$out/signing-key.asc")

  build_series "$out" "$minor" "$crio" "$kubeadm" "$kubelet" "$kubectl" "$crio_package" next
  log "Kubernetes $minor ($kubelet, and $(next_patch "$kubelet") to prove the pin) and CRI-O $crio_package (and $(next_patch "$crio_package")) in $out/www"
  [[ -z $next ]] || build_other_series "$out" 1 next
  gpgconf --kill gpg-agent 2>/dev/null || true
}

main "$@"
