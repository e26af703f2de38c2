import { AnsibleInventory } from './projenrc/ansible-inventory';
import { AutoinstallFiles } from './projenrc/autoinstall';
import { ImageLocationsFile } from './projenrc/image-locations';
import { NodeTable } from './projenrc/node-table';
import { PackerTemplates } from './projenrc/packer';
import { createRootProject } from './projenrc/root-project';
import { WorkerNodeImagesTerraform } from './projenrc/terraform';
import { loadCluster } from './projenrc/model';
import { addTasks } from './projenrc/tasks';
import { addTypeScriptConfig } from './projenrc/typescript-config';
import { Workflows } from './projenrc/workflows';
import { WorkspacePackage } from './projenrc/workspace-package';

// The model is validated before any file object exists: an invalid model writes nothing.
const cluster = loadCluster();

const project = createRootProject(['packages/*']);

// Workspaces
const packages = [
  new WorkspacePackage(project, { name: 'node-model', description: 'Typed, validated model of the lolice cluster', deps: { ajv: '^8.17.1', 'ipaddr.js': '^2.2.0' } }),
  new WorkspacePackage(project, { name: 'packer-gen', description: 'Renders the Packer templates of the worker image', workspaceDeps: ['node-model'] }),
  new WorkspacePackage(project, { name: 'autoinstall-gen', description: 'Renders Ubuntu autoinstall user-data and meta-data', workspaceDeps: ['node-model'], deps: { yaml: '^2.8.0' } }),
  new WorkspacePackage(project, { name: 'ansible-inventory-gen', description: 'Renders the Ansible inventory and group variables', workspaceDeps: ['node-model'], deps: { yaml: '^2.8.0' } }),
  new WorkspacePackage(project, { name: 'workflow-gen', description: 'Renders the GitHub Actions workflows', workspaceDeps: ['node-model'], deps: { yaml: '^2.8.0' } }),
  new WorkspacePackage(project, { name: 'cdktf-infra', description: 'cdktf stack of the image bucket and the GitHub OIDC role', workspaceDeps: ['node-model'], deps: { cdktf: '^0.21.0', '@cdktf/provider-aws': '^21.0.0', constructs: '^10.4.2' } }),
];
addTypeScriptConfig(project, packages);
addTasks(project, packages);

// Generated artifacts
new NodeTable(project, cluster);
new ImageLocationsFile(project, cluster);
new AnsibleInventory(project, cluster);
new PackerTemplates(project, cluster);
new AutoinstallFiles(project, cluster);
new Workflows(project, cluster);
new WorkerNodeImagesTerraform(project, cluster);

project.synth();
