# shellcheck shell=bash
# The STAND-IN control plane of the day-two tests (test/e2e/upgrade.sh; the join phase of
# test/e2e/ansible-converge.sh): the stand-in API server
# (test/ansible/standins/api-server) and a control-plane HOST reached as production reaches
# shanghai-1, by SSH, as its own user, with sudo to root and kubeadm's admin kubeconfig at
# /etc/kubernetes/admin.conf (mode 0600: kubectl without sudo cannot read it). The host is not a
# VM: it is an sshd of the test machine on a loopback port, in a mount namespace of its own, where
#   /etc        is a copy of the machine's, plus the user lolice-cp, its sudo rule, and
#               /etc/kubernetes/admin.conf (the API server's address and admin token);
#   /usr/local  holds the stand-in kubectl and kubeadm (/usr/local/sbin, first on sudo's path);
#   /run        is a tmpfs (sshd's /run/sshd, the user's home /run/lolice-cp);
# nothing of that is visible outside the namespace. So the delegated kubectl tasks run at native
# speed (a VM under TCG emulation costs 2-4 s a task) and the call goes through ssh, sudo and
# kubeconfig as on the real control plane. Needs root, unshare and the sshd and sudo of
# openssh-server and sudo (test/system-packages.txt). Source it after test/ansible/converge/lib.sh.
#
#   cp_start VERSION         API server and host up (CP_API_PORT, CP_SSH_PORT, CP_KEY, CP_USER): a
#                            cluster at VERSION (vX.Y.Z): each control-plane node of the inventory
#                            Ready with its kube-apiserver, kubeadm-config at VERSION, the CNI and
#                            kube-proxy as DaemonSets (a pod on each node that registers).
#                            CP_DAEMONSET_DELAY: the seconds a DaemonSet pod takes to be Ready after
#                            its kubelet started (the server's default when unset)
#   cp_tunnel VM             the API server's port, tunnelled to the VM's own 127.0.0.1 (its kubelet
#                            and kubeadm reach the API there, as a worker reaches the VIP)
#   cp_inventory_lines       the [control_plane] group of a test inventory: the inventory's
#                            control-plane names, the first of them this host
#   cp_state PYTHON          runs a statement on the API's state `s` (GET, exec, PUT), as the admin;
#                            cp_read PYTHON: the same without the PUT
#   cp_versions VERSION [NODE VERSION]
#                            every API server, kubeadm-config and the control-plane nodes' kubelets
#                            and CRI-O at VERSION (a control plane upgraded), then NODE's API server
#                            and kubelet at its own (NODE need not be a node of the inventory)
#   cp_calls                 the host's call log (the stand-in kubectl's and kubeadm's calls)
#   cp_stop                  stops both (cv_cleanup calls it)

# shellcheck disable=SC2034 # lib.sh's: cv_cleanup stops the tunnels
declare -gA TUNNEL_PID
CP_USER=lolice-cp
CP_UID=64027
CP_DIR='' CP_API_PORT='' CP_SSH_PORT='' CP_KEY='' CP_API_PID='' CP_SSH_PID=''

