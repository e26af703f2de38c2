import type { Cluster } from '@lolice/node-model';
import { renderMetaData } from './render-meta-data';
import { renderUserData } from './render-user-data';
import type { AutoinstallFiles } from './types';

/** The user-data template and meta-data Packer serves to the installer. Pure: same model, same text. */
export const render = (c: Cluster): AutoinstallFiles => ({ userData: renderUserData(c), metaData: renderMetaData(c) });
