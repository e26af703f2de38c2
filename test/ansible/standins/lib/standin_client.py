"""The client side of the STAND-IN API server (test/ansible/standins/api-server), shared by the
stand-in kubectl, kubeadm and kubelet (build-repos.sh puts a copy into each package): kubeconfig
files as kubectl reads them, requests with their token, and kubectl's messages for what fails
(Client.call; Client.request leaves a failure to its caller: the kubelet logs it and goes on).
For the lolice Ansible tests only."""
import json, os, re, sys, time, urllib.error, urllib.request

import yaml

CALLS = '/var/log/lolice-standin/calls.log'


def log(line):
    """One line of the machine's call log, with the time (the upgrade test orders logs of several machines by it)."""
    os.makedirs(os.path.dirname(CALLS), exist_ok=True)
    with open(CALLS, 'a') as f:
        f.write(f'{time.time():.3f} {line}\n')


def fail(msg, code=1):
    print(msg, file=sys.stderr)
    sys.exit(code)


def go_duration(text):
    """Seconds of a Go duration ("300s", "5m", "1m30s", "0"), as kubectl's flags parse them."""
    if text == '0':
        return 0.0
    parts = re.fullmatch(r'((?:\d+(?:\.\d+)?(?:h|m|s|ms))+)', text or '')
    if not parts:
        return None
    units = {'h': 3600, 'm': 60, 's': 1, 'ms': 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r'(\d+(?:\.\d+)?)(ms|h|m|s)', text))


def go_duration_string(seconds):
    """time.Duration's String() of whole seconds: 20s, 5m0s, 1h0m0s."""
    s = int(seconds)
    if s < 60:
        return f'{s}s'
    if s < 3600:
        return f'{s // 60}m{s % 60}s'
    return f'{s // 3600}h{s % 3600 // 60}m{s % 60}s'


class Kubeconfig:
    """The cluster and credentials of a kubeconfig file (its current context, or its first entries)."""

    def __init__(self, path):
        try:
            with open(path) as f:
                doc = yaml.safe_load(f) or {}
        except OSError as err:
            fail(f'error: error loading config file "{path}": open {path}: {err.strerror.lower()}')
        ctx = next((c['context'] for c in doc.get('contexts') or [] if c.get('name') == doc.get('current-context')),
                   (doc.get('contexts') or [{}])[0].get('context', {}))
        cluster = next((c['cluster'] for c in doc.get('clusters') or [] if c.get('name') == ctx.get('cluster')),
                       (doc.get('clusters') or [{}])[0].get('cluster', {}))
        user = next((u['user'] for u in doc.get('users') or [] if u.get('name') == ctx.get('user')),
                    (doc.get('users') or [{}])[0].get('user', {}))
        self.server = cluster.get('server', 'http://localhost:8080')
        self.has_server = bool(cluster.get('server'))  # kubeadm's clients have no default server
        self.token = user.get('token') or ''


class Client:
    def __init__(self, server, token, timeout=30.0):
        self.server, self.token, self.timeout = server.rstrip('/'), token, timeout or None

    def request(self, method, path, body=None):
        """(status, decoded body) of a request; a connection that fails raises OSError (the kubelet
        logs it and tries again)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method,
                                     headers={'Authorization': f'Bearer {self.token}', 'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode()

    def call(self, method, path, body=None, strict=True):
        """(status, decoded body) of a request. A connection that fails ends the program as kubectl
        ends; so do 401 and 403, unless strict is false."""
        try:
            status, decoded = self.request(method, path, body)
        except OSError as err:
            host = self.server.split('://', 1)[-1]
            reason = getattr(err, 'reason', err)
            if 'timed out' in str(reason):
                fail(f'Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)')
            fail(f'The connection to the server {host} was refused - did you specify the right host or port?')
        if not strict:
            return status, decoded
        if status == 401:
            fail('error: You must be logged in to the server (Unauthorized)')
        if status == 403:
            fail(f'Error from server (Forbidden): {decoded.get("message", "")}')
        return status, decoded
