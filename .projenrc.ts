import { addGeneratedArtifacts } from './projenrc/artifacts';
import { loadCluster } from './projenrc/model';
import { addWorkspacePackages } from './projenrc/packages';
import { createRootProject } from './projenrc/root-project';
import { addTasks } from './projenrc/tasks';
import { addTypeScriptConfig } from './projenrc/typescript-config';

// The model is validated before any file object exists: an invalid model writes nothing.
const cluster = loadCluster();

const project = createRootProject(['packages/*']);

// Workspaces (projenrc/packages.ts)
const packages = addWorkspacePackages(project);
addTypeScriptConfig(project, packages);
addTasks(project, packages);

// Generated artifacts (projenrc/artifacts.ts), each rendered by a package
addGeneratedArtifacts(project, cluster);

project.synth();
