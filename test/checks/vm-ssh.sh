#!/usr/bin/env bash
# The VM bench's SSH wrapper (vm_ssh_as in test/vm/lib.sh) against a STAND-IN ssh on PATH that
# plays a scripted sequence of outcomes: a connection that fails before the command starts is
# tried again; a command's own exit code, 255 included, and a refused login are not; a probe
# (VM_SSH_PROBE=1) tries once; a VM whose QEMU is gone is not waited for; the calls share one
# connection unless VM_SSH_FRESH=1, and vm_ssh_close ends the shared ones. No VM is started.
# Prints "vm-ssh: N passed, M failed (S s)". Exit codes: docs/exit-codes.md.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
# shellcheck source=test/vm/lib.sh
source test/vm/lib.sh
# shellcheck source=test/lib/checks.sh
source test/lib/checks.sh

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin"
# The stand-in: each call takes the next line of $scratch/plan ("EXIT MESSAGE"), writes MESSAGE
# where ssh writes its own errors (the -E file), prints "ran" when the command ran (exit 0 or a
# command's code) and exits EXIT; every call is counted in $scratch/calls.
cat >"$scratch/bin/ssh" <<'EOF'
#!/usr/bin/env bash
echo "$*" >>"$STANDIN_DIR/args"
log=''
while (($#)); do case $1 in -E) log=$2; shift 2 ;; -[ipoO]) shift 2 ;; *) break ;; esac; done
echo call >>"$STANDIN_DIR/calls"
n=$(wc -l <"$STANDIN_DIR/calls")
IFS=' ' read -r rc message < <(sed -n "${n}p" "$STANDIN_DIR/plan")
[[ -n $message ]] && printf '%s\r\n' "$message" >>"$log"
[[ $message == ran* || -z $message ]] && echo ran
exit "$rc"
EOF
chmod +x "$scratch/bin/ssh"
export STANDIN_DIR=$scratch PATH=$scratch/bin:$PATH

# The "VM": a live process stands for QEMU; no sleep between attempts (the stand-in answers at once).
sleep 600 &
VM_PID[box]=$! VM_PORT[box]=2222
trap 'kill "${VM_PID[box]}" 2>/dev/null || true; rm -rf "$scratch"' EXIT
sleep() { :; }

# attempt PLAN...: runs vm_ssh box with that plan; sets rc, out, err and calls.
attempt() {
  printf '%s\n' "$@" >"$scratch/plan"
  : >"$scratch/calls"
  rc=0
  out=$(vm_ssh box true 2>"$scratch/err") || rc=$?
  err=$(<"$scratch/err")
  calls=$(wc -l <"$scratch/calls")
}

attempt '255 Connection timed out during banner exchange' \
  '255 kex_exchange_identification: read: Connection reset by peer' \
  '255 ssh: connect to host 127.0.0.1 port 2222: Connection refused' '0'
check "a connection that fails before the command starts is tried again until it runs [calls $calls, exit $rc]" \
  test "$calls/$rc/$out" == "4/0/ran"
check "... each retry is said, with ssh's reason" grep -q 'box: SSH did not connect (Connection timed out during banner exchange), trying again' <<<"$err"

attempt '255 ran, then the command exited 255'
check "a command's own exit 255 is not run again [calls $calls, exit $rc]" test "$calls/$rc" == "1/255"

attempt '3'
check "a command's exit code passes through [calls $calls, exit $rc]" test "$calls/$rc/$out" == "1/3/ran"

attempt '255 root@127.0.0.1: Permission denied (publickey).' '0'
refused() { [[ $1 == 1/255 ]] && grep -q 'Permission denied' <<<"$2"; }
check "a refused login is not tried again, and ssh's message is shown [calls $calls, exit $rc]" refused "$calls/$rc" "$err"

attempt '255 Connection to 127.0.0.1 closed by remote host.' '0'
check "a connection lost while the command ran is not run again [calls $calls, exit $rc]" test "$calls/$rc" == "1/255"

printf '%s\n' '255 Connection timed out during banner exchange' '0' >"$scratch/plan"
: >"$scratch/calls"
rc=0
VM_SSH_PROBE=1 vm_ssh box true 2>/dev/null || rc=$?
calls=$(wc -l <"$scratch/calls")
check "a probe (VM_SSH_PROBE=1) tries once [calls $calls, exit $rc]" test "$calls/$rc" == "1/255"

# Shared connections: a master per user and port in VM_SSH_MUX_DIR (vm_init makes it).
VM_SSH_MUX_DIR=$scratch/mux
mkdir "$VM_SSH_MUX_DIR"
: >"$scratch/args"
attempt '0'
attempt '0'
shared="-o ControlMaster=auto -o ControlPath=$VM_SSH_MUX_DIR/%r@%p -o ControlPersist=600"
check "calls share one connection (ControlMaster=auto, one ControlPath per user and port)" \
  test "$(grep -cF -- "$shared" "$scratch/args")" == 2
: >"$scratch/args"
printf '0\n' >"$scratch/plan"; : >"$scratch/calls"
vm_ssh_fresh box true >/dev/null 2>&1
# shellcheck disable=SC2016 # the bash -c body expands its own arguments
check "vm_ssh_fresh (VM_SSH_FRESH=1) opens a connection of its own" \
  bash -c 'grep -qF -- "-o ControlMaster=no -o ControlPath=none" "$1" && ! grep -q ControlMaster=auto "$1"' _ "$scratch/args"
# vm_ssh_close: each master of the VM's port is asked to exit, another port's is left alone.
for sock in "root@2222" "bench@2222" "root@3333"; do
  /usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$VM_SSH_MUX_DIR/$sock"
done
: >"$scratch/args"
printf '0\n0\n0\n' >"$scratch/plan"; : >"$scratch/calls"
vm_ssh_close box
closed() { grep -qF -- "-O exit -p 2222 root@127.0.0.1" "$1" && grep -qF -- "-O exit -p 2222 bench@127.0.0.1" "$1" && ! grep -q 3333 "$1" && test ! -e "$2/root@2222" && test -S "$2/root@3333"; }
check "vm_ssh_close asks the VM's masters to exit and no other" closed "$scratch/args" "$VM_SSH_MUX_DIR"
VM_SSH_MUX_DIR=''

kill "${VM_PID[box]}"
wait "${VM_PID[box]}" 2>/dev/null || true
attempt '255 Connection timed out during banner exchange' '0'
check "a VM whose QEMU is gone is not waited for [calls $calls, exit $rc]" test "$calls/$rc" == "1/255"

t_summary
