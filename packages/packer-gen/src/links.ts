import { GROUP_OF_ROLE, groupVarsPath } from '@lolice/ansible-inventory-gen';
import { BUILD_SUDOERS_FILE, HTTP_FILES, TEMPLATE_VARS } from '@lolice/autoinstall-gen';
import type { PackerLinks } from './types';

/**
 * The names and paths the templates share with the autoinstall files and the Ansible inventory,
 * taken from the packages that own them: the contract between those generators and this one.
 */
export const PACKER_LINKS: PackerLinks = {
  http: {
    userData: HTTP_FILES.userData,
    metaData: HTTP_FILES.metaData,
    hostnameVar: TEMPLATE_VARS.hostname,
    passwordHashVar: TEMPLATE_VARS.passwordHash,
  },
  buildSudoersFile: BUILD_SUDOERS_FILE,
  ansible: { workerGroup: GROUP_OF_ROLE.worker, workerGroupVars: groupVarsPath(GROUP_OF_ROLE.worker) },
};
