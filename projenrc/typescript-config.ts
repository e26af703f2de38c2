import { JsonFile, type Project } from 'projen';
import type { WorkspacePackage } from './workspace-package';

/** Compiler options every TypeScript file of the repository is checked with. */
const compilerOptions = () => ({
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2022'],
  types: ['node'],
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  esModuleInterop: true,
  skipLibCheck: true,
  declaration: true,
  sourceMap: false,
  resolveJsonModule: true,
  forceConsistentCasingInFileNames: true,
});

/**
 * `tsconfig.base.json` (extended by each package's build config) and the
 * root `tsconfig.json`, which type-checks everything without emitting and maps
 * `@lolice/*` to the packages' sources so that tsx and vitest need no build.
 */
export function addTypeScriptConfig(project: Project, packages: readonly WorkspacePackage[]): void {
  new JsonFile(project, 'tsconfig.base.json', { obj: { compilerOptions: compilerOptions() } });
  new JsonFile(project, 'tsconfig.json', {
    obj: {
      extends: './tsconfig.base.json',
      compilerOptions: {
        noEmit: true,
        composite: false,
        paths: Object.fromEntries(packages.map((p) => [p.packageName, [`./${p.dir}/src/index.ts`]])),
      },
      include: [
        '.projenrc.ts',
        'projenrc/**/*.ts',
        'packages/*/src/**/*.ts',
        'packages/*/test/**/*.ts',
        'test/**/*.ts',
        'vitest.config.ts',
      ],
    },
  });
}
