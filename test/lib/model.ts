/**
 * Models for tests, through the model package's API only: the repository's own model file
 * (for tests that check committed files against it) and variations of any model (a worker
 * added with a free name and address, another Kubernetes version, ...). Nothing here knows
 * a production value: every choice is derived from the model it is given.
 */
import * as ipaddr from 'ipaddr.js';
import { register } from 'tsx/cjs/api';
import {
  ALL_NODES_CHOICE,
  imageWorkerNodes,
  loadModelFile,
  profileOf,
  RESERVED_NODE_NAMES,
  workers,
  type Cluster,
  type ClusterNode,
} from '@lolice/node-model';
import { REPO_ROOT } from './repo-copy';

export { REPO_ROOT };

/**
 * The model file of a repository, loaded and validated by `loadModelFile`, as `npx projen`
 * loads it. The file is TypeScript: tsx's require hook is on for the duration of the call
 * (projen runs under tsx; a vitest worker does not).
 */
export function loadRepoModel(root: string = REPO_ROOT): Cluster {
  const unregister = register();
  try {
    return loadModelFile(root);
  } finally {
    unregister();
  }
}

export type Mutable<T> = T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

/** A deep copy of `c` changed by `edit` (not validated: validation tests build broken models with it). */
export function variant(c: Cluster, edit: (m: Mutable<Cluster>) => void): Cluster {
  const copy = structuredClone(c) as Mutable<Cluster>;
  edit(copy);
  return copy as Cluster;
}

/** Every address the model uses or reserves: nodes, gateway, VIP, cluster DNS, DNS servers. */
const takenAddresses = (c: Cluster): Set<string> =>
  new Set([
    ...c.nodes.map((n) => n.ip),
    c.network.gateway,
    c.kubernetes.controlPlaneVip,
    c.kubernetes.clusterDns,
    ...c.network.dnsServers,
  ]);

/**
 * A name no node has and none is reserved for: the workers' naming scheme continued
 * (`<stem><n>` with the smallest number not in use), as an operator would name the next machine.
 */
export function freeNodeName(c: Cluster): string {
  const used = new Set(c.nodes.map((n) => n.name));
  const last = workers(c).at(-1)!.name;
  const stem = /\d$/.test(last) ? last.replace(/\d+$/, '') : `${last}-`;
  for (let i = 1; ; i++) {
    const name = `${stem}${i}`;
    if (!used.has(name) && !RESERVED_NODE_NAMES.has(name) && name !== ALL_NODES_CHOICE) return name;
  }
}

/** Host addresses of the subnet (no network or broadcast address), in order. */
function* subnetHosts(c: Cluster): Generator<string> {
  const first = ipaddr.IPv4.networkAddressFromCIDR(c.network.subnet).toByteArray();
  const last = ipaddr.IPv4.broadcastAddressFromCIDR(c.network.subnet).toByteArray();
  const toInt = (bytes: number[]) => bytes.reduce((n, byte) => n * 256 + byte, 0);
  const toBytes = (n: number) => [3, 2, 1, 0].map((k) => Math.floor(n / 256 ** k) % 256);
  for (let i = toInt(first) + 1; i < toInt(last); i++) yield toBytes(i).join('.');
}

/** A free address in the subnet: the first one after the highest node address that nothing uses or reserves. */
export function freeNodeAddress(c: Cluster): string {
  const taken = takenAddresses(c);
  const hosts = [...subnetHosts(c)];
  const highest = Math.max(...c.nodes.map((n) => hosts.indexOf(n.ip)));
  const free = [...hosts.slice(highest + 1), ...hosts.slice(0, highest + 1)].find((ip) => !taken.has(ip));
  if (!free) throw new Error(`no free address in ${c.network.subnet}`);
  return free;
}

/**
 * A new worker for `c`: a free name and address, on the hardware of an image worker the model
 * already has (a one-port profile when there is one; otherwise the port chosen like the
 * other node's).
 */
export function newWorker(c: Cluster): ClusterNode {
  const built = imageWorkerNodes(c);
  const sibling = built.find((n) => profileOf(c, n).wiredPorts === 1) ?? built[0];
  const ip = freeNodeAddress(c);
  // a locally administered MAC made of the address: no other node's
  const mac = ['02', '00', ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
  const port = sibling.port?.name ? { port: { name: sibling.port.name } } : sibling.port?.mac ? { port: { mac } } : {};
  return { name: freeNodeName(c), ip, role: 'worker', hardware: sibling.hardware, ...port };
}

/** `c` with one more worker (newWorker) at the end of its nodes. */
export const withNewWorker = (c: Cluster): Cluster => ({ ...c, nodes: [...c.nodes, newWorker(c)] });

/** `c` without the node named `name`. */
export const withoutNode = (c: Cluster, name: string): Cluster => ({
  ...c,
  nodes: c.nodes.filter((n) => n.name !== name),
});

/** `c` with its nodes in reverse order. */
export const withNodesReversed = (c: Cluster): Cluster => ({ ...c, nodes: [...c.nodes].reverse() });

/** The Kubernetes versions of `c` moved to `minor`.`patch`, each package keeping its Debian revision. */
export function kubernetesVersionsAt(c: Cluster, minor: string, patch: number): Cluster['kubernetes']['versions'] {
  const v = c.kubernetes.versions;
  const at = (pkg: string) => `${minor}.${patch}-${pkg.split('-')[1]}`;
  return { minor, kubeadm: at(v.kubeadm), kubelet: at(v.kubelet), kubectl: at(v.kubectl), crio: at(v.crio) };
}

/** The next Kubernetes minor of `c` (e.g. 1.9 -> 1.10). */
export const nextMinor = (c: Cluster): string => {
  const [major, minor] = c.kubernetes.versions.minor.split('.').map(Number);
  return `${major}.${minor + 1}`;
};

/** `c` moved to the next Kubernetes minor, patch 0 (kubeadm, kubelet, kubectl and CRI-O). */
export const withNextMinor = (c: Cluster): Cluster => ({
  ...c,
  kubernetes: { ...c.kubernetes, versions: kubernetesVersionsAt(c, nextMinor(c), 0) },
});
