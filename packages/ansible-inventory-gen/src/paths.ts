import { INVENTORY_DIR, INVENTORY_GROUP_OF_ROLE, type NodeRole } from '@lolice/node-model';
import type { InventoryGroup } from './types';

export { INVENTORY_DIR };

/** The YAML inventory file. */
export const HOSTS_PATH = `${INVENTORY_DIR}/hosts.yml`;

/** The group-variables file of one inventory group. */
export const groupVarsPath = (group: InventoryGroup): string => `${INVENTORY_DIR}/group_vars/${group}.yml`;

/** Inventory group of each model role, in the order the inventory lists them. */
export const GROUP_OF_ROLE: Readonly<Record<NodeRole, InventoryGroup>> = INVENTORY_GROUP_OF_ROLE;
