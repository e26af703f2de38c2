import { Component, JsonFile, type Project } from 'projen';
import type { NodeProject } from 'projen/lib/javascript';

export interface WorkspacePackageOptions {
  /** Folder under `packages/`, also the package name after `@lolice/`. */
  readonly name: string;
  /** One-line description for package.json. */
  readonly description: string;
  /** Runtime dependencies as `name → semver range`. */
  readonly deps?: Readonly<Record<string, string>>;
  /** Other workspace packages this one imports (folder names). */
  readonly workspaceDeps?: readonly string[];
}

/** The npm scope of every workspace package. */
export const SCOPE = '@lolice';

/**
 * One npm workspace under `packages/<name>`: its package.json and a composite
 * tsconfig.json that references the workspace packages it depends on. Sources,
 * tests and the README are hand-written.
 */
export class WorkspacePackage extends Component {
  /** Projects whose install already ran in this synth. */
  private static readonly installed = new WeakSet<Project>();

  readonly dir: string;
  readonly packageName: string;
  private readonly manifest: JsonFile;

  constructor(project: NodeProject, options: WorkspacePackageOptions) {
    super(project, `workspace-${options.name}`);
    this.dir = `packages/${options.name}`;
    this.packageName = `${SCOPE}/${options.name}`;
    const workspaceDeps = options.workspaceDeps ?? [];
    this.manifest = new JsonFile(project, `${this.dir}/package.json`, {
      obj: {
        name: this.packageName,
        description: options.description,
        version: '0.0.0',
        private: true,
        license: 'Apache-2.0',
        main: 'lib/index.js',
        types: 'lib/index.d.ts',
        scripts: { build: 'tsc -b' },
        dependencies: {
          ...Object.fromEntries(workspaceDeps.map((d) => [`${SCOPE}/${d}`, '0.0.0'])),
          ...options.deps,
        },
      },
    });
    new JsonFile(project, `${this.dir}/tsconfig.json`, {
      obj: {
        extends: '../../tsconfig.base.json',
        compilerOptions: { composite: true, rootDir: 'src', outDir: 'lib' },
        include: ['src'],
        references: workspaceDeps.map((d) => ({ path: `../${d}` })),
      },
    });
  }

  /**
   * projen installs when the root package.json changes; a workspace's own
   * dependencies changing needs the same, or `npm ci` would find a stale lockfile.
   */
  postSynthesize(): void {
    const project = this.project as NodeProject;
    // Content, not `changed`: npm rewrites workspace manifests, which clears their read-only bit.
    if (this.manifest.diff() !== undefined && !WorkspacePackage.installed.has(project)) {
      WorkspacePackage.installed.add(project);
      project.tasks.runTask(project.package.installTask.name);
    }
  }
}
