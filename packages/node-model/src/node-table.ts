import type { Cluster } from './types';

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

/** Markdown table of the cluster's nodes, in model order (for generated/nodes.md). */
export function renderNodeTable(c: Cluster): string {
  const v = c.kubernetes.versions;
  return [
    `# ${c.name} nodes`,
    '',
    row(['name', 'role', 'IP', 'arch', 'hardware', 'CPU']),
    row(['---', '---', '---', '---', '---', '---']),
    ...c.nodes.map((n) => row([n.name, n.role, n.ip, n.arch, n.hardware, n.cpu ?? ''])),
    '',
    `Control-plane VIP ${c.kubernetes.controlPlaneVip}, subnet ${c.network.subnet}, gateway ${c.network.gateway}.`,
    `Kubernetes ${v.minor} (packages ${v.kubeadm}), CRI-O ${v.crio}; cluster domain ${c.kubernetes.clusterDomain}, cluster DNS ${c.kubernetes.clusterDns}.`,
    '',
  ].join('\n');
}
