import { IMAGE_ARCH } from './paths';
import type { Cluster, ClusterNode, HardwareProfile, HostDirectory, NodeLabels, NodeTaint } from './types';

/** Worker nodes in model order. */
export const workers = (c: Cluster): ClusterNode[] => c.nodes.filter((n) => n.role === 'worker');

/** Control-plane nodes in model order. */
export const controlPlane = (c: Cluster): ClusterNode[] => c.nodes.filter((n) => n.role === 'control-plane');

/** kubeadm's default `networking.serviceSubnet`: the service subnet of a model that names none. */
export const DEFAULT_SERVICE_SUBNET = '10.96.0.0/12';

/** The Services' virtual IP range: the model's `kubernetes.serviceSubnet`, or kubeadm's default. */
export const serviceSubnet = (c: Cluster): string => c.kubernetes.serviceSubnet ?? DEFAULT_SERVICE_SUBNET;

/** Prefix length of the cluster subnet, e.g. 24. */
export const prefixLength = (c: Cluster): number => Number(c.network.subnet.split('/')[1]);

/** The hardware profile of a node (the model is validated: every node names one). */
export const profileOf = (c: Cluster, n: ClusterNode): HardwareProfile => c.hardware[n.hardware];

/** Workers the image pipeline builds (its architecture), in model order. */
export const imageWorkerNodes = (c: Cluster): ClusterNode[] =>
  workers(c).filter((n) => profileOf(c, n).arch === IMAGE_ARCH);

/** CRI-O minor series, e.g. "1.36" (selects CRI-O's repository). */
export const crioMinor = (c: Cluster): string => c.kubernetes.versions.crio.split('.').slice(0, 2).join('.');

/**
 * How the node's address finds its port, as a netplan `match`: the chosen interface name or
 * MAC address, or the one-port profile's name pattern.
 */
export const portMatch = (c: Cluster, n: ClusterNode): { name: string } | { macaddress: string } => {
  if (n.port?.mac) return { macaddress: n.port.mac };
  if (n.port?.name) return { name: n.port.name };
  return { name: profileOf(c, n).defaultPortPattern ?? '' };
};

/** The labels a node registers with: its profile's, then its own (same key: the node's value). */
export const nodeLabels = (c: Cluster, n: ClusterNode): NodeLabels => ({ ...profileOf(c, n).labels, ...n.labels });

/** The taints a node registers with: its own when it lists any (even none), else its profile's. */
export const nodeTaints = (c: Cluster, n: ClusterNode): readonly NodeTaint[] =>
  n.taints ?? profileOf(c, n).taints ?? [];

/** The directories the node's workloads mount from its disk. */
export const hostDirectories = (n: ClusterNode): readonly HostDirectory[] => n.hostDirectories ?? [];
