/**
 * The subset of the GitHub Actions workflow syntax this generator emits.
 * Object keys are serialized in the order they are written here and in the
 * renderers, so the emitted YAML keeps a stable key order.
 */

/** Job or workflow token permissions, e.g. `{ contents: 'read' }`. */
export type Permissions = Readonly<Record<string, 'read' | 'write' | 'none'>>;

/** One step of a job: either an action (`uses`) or a shell script (`run`). */
export interface Step {
  readonly name: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
  /** The only way workflow inputs, matrix values and event data reach `run`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly 'working-directory'?: string;
  readonly run?: string;
}

export interface Concurrency {
  readonly group: string;
  readonly 'cancel-in-progress': boolean;
}

export interface Strategy {
  readonly 'fail-fast': boolean;
  readonly matrix: Readonly<Record<string, string | readonly string[]>>;
}

export interface Job {
  readonly name: string;
  readonly needs?: string;
  readonly 'runs-on': string;
  readonly permissions: Permissions;
  readonly 'timeout-minutes': number;
  readonly concurrency?: Concurrency;
  readonly strategy?: Strategy;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
}

/** A `workflow_dispatch` input of type choice. */
export interface ChoiceInput {
  readonly description: string;
  readonly type: 'choice';
  readonly required: boolean;
  readonly default: string;
  readonly options: readonly string[];
}

export interface Workflow {
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions: Permissions;
  readonly concurrency?: Concurrency;
  readonly defaults: { readonly run: { readonly shell: 'bash' } };
  readonly jobs: Readonly<Record<string, Job>>;
}

/** One rendered workflow: where it goes, the object, and its YAML text (without the projen marker). */
export interface RenderedWorkflow {
  readonly path: string;
  readonly workflow: Workflow;
  readonly yaml: string;
}
