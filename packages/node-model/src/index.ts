export * from './types';
export * from './errors';
export { clusterSchema } from './schema';
export { validateCluster, assertValidCluster } from './validate';
export { workers, controlPlane, prefixLength } from './query';
export { lolice } from './lolice';
export { renderNodeTable } from './node-table';
export * from './paths';
