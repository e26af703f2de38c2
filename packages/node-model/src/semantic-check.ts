import * as ipaddr from 'ipaddr.js';
import type { ValidationIssue } from './errors';
import type { Architecture, Cluster, Hardware } from './types';

/** Which architecture each hardware family has. */
const hardwareArch: Record<Hardware, Architecture> = {
  orange_pi_zero3: 'arm64',
  intel_x86_64: 'x86_64',
};

const minorOf = (packageVersion: string) => packageVersion.split('.').slice(0, 2).join('.');

function firstDuplicates<T>(values: readonly T[]): Map<number, number> {
  const seen = new Map<T, number>();
  const dupes = new Map<number, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first === undefined) seen.set(v, i);
    else dupes.set(i, first);
  });
  return dupes;
}

function checkNodes(c: Cluster): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [i, first] of firstDuplicates(c.nodes.map((n) => n.name))) {
    issues.push({ path: `nodes[${i}].name`, rule: 'unique-node-name', message: `"${c.nodes[i].name}" is already used by nodes[${first}]` });
  }
  for (const [i, first] of firstDuplicates(c.nodes.map((n) => n.ip))) {
    issues.push({ path: `nodes[${i}].ip`, rule: 'unique-node-ip', message: `${c.nodes[i].ip} is already used by nodes[${first}] (${c.nodes[first].name})` });
  }
  c.nodes.forEach((n, i) => {
    if (hardwareArch[n.hardware] !== n.arch) {
      issues.push({ path: `nodes[${i}].arch`, rule: 'hardware-arch', message: `hardware ${n.hardware} is ${hardwareArch[n.hardware]}, not ${n.arch}` });
    }
  });
  if (!c.nodes.some((n) => n.role === 'worker')) {
    issues.push({ path: 'nodes', rule: 'has-worker', message: 'the cluster has no node with role "worker"' });
  }
  return issues;
}

function checkAddresses(c: Cluster): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const subnet = ipaddr.IPv4.parseCIDR(c.network.subnet);
  const network = ipaddr.IPv4.networkAddressFromCIDR(c.network.subnet).toString();
  const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(c.network.subnet).toString();
  const inSubnet = (ip: string) => ipaddr.IPv4.parse(ip).match(subnet);
  const hostAddress = (path: string, ip: string, reserved: Record<string, string>) => {
    if (!inSubnet(ip)) {
      issues.push({ path, rule: 'ip-in-subnet', message: `${ip} is outside the subnet ${c.network.subnet}` });
      return;
    }
    for (const [what, addr] of Object.entries(reserved)) {
      if (ip === addr) issues.push({ path, rule: 'ip-not-reserved', message: `${ip} is the ${what}` });
    }
  };
  const edges = { 'network address': network, 'broadcast address': broadcast };
  hostAddress('network.gateway', c.network.gateway, edges);
  hostAddress('kubernetes.controlPlaneVip', c.kubernetes.controlPlaneVip, { ...edges, gateway: c.network.gateway });
  c.nodes.forEach((n, i) =>
    hostAddress(`nodes[${i}].ip`, n.ip, { ...edges, gateway: c.network.gateway, 'control-plane VIP': c.kubernetes.controlPlaneVip }),
  );
  return issues;
}

function checkVersions(c: Cluster): ValidationIssue[] {
  const v = c.kubernetes.versions;
  const issues: ValidationIssue[] = [];
  for (const component of ['kubeadm', 'kubelet', 'kubectl'] as const) {
    if (minorOf(v[component]) !== v.minor) {
      issues.push({ path: `kubernetes.versions.${component}`, rule: 'matching-minor-versions', message: `${v[component]} is not in the ${v.minor} series of kubernetes.versions.minor` });
    }
  }
  if (v.crio !== v.minor) {
    issues.push({ path: 'kubernetes.versions.crio', rule: 'matching-minor-versions', message: `CRI-O ${v.crio} does not match Kubernetes ${v.minor}` });
  }
  return issues;
}

/** Rules that cross fields: uniqueness, addressing and version agreement. */
export function checkSemantics(c: Cluster): ValidationIssue[] {
  return [...checkNodes(c), ...checkAddresses(c), ...checkVersions(c)];
}
