import type { NodeRole } from './types';

/** Inventory group of each model role, in the order the inventory lists them (Ansible group names cannot contain '-'). */
export const INVENTORY_GROUP_OF_ROLE = {
  'control-plane': 'control_plane',
  worker: 'workers',
} as const satisfies Readonly<Record<NodeRole, string>>;

/** The image workflow's choice that builds every worker. */
export const ALL_NODES_CHOICE = 'all';

/**
 * Names no node may have: Ansible's implicit groups and host (`all`, `ungrouped`,
 * `localhost`), the inventory's generated groups, and the workflow's `all` choice.
 */
export const RESERVED_NODE_NAMES: ReadonlySet<string> = new Set([
  'all',
  'ungrouped',
  'localhost',
  ...Object.values(INVENTORY_GROUP_OF_ROLE),
  ALL_NODES_CHOICE,
]);
