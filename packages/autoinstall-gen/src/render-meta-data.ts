import type { Cluster } from '@lolice/node-model';
import { stringify } from 'yaml';

/** `http/meta-data`: NoCloud needs an instance id; one per cluster's image build. */
export const renderMetaData = (c: Cluster): string => stringify({ 'instance-id': `${c.name}-worker-image-build` });
