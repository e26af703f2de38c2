import { Component, javascript, JsonFile } from 'projen';

/**
 * Prettier settings (`.prettierrc.json`): the style the code was written in
 * (single quotes, semicolons, trailing commas, 2 spaces), wrapped at 120 columns.
 * 120 fits a side-by-side diff on GitHub and an editor beside a file tree, and is
 * wide enough that most of the generators' one-line calls stay on one line.
 */
export const prettierOptions = (): javascript.PrettierOptions => ({
  settings: {
    printWidth: 120,
    singleQuote: true,
    semi: true,
    trailingComma: javascript.TrailingComma.ALL,
    tabWidth: 2,
    endOfLine: javascript.EndOfLine.LF,
  },
});

/**
 * The TypeScript ESLint lints, the same files `tsconfig.json` type-checks.
 * Folders, not globs: projen runs ESLint without a shell, and ESLint's
 * eslintrc mode does not expand `packages/*`.
 */
const LINTED = ['packages', 'test', 'projenrc', '.projenrc.ts', 'vitest.config.ts'];
/** Tests and build code: they may import the root's devDependencies. */
const DEV_CODE = ['**/packages/*/test/**', '**/test/**', '**/projenrc/**', '.projenrc.ts', 'vitest.config.ts'];
/** What neither tool reads: build outputs, synthesized stacks, generated artifacts, scratch space. */
const OUTPUTS = ['packages/*/lib/', 'packages/*/cdktf.out/', 'generated/', '.scratch/'];

/**
 * ESLint with typescript-eslint (projen's `Eslint` component, eslintrc format)
 * and Prettier through eslint-plugin-prettier, so one command reports lint
 * findings and formatting differences alike:
 *
 * - `npx projen eslint` checks (fixes nothing; a warning fails it too), the `lint` stage of `npx projen test`;
 * - `npx projen format` formats with Prettier and applies ESLint's auto-fixes (`eslint --fix`).
 *
 * Prettier formats TypeScript only: the JSON, YAML and HCL here are generated
 * by projen, Ansible's YAML is ansible-lint's, and Markdown would be reflowed.
 * `.prettierignore` says so, for editors that run Prettier on save.
 */
export function addLint(project: javascript.NodeProject): javascript.Eslint {
  const prettier = javascript.Prettier.of(project);
  if (!prettier) throw new Error('addLint: the root project needs `prettier: true`');
  for (const pattern of ['*', '!*/', '!*.ts', 'node_modules/', ...OUTPUTS]) prettier.addIgnorePattern(pattern);

  const eslint = new javascript.Eslint(project, {
    // One program for every file: the root tsconfig.json maps `@lolice/*` to the packages'
    // sources; the packages' own build configs (what the project service would pick) do not.
    tsconfigPath: './tsconfig.json',
    dirs: LINTED,
    prettier: true,
    commandOptions: { fix: false, extraArgs: ['--max-warnings=0'] },
  });
  for (const pattern of DEV_CODE) eslint.allowDevDeps(pattern);
  // ESLint skips dot-files unless told otherwise.
  eslint.addIgnorePattern('!.projenrc.ts');
  for (const output of OUTPUTS) eslint.addIgnorePattern(output);

  // typescript-eslint's base set on top of projen's rules, which lack no-unused-vars and no-explicit-any.
  // The type-checked sets are left out: their no-unsafe-* rules flag every read of a parsed YAML/JSON/HCL document.
  eslint.addExtends('plugin:@typescript-eslint/recommended');
  // Changed from projen's default, which puts every non-package import in one alphabetized group:
  // the code orders builtins and packages, then the workspace's `@lolice/*` packages, then relative imports.
  eslint.config.settings['import/internal-regex'] = '^@lolice/';
  eslint.addRules({
    'import/order': [
      'warn',
      {
        groups: ['builtin', 'external', 'internal', ['parent', 'sibling', 'index']],
        alphabetize: { order: 'asc', caseInsensitive: true },
      },
    ],
    // Changed from typescript-eslint's default to tsc's own convention (noUnusedLocals/noUnusedParameters):
    // a leading `_` marks a binding unused on purpose, such as a property left out by a rest pattern
    // (`{ password: _omitted, ...identity }`) or a parameter an override must declare.
    '@typescript-eslint/no-unused-vars': [
      'error',
      {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
      },
    ],
  });
  eslint.addOverride({
    files: ['packages/*/test/**', 'test/**'],
    rules: {
      // Off in tests: they walk parsed YAML, JSON and HCL documents (`type Hcl = Record<string, any>`)
      // whose shape is what the test asserts; `unknown` would need a cast at every step. Sources keep the rule.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  });
  new WorkspaceDependencies(project);

  project.addTask('format', {
    description: 'Format every TypeScript file with Prettier and apply ESLint auto-fixes (`eslint --fix`)',
    steps: [{ spawn: eslint.eslintTask.name, args: ['--fix'] }],
  });
  return eslint;
}

/**
 * import/no-extraneous-dependencies reads the nearest package.json. For a
 * workspace package's tests that is the package's own manifest, which lists no
 * devDependencies: they may also import the root's (vitest, yaml, hcl2json...).
 * Its sources keep the default: only the package's own dependencies.
 */
class WorkspaceDependencies extends Component {
  preSynthesize(): void {
    const eslint = javascript.Eslint.of(this.project);
    for (const file of this.project.files) {
      const dir = /^(packages\/[^/]+)\/package\.json$/.exec(file.path)?.[1];
      if (!eslint || !dir || !(file instanceof JsonFile)) continue;
      eslint.addOverride({
        files: [`${dir}/test/**`],
        rules: {
          'import/no-extraneous-dependencies': ['error', { devDependencies: true, packageDir: ['.', dir] }],
        },
      });
    }
  }
}
