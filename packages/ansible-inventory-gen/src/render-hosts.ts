import { portMatch, type Cluster, type ClusterNode, type NodeRole } from '@lolice/node-model';
import { GROUP_OF_ROLE } from './paths';
import type { HostVars, InventoryDocument, InventoryGroup } from './types';

/** `-o ProxyCommand="..."` for a node reached through a proxy (OpenSSH expands `%h`). */
const proxyArgs = (command: string) => `-o ProxyCommand="${command}"`;

function hostVars(c: Cluster, node: ClusterNode): HostVars {
  return {
    ansible_host: node.ip,
    node_ip: node.ip,
    hardware_profile: node.hardware,
    node_port_match: portMatch(c, node),
    ...(node.sshProxyCommand ? { ansible_ssh_common_args: proxyArgs(node.sshProxyCommand) } : {}),
  };
}

const hostsOf = (c: Cluster, role: NodeRole) =>
  Object.fromEntries(c.nodes.filter((n) => n.role === role).map((n) => [n.name, hostVars(c, n)]));

/** The inventory: every node of the model in its role's group, in model order. */
export function renderHosts(c: Cluster): InventoryDocument {
  const roles = Object.keys(GROUP_OF_ROLE) as NodeRole[];
  const children = Object.fromEntries(
    roles.map((role) => [GROUP_OF_ROLE[role], { hosts: hostsOf(c, role) }]),
  ) as Record<InventoryGroup, { hosts: Record<string, HostVars> }>;
  return { all: { vars: { ansible_user: c.admin.user }, children } };
}
