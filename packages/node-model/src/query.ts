import type { Cluster, ClusterNode } from './types';

/** Worker nodes in model order. */
export const workers = (c: Cluster): ClusterNode[] => c.nodes.filter((n) => n.role === 'worker');

/** Control-plane nodes in model order. */
export const controlPlane = (c: Cluster): ClusterNode[] => c.nodes.filter((n) => n.role === 'control-plane');

/** Prefix length of the cluster subnet, e.g. 24. */
export const prefixLength = (c: Cluster): number => Number(c.network.subnet.split('/')[1]);
