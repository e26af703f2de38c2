import { describe, expect, it } from 'vitest';
import { assertValidCluster, lolice, ModelValidationError, validateCluster, type Cluster, type ValidationIssue } from '../src';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/** GIVEN the lolice model changed by `edit`, WHEN it is validated, THEN these issues come back. */
function issuesAfter(edit: (c: Mutable<Cluster>) => void): ValidationIssue[] {
  const c = structuredClone(lolice) as Mutable<Cluster>;
  edit(c);
  return validateCluster(c);
}

const node = (c: Mutable<Cluster>, name: string) => c.nodes.find((n) => n.name === name)!;
const indexOf = (name: string) => lolice.nodes.findIndex((n) => n.name === name);

describe('the lolice model', () => {
  it('is valid', () => {
    expect(validateCluster(lolice)).toEqual([]);
    expect(assertValidCluster(lolice)).toBe(lolice);
  });

  it('holds three control-plane nodes and three workers', () => {
    expect(lolice.nodes.filter((n) => n.role === 'control-plane').map((n) => n.name)).toEqual(['shanghai-1', 'shanghai-2', 'shanghai-3']);
    expect(lolice.nodes.filter((n) => n.role === 'worker').map((n) => [n.name, n.ip])).toEqual([
      ['golyat-1', '192.168.10.101'],
      ['golyat-2', '192.168.10.105'],
      ['golyat-3', '192.168.10.106'],
    ]);
  });
});

