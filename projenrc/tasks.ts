import type { javascript } from 'projen';
import type { WorkspacePackage } from './workspace-package';

/**
 * The project's tasks. `npx projen test` is the one command that runs every
 * test: it installs the system packages it needs, then runs test/run.sh.
 */
export function addTasks(project: javascript.NodeProject, packages: readonly WorkspacePackage[]): void {
  project.compileTask.reset(`tsc -b ${packages.map((p) => p.dir).join(' ')}`);
  project.addTask('typecheck', {
    description: 'Type-check every TypeScript file (packages, tests, projenrc)',
    exec: 'tsc -p tsconfig.json',
  });
  project.addTask('unit', { description: 'Run the vitest suites', exec: 'vitest run' });
  project.addTask('drift', {
    description: 'Regenerate and fail if anything differs from what is committed (untracked files included)',
    exec: 'bash test/drift.sh',
  });
  // `.projenrc.ts` runs with the tsx of node_modules (a devDependency): projen's tsx runner
  // wraps the step in `npx -y -p tsx -c`, about 0.5 s more per synth (`npx projen bench`).
  const synth = project.defaultTask;
  if (synth) {
    const steps = synth.steps;
    synth.reset();
    synth.addSteps(...steps.map(({ shell: _npx, ...step }) => step));
  }
  project.addTask('bench', {
    description:
      'Benchmark the image artifacts against the seed pipeline and projen synth (root, ~20 min; not part of test)',
    exec: 'bash scripts/bench.sh',
  });
  project.addTask('bench:vm', {
    description:
      "Benchmark the VM bench's vCPUs: two VMs side by side, the default (1 vCPU, TCG's qemu64) against 2 vCPUs and against the max model (~5 min a round)",
    exec: 'bash test/vm/bench-cpus.sh',
    receiveArgs: true,
  });
  project.testTask.reset('bash test/run.sh');
}
