import type { javascript } from 'projen';
import { WorkspacePackage, type WorkspacePackageOptions } from './workspace-package';

/** The workspace packages under `packages/` (`tsc -b` builds each after the packages it references). */
export const PACKAGES: readonly WorkspacePackageOptions[] = [
  {
    name: 'node-model',
    description: 'Typed, validated model of the lolice cluster',
    // yaml: the one way the project writes YAML (src/yaml.ts), and what a plain word is.
    deps: { ajv: '^8.17.1', 'ipaddr.js': '^2.2.0', yaml: '^2.8.0' },
  },
  {
    name: 'packer-gen',
    description: 'Renders the Packer templates of the worker image',
    // The templates link to the autoinstall files and the workers' inventory group (PACKER_LINKS).
    workspaceDeps: ['node-model', 'autoinstall-gen', 'ansible-inventory-gen'],
  },
  {
    name: 'autoinstall-gen',
    description: 'Renders Ubuntu autoinstall user-data and meta-data',
    workspaceDeps: ['node-model'],
    deps: { yaml: '^2.8.0' },
  },
  {
    name: 'ansible-inventory-gen',
    description: 'Renders the Ansible inventory and group variables',
    workspaceDeps: ['node-model'],
    deps: { yaml: '^2.8.0' },
  },
  {
    name: 'workflow-gen',
    description: 'Renders the GitHub Actions workflows and where their images are published',
    workspaceDeps: ['node-model'],
    deps: { yaml: '^2.8.0' },
  },
  {
    name: 'cdktf-infra',
    description: 'cdktf stack of the image bucket and the GitHub OIDC role',
    workspaceDeps: ['node-model'],
    deps: { cdktf: '^0.21.0', '@cdktf/provider-aws': '^21.0.0', constructs: '^10.4.2' },
  },
];

/** One `WorkspacePackage` (package.json, tsconfig.json) per entry of PACKAGES. */
export const addWorkspacePackages = (project: javascript.NodeProject): WorkspacePackage[] =>
  PACKAGES.map((options) => new WorkspacePackage(project, options));
