export * from './types';
export * from './errors';
export { clusterSchema } from './schema';
export { validateCluster, assertValidCluster, type ConsumerCheck } from './validate';
export {
  workers,
  controlPlane,
  prefixLength,
  profileOf,
  imageWorkerNodes,
  crioMinor,
  portMatch,
  serviceSubnet,
  DEFAULT_SERVICE_SUBNET,
  nodeLabels,
  nodeTaints,
  hostDirectories,
} from './query';
export { kubeletMaySet, KUBELET_LABELS, KUBELET_LABEL_NAMESPACES } from './labels';
export { YAML_DOCUMENT_OPTIONS, yamlDocument, yamlText, toYaml, isPlainYamlWord } from './yaml';
export * from './reserved';
export { SYSTEM_ACCOUNTS } from './formats';
export { renderNodeTable } from './node-table';
export * from './paths';
export { loadModelFile, ModelLoadError } from './load';
export { exampleCluster } from './example';
