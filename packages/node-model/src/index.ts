export * from './types';
export * from './errors';
export { clusterSchema } from './schema';
export { validateCluster, assertValidCluster } from './validate';
export {
  workers,
  controlPlane,
  prefixLength,
  profileOf,
  imageWorkerNodes,
  crioMinor,
  portMatch,
  nodeLabels,
  nodeTaints,
  hostDirectories,
} from './query';
export { kubeletMaySet, KUBELET_LABELS, KUBELET_LABEL_NAMESPACES } from './labels';
export * from './reserved';
export { SYSTEM_ACCOUNTS } from './formats';
export { renderNodeTable } from './node-table';
export * from './paths';
export { loadModelFile, ModelLoadError } from './load';
export { exampleCluster } from './example';