# cp_tree: /etc, /usr/local and the keys of the host under $CP_DIR.
cp_tree() {
  local standins=$CONVERGE_REPO/test/ansible/standins tool
  mkdir -p "$CP_DIR"/{usr-local/sbin,usr-local/lib/lolice-standin,log,keys}
  cp -a /etc "$CP_DIR/etc"
  echo "$CP_USER:x:$CP_UID:$CP_UID:lolice stand-in control-plane admin:/run/$CP_USER:/bin/sh" >>"$CP_DIR/etc/passwd"
  echo "$CP_USER:x:$CP_UID:" >>"$CP_DIR/etc/group"
  echo "$CP_USER:*:19000:0:99999:7:::" >>"$CP_DIR/etc/shadow"
  install -m 0440 /dev/stdin "$CP_DIR/etc/sudoers.d/90-$CP_USER" <<<"$CP_USER ALL=(ALL) NOPASSWD: ALL"
  install -d -m 0755 "$CP_DIR/etc/kubernetes"
  install -m 0600 /dev/stdin "$CP_DIR/etc/kubernetes/admin.conf" <<CONF
apiVersion: v1
kind: Config
clusters: [{name: lolice, cluster: {server: "http://127.0.0.1:$CP_API_PORT"}}]
users: [{name: kubernetes-admin, user: {token: $(cat "$CP_DIR/admin-token")}}]
contexts: [{name: kubernetes-admin@lolice, context: {cluster: lolice, user: kubernetes-admin}}]
current-context: kubernetes-admin@lolice
CONF
  for tool in kubectl kubeadm; do
    install -m 0755 "$standins/$tool/usr/bin/$tool" "$CP_DIR/usr-local/sbin/$tool"
    mkdir -p "$CP_DIR/usr-local/lib/lolice-standin/$tool"
    cp "$standins/lib/standin_client.py" "$CP_DIR/usr-local/lib/lolice-standin/$tool/"
  done
  ssh-keygen -q -t ed25519 -N '' -C 'lolice stand-in control-plane host key' -f "$CP_DIR/keys/host"
  ssh-keygen -q -t ed25519 -N '' -C "$CP_USER (test only)" -f "$CP_DIR/keys/$CP_USER"
  # Read by sshd as the user: inside the namespace's /etc, not under the test's private work dir.
  install -m 0644 "$CP_DIR/keys/$CP_USER.pub" "$CP_DIR/etc/ssh/authorized_keys.$CP_USER"
  cat >"$CP_DIR/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $CP_SSH_PORT
HostKey $CP_DIR/keys/host
AuthorizedKeysFile /etc/ssh/authorized_keys.%u
AllowUsers $CP_USER
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
Subsystem sftp internal-sftp
CONF
}

