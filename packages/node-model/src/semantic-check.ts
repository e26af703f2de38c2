import * as ipaddr from 'ipaddr.js';
import type { ValidationIssue } from './errors';
import { checkNetwork } from './network-check';
import { IMAGE_ARCH } from './paths';
import { checkPipeline } from './pipeline-check';
import { RESERVED_NODE_NAMES } from './reserved';
import { checkScheduling } from './scheduling-check';
import type { Cluster } from './types';

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
    issues.push({
      path: `nodes[${i}].name`,
      rule: 'unique-node-name',
      message: `"${c.nodes[i].name}" is already used by nodes[${first}]`,
    });
  }
  for (const [i, first] of firstDuplicates(c.nodes.map((n) => n.ip))) {
    issues.push({
      path: `nodes[${i}].ip`,
      rule: 'unique-node-ip',
      message: `${c.nodes[i].ip} is already used by nodes[${first}] (${c.nodes[first].name})`,
    });
  }
  c.nodes.forEach((n, i) => {
    if (RESERVED_NODE_NAMES.has(n.name)) {
      issues.push({
        path: `nodes[${i}].name`,
        rule: 'reserved-node-name',
        message: `"${n.name}" is reserved (an Ansible group or host name, or the image workflow's "all" choice)`,
      });
    }
    const profile = Object.hasOwn(c.hardware, n.hardware) ? c.hardware[n.hardware] : undefined;
    if (!profile) {
      issues.push({
        path: `nodes[${i}].hardware`,
        rule: 'known-hardware-profile',
        message: `"${n.hardware}" is not a profile of hardware (${Object.keys(c.hardware).join(', ')})`,
      });
      return;
    }
    if (profile.wiredPorts > 1 && !n.port) {
      issues.push({
        path: `nodes[${i}].port`,
        rule: 'port-chosen',
        message: `${n.hardware} has ${profile.wiredPorts} wired ports: choose the one that carries ${n.ip} by name or mac`,
      });
    }
    if (!n.port && profile.wiredPorts === 1 && !profile.defaultPortPattern) {
      issues.push({
        path: `nodes[${i}].port`,
        rule: 'port-chosen',
        message: `${n.hardware} has no defaultPortPattern: choose the port by name or mac`,
      });
    }
    if (n.role === 'worker' && profile.arch === IMAGE_ARCH && !profile.kernel) {
      issues.push({
        path: `hardware.${n.hardware}.kernel`,
        rule: 'buildable-profile',
        message: `is required: worker ${n.name} is built by the ${IMAGE_ARCH} image pipeline`,
      });
    }
  });
  Object.entries(c.hardware).forEach(([name, p]) => {
    if (p.defaultPortPattern && p.wiredPorts !== 1) {
      issues.push({
        path: `hardware.${name}.defaultPortPattern`,
        rule: 'default-port-one-port',
        message: `is only allowed on one-port hardware (wiredPorts is ${p.wiredPorts}): each node chooses its port`,
      });
    }
  });
  for (const [i, first] of firstDuplicates(c.nodes.map((n) => n.port?.mac))) {
    if (c.nodes[i].port?.mac) {
      issues.push({
        path: `nodes[${i}].port.mac`,
        rule: 'unique-port-mac',
        message: `${c.nodes[i].port?.mac} is already the port of nodes[${first}] (${c.nodes[first].name})`,
      });
    }
  }
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
    hostAddress(`nodes[${i}].ip`, n.ip, {
      ...edges,
      gateway: c.network.gateway,
      'control-plane VIP': c.kubernetes.controlPlaneVip,
    }),
  );
  return issues;
}

function checkVersions(c: Cluster): ValidationIssue[] {
  const v = c.kubernetes.versions;
  const issues: ValidationIssue[] = [];
  for (const component of ['kubeadm', 'kubelet', 'kubectl'] as const) {
    if (minorOf(v[component]) !== v.minor) {
      issues.push({
        path: `kubernetes.versions.${component}`,
        rule: 'matching-minor-versions',
        message: `${v[component]} is not in the ${v.minor} series of kubernetes.versions.minor`,
      });
    }
  }
  if (minorOf(v.crio) !== v.minor) {
    issues.push({
      path: 'kubernetes.versions.crio',
      rule: 'matching-minor-versions',
      message: `CRI-O ${v.crio} is not in the ${v.minor} series of kubernetes.versions.minor`,
    });
  }
  return issues;
}

/**
 * The ISO and each of its mirrors must be the live-server ISO of `ubuntuRelease`
 * (`.../<release>/ubuntu-<release>-live-server-amd64.iso`); a mirror is not the primary URL again.
 */
function checkImage(c: Cluster): ValidationIssue[] {
  const { ubuntuRelease: release, isoUrl } = c.image;
  const isoMirrorUrls = c.image.isoMirrorUrls ?? [];
  const expected = `ubuntu-${release}-live-server-amd64.iso`;
  const issues: ValidationIssue[] = [];
  [isoUrl, ...isoMirrorUrls].forEach((url, i) => {
    const at = i === 0 ? 'image.isoUrl' : `image.isoMirrorUrls[${i - 1}]`;
    const path = new URL(url).pathname.split('/');
    if (path.at(-1) !== expected || path.at(-2) !== release) {
      issues.push({
        path: at,
        rule: 'iso-of-release',
        message: `must end in /${release}/${expected} (the live-server ISO of image.ubuntuRelease ${release})`,
      });
    }
    if (i > 0 && url === isoUrl) {
      issues.push({
        path: at,
        rule: 'iso-mirror-differs',
        message: 'repeats image.isoUrl (a mirror is another place to download the same ISO)',
      });
    }
  });
  return issues;
}

/** Rules that cross fields: uniqueness, addressing, network semantics, version agreement, the pipeline's reach. */
export function checkSemantics(c: Cluster): ValidationIssue[] {
  return [
    ...checkNodes(c),
    ...checkAddresses(c),
    ...checkNetwork(c),
    ...checkVersions(c),
    ...checkImage(c),
    ...checkPipeline(c),
    ...checkScheduling(c),
  ];
}
