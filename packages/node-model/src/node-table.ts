import { crioMinor, profileOf } from './query';
import type { Cluster, ClusterNode } from './types';

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

/** The port carrying the node's address: its name, its MAC, or the profile's default pattern. */
const portText = (c: Cluster, n: ClusterNode): string =>
  n.port?.name ?? n.port?.mac ?? `${profileOf(c, n).defaultPortPattern ?? ''} (only port)`;

/** Markdown table of the cluster's nodes, in model order (for generated/nodes.md). */
export function renderNodeTable(c: Cluster): string {
  const v = c.kubernetes.versions;
  return [
    `# ${c.name} nodes`,
    '',
    row(['name', 'role', 'IP', 'port', 'arch', 'hardware', 'CPU']),
    row(['---', '---', '---', '---', '---', '---', '---']),
    ...c.nodes.map((n) => row([n.name, n.role, n.ip, portText(c, n), profileOf(c, n).arch, n.hardware, n.cpu ?? ''])),
    '',
    '| hardware | machine |',
    '| --- | --- |',
    ...Object.entries(c.hardware).map(([name, p]) => row([name, p.description])),
    '',
    `Control-plane VIP ${c.kubernetes.controlPlaneVip}, subnet ${c.network.subnet}, gateway ${c.network.gateway}.`,
    `Kubernetes ${v.minor} (packages ${v.kubeadm}), CRI-O ${crioMinor(c)} (packages ${v.crio}); cluster domain ${c.kubernetes.clusterDomain}, cluster DNS ${c.kubernetes.clusterDns}.`,
    '',
  ].join('\n');
}