cp_start() {
  CP_DIR=$(mktemp -d "$CONVERGE_WORK/control-plane.XXXXXX")
  chmod 0755 "$CP_DIR"
  CP_API_PORT=$(vm_free_port) CP_SSH_PORT=$(vm_free_port)
  head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$CP_DIR/admin-token"
  cv_control_plane_names | /usr/bin/python3 -c '
import json, sys
version, control = sys.argv[1], sys.stdin.read().split()
json.dump({"vipVersion": version, "kubernetesVersion": version, "apiServers": {n: version for n in control},
           "nodes": {n: {"ready": True, "kubeletVersion": version, "containerRuntimeVersion": "cri-o://" + version[1:],
                         "unschedulable": False, "annotations": {}, "labels": {"node-role.kubernetes.io/control-plane": ""},
                         "taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]} for n in control},
           "pods": [], "pdbs": [], "daemonSets": [{"namespace": "kube-system", "name": "calico-node"},
                                                  {"namespace": "kube-system", "name": "kube-proxy"}]},
          open(sys.argv[2], "w"), indent=2)' "$1" "$CP_DIR/state.json"
  /usr/bin/python3 "$CONVERGE_REPO/test/ansible/standins/api-server" --port "$CP_API_PORT" --state "$CP_DIR/state.json" \
    --admin-token-file "$CP_DIR/admin-token" ${CP_DAEMONSET_DELAY:+--daemonset-delay "$CP_DAEMONSET_DELAY"} >"$CP_DIR/api-server.log" 2>&1 &
  CP_API_PID=$!
  cp_tree
  unshare --mount --propagation private /bin/sh -ec "
    mount --bind '$CP_DIR/etc' /etc
    mount --bind '$CP_DIR/usr-local' /usr/local
    mount --bind '$CP_DIR/log' /var/log
    mount -t tmpfs -o mode=0755 tmpfs /run
    install -d -m 0755 /run/sshd
    install -d -m 0700 -o $CP_UID -g $CP_UID /run/$CP_USER
    exec /usr/sbin/sshd -D -e -f '$CP_DIR/sshd_config'" >"$CP_DIR/sshd.log" 2>&1 &
  CP_SSH_PID=$!
  CP_KEY=$CP_DIR/keys/$CP_USER
  local _
  for _ in $(seq 50); do
    cp_ssh true 2>/dev/null && { cv_log "stand-in control plane: API on 127.0.0.1:$CP_API_PORT, host $CP_USER@127.0.0.1:$CP_SSH_PORT"; return 0; }
    sleep 0.2
  done
  cat "$CP_DIR/sshd.log" "$CP_DIR/api-server.log" >&2
  vm_die "the stand-in control-plane host did not come up"
}

# cp_tunnel VM: the API's port forwarded into the VM (as the bench user, like the stand-in server's).
cp_tunnel() { cv_tunnel "$1" "$CP_API_PORT" "$1-api" API; }

# cp_inventory_lines: the control-plane group of the generated inventory, each name reaching this
# host (only the first is ever used: lolice_control_plane_host), as its own user.
cp_inventory_lines() {
  local name common='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
  echo '[control_plane]'
  while IFS= read -r name; do
    echo "$name ansible_host=127.0.0.1 ansible_port=$CP_SSH_PORT ansible_user=$CP_USER ansible_ssh_private_key_file=$CP_KEY ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='$common'"
  done < <(cv_control_plane_names)
}

# cv_control_plane_names: the control-plane nodes of the generated inventory, one a line.
cv_control_plane_names() {
  /usr/bin/python3 -c 'import sys, yaml; print("\n".join(yaml.safe_load(open(sys.argv[1]))["all"]["children"]["control_plane"]["hosts"]))' \
    "$CONVERGE_REPO/ansible/inventories/production/hosts.yml"
}

# cp_ssh COMMAND...: a command on the host, as its user.
cp_ssh() {
  ssh -q -i "$CP_KEY" -p "$CP_SSH_PORT" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR "$CP_USER@127.0.0.1" "$@"
}

# cp_state PYTHON: runs a statement on the API's state `s` as the admin, and writes it back (read
# again and run again when a writer came in between: 409). cp_read PYTHON: the same, read only.
cp_state() { CP_WRITE=1 cp_read "$1"; }
cp_read() {
  CP_WRITE=${CP_WRITE:-} /usr/bin/python3 - "$CP_API_PORT" "$(cat "$CP_DIR/admin-token")" "$1" <<'PY'
import json, os, sys, urllib.error, urllib.request
port, token, code = sys.argv[1:]
url = f'http://127.0.0.1:{port}/state'
def call(method, path, body=None):
    req = urllib.request.Request(path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={'Authorization': f'Bearer {token}'})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
for attempt in range(10):
    s = call('GET', url)
    exec(code)
    if not os.environ.get('CP_WRITE'):
        break
    try:
        call('PUT', f'{url}?resourceVersion={s["resourceVersion"]}', s)
        break
    except urllib.error.HTTPError as err:
        if err.code != 409 or attempt == 9:
            raise
PY
}

cp_versions() {
  cp_state "s['kubernetesVersion'] = s['vipVersion'] = '$1'
s['apiServers'] = {n: '$1' for n in s['apiServers']}
if '${2:-}': s['apiServers']['${2:-}'] = '${3:-}'
for n, v in s['apiServers'].items():
    if n in s['nodes']: s['nodes'][n].update(kubeletVersion=v, containerRuntimeVersion='cri-o://' + v[1:])"
}

cp_calls() { cat "$CP_DIR/log/lolice-standin/calls.log" 2>/dev/null || true; }

cp_stop() {
  # The sshd's sessions first (Ansible's shared connections keep them), then the sshd.
  [[ -z $CP_SSH_PID ]] || pkill -P "$CP_SSH_PID" 2>/dev/null || true
  [[ -z $CP_SSH_PID ]] || kill "$CP_SSH_PID" 2>/dev/null || true
  [[ -z $CP_API_PID ]] || kill "$CP_API_PID" 2>/dev/null || true
  CP_SSH_PID='' CP_API_PID=''
}
