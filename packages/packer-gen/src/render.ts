import type { Cluster } from '@lolice/node-model';
import { renderBase } from './render-base';
import { renderBuild } from './render-build';
import { TEMPLATE_FILES } from './settings';
import type { PackerLinks, PackerTemplates } from './types';

/** Both templates, keyed by file name inside PACKER_DIR. Pure: same model and links, same text. */
export const render = (c: Cluster, links: PackerLinks): PackerTemplates => ({
  [TEMPLATE_FILES.base]: renderBase(c, links),
  [TEMPLATE_FILES.build]: renderBuild(c, links),
});
