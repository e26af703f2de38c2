import { toYaml, type Cluster } from '@lolice/node-model';

/** `http/meta-data`: NoCloud needs an instance id; one per cluster's image build. */
export const renderMetaData = (c: Cluster): string => toYaml({ 'instance-id': `${c.name}-worker-image-build` });