describe('validation rules', () => {
  it('rejects duplicate node names', () => {
    const issues = issuesAfter((c) => (node(c, 'golyat-2').name = 'golyat-1'));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-2')}].name`, rule: 'unique-node-name', message: expect.stringContaining('"golyat-1" is already used') }]);
  });

  it('rejects duplicate IPs', () => {
    const issues = issuesAfter((c) => (node(c, 'golyat-3').ip = '192.168.10.101'));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-3')}].ip`, rule: 'unique-node-ip', message: expect.stringContaining('golyat-1') }]);
  });

  it('rejects an IP outside the subnet', () => {
    const issues = issuesAfter((c) => (node(c, 'golyat-1').ip = '192.168.11.101'));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-1')}].ip`, rule: 'ip-in-subnet', message: '192.168.11.101 is outside the subnet 192.168.10.0/24' }]);
  });

  it.each([
    ['gateway', '192.168.10.1'],
    ['control-plane VIP', '192.168.10.99'],
    ['network address', '192.168.10.0'],
    ['broadcast address', '192.168.10.255'],
  ])('rejects a node IP equal to the %s', (what, ip) => {
    const issues = issuesAfter((c) => (node(c, 'golyat-1').ip = ip));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-1')}].ip`, rule: 'ip-not-reserved', message: `${ip} is the ${what}` }]);
  });

  it('rejects a VIP equal to the gateway and a gateway outside the subnet', () => {
    expect(issuesAfter((c) => (c.kubernetes.controlPlaneVip = '192.168.10.1'))).toEqual([
      { path: 'kubernetes.controlPlaneVip', rule: 'ip-not-reserved', message: '192.168.10.1 is the gateway' },
    ]);
    expect(issuesAfter((c) => (c.network.gateway = '10.0.0.1'))).toEqual([
      { path: 'network.gateway', rule: 'ip-in-subnet', message: '10.0.0.1 is outside the subnet 192.168.10.0/24' },
    ]);
  });

  it.each(['Golyat-1', 'golyat_1', '-golyat', 'golyat-', 'a'.repeat(64), ''])('rejects the hostname %j (not RFC 1123)', (name) => {
    const issues = issuesAfter((c) => (node(c, 'golyat-1').name = name));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-1')}].name`, rule: 'rfc1123-hostname', message: `${JSON.stringify(name)} is not a valid rfc1123-hostname` }]);
  });

  it('rejects an unknown role', () => {
    const issues = issuesAfter((c) => ((node(c, 'golyat-1') as { role: string }).role = 'etcd'));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-1')}].role`, rule: 'enum', message: '"etcd" is not one of "control-plane", "worker"' }]);
  });

  it('rejects an unknown architecture', () => {
    const issues = issuesAfter((c) => ((node(c, 'golyat-1') as { arch: string }).arch = 'riscv64'));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-1')}].arch`, rule: 'enum', message: '"riscv64" is not one of "arm64", "x86_64"' }]);
  });

  it('rejects an architecture the hardware does not have', () => {
    const issues = issuesAfter((c) => (node(c, 'golyat-1').arch = 'arm64'));
    expect(issues).toEqual([{ path: `nodes[${indexOf('golyat-1')}].arch`, rule: 'hardware-arch', message: 'hardware intel_x86_64 is x86_64, not arm64' }]);
  });

  it.each(['kubeadm', 'kubelet', 'kubectl'] as const)('rejects a %s package from another minor series', (component) => {
    const issues = issuesAfter((c) => (c.kubernetes.versions[component] = '1.31.4-1.1'));
    expect(issues).toEqual([{ path: `kubernetes.versions.${component}`, rule: 'matching-minor-versions', message: '1.31.4-1.1 is not in the 1.32 series of kubernetes.versions.minor' }]);
  });

  it('rejects a CRI-O minor that differs from Kubernetes', () => {
    const issues = issuesAfter((c) => (c.kubernetes.versions.crio = '1.31'));
    expect(issues).toEqual([{ path: 'kubernetes.versions.crio', rule: 'matching-minor-versions', message: 'CRI-O 1.31 does not match Kubernetes 1.32' }]);
  });

  it.each(['1.32.0', '1.32.0-1', 'v1.32.0-1.1', '1.32.0-1.1 '])('rejects the malformed package version %j', (version) => {
    const issues = issuesAfter((c) => (c.kubernetes.versions.kubelet = version));
    expect(issues).toEqual([{ path: 'kubernetes.versions.kubelet', rule: 'k8s-package-version', message: `${JSON.stringify(version)} is not a valid k8s-package-version` }]);
  });

  it.each(['abc', 'C3514BF0056180D09376462A7A1B4F213C1D6E8EA67FAE5C25099C6FD3D8274B', `${lolice.image.isoSha256}0`])('rejects the malformed sha256 %j', (sha) => {
    const issues = issuesAfter((c) => (c.image.isoSha256 = sha));
    expect(issues).toEqual([{ path: 'image.isoSha256', rule: 'sha256', message: `${JSON.stringify(sha)} is not a valid sha256` }]);
  });

  it('rejects missing required fields, naming each', () => {
    const issues = issuesAfter((c) => {
      delete (c.aws as { bucket?: string }).bucket;
      delete (node(c, 'golyat-2') as { ip?: string }).ip;
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'aws.bucket', rule: 'required', message: 'is required but missing' },
        { path: `nodes[${indexOf('golyat-2')}].ip`, rule: 'required', message: 'is required but missing' },
      ]),
    );
    expect(issues).toHaveLength(2);
  });

  it('rejects a field the model does not know', () => {
    const issues = issuesAfter((c) => ((c.network as Record<string, unknown>).gatway = '192.168.10.1'));
    expect(issues).toEqual([{ path: 'network.gatway', rule: 'known-fields', message: 'is not a field of the model' }]);
  });

  it('rejects a cluster without workers', () => {
    const issues = issuesAfter((c) => (c.nodes = c.nodes.filter((n) => n.role !== 'worker')));
    expect(issues).toEqual([{ path: 'nodes', rule: 'has-worker', message: 'the cluster has no node with role "worker"' }]);
  });

  it('rejects a subnet that is not a network address', () => {
    const issues = issuesAfter((c) => (c.network.subnet = '192.168.10.5/24'));
    expect(issues).toEqual([{ path: 'network.subnet', rule: 'ipv4-cidr', message: '"192.168.10.5/24" is not a valid ipv4-cidr' }]);
  });

  it('reports every broken rule at once, and the thrown error names field and rule', () => {
    const c = structuredClone(lolice) as Mutable<Cluster>;
    node(c, 'golyat-1').ip = '192.168.10.1';
    c.kubernetes.versions.crio = '1.30';
    expect(() => assertValidCluster(c)).toThrow(ModelValidationError);
    expect(() => assertValidCluster(c)).toThrow(
      /nodes\[3\]\.ip: 192\.168\.10\.1 is the gateway \[rule: ip-not-reserved\][\s\S]*kubernetes\.versions\.crio: CRI-O 1\.30 does not match Kubernetes 1\.32 \[rule: matching-minor-versions\]/,
    );
  });
});
