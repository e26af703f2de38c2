import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ModelValidationError } from './errors';
import { MODEL_FILE, MODEL_EXPORT } from './paths';
import type { Cluster } from './types';
import { assertValidCluster, type ConsumerCheck } from './validate';

/** Why a model file could not be used: one line naming the file, or the broken rules. */
export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/**
 * The first line of an error that says what is wrong. A syntax error comes from the TypeScript
 * loader's transform (esbuild) as "Transform failed with 1 error:" and then
 * "<absolute path>:<line>:<column>: ERROR: <what>": that becomes "line L, column C: <what>".
 */
function firstLine(error: unknown, path: string): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((l) => l.trim());
  const line = lines.find((l) => l !== '' && !/^Transform failed with \d+ errors?:$/.test(l)) ?? 'unknown error';
  const at = /^(.*):(\d+):(\d+): ERROR: (.*)$/.exec(line);
  return at && resolve(at[1]) === path ? `line ${at[2]}, column ${at[3]}: ${at[4]}` : line;
}

/**
 * Loads the model file of a repository (`packages/node-model/src/lolice.ts`), copies it into
 * plain data and validates it. The file is required at run time, under a TypeScript loader
 * (tsx), so that a syntax error, a missing export or a throwing getter becomes one
 * `ModelLoadError` line naming the file, never a stack trace; a broken rule becomes a
 * `ModelValidationError` naming the field and the rule. `consumers`: the generators' limits,
 * checked on the valid model (`projenrc/model.ts` passes them).
 */
export function loadModelFile(
  repoRoot: string,
  file: string = MODEL_FILE,
  consumers: readonly ConsumerCheck[] = [],
): Cluster {
  const path = resolve(repoRoot, file);
  let exported: unknown;
  try {
    exported = createRequire(path)(path)[MODEL_EXPORT];
  } catch (error) {
    throw new ModelLoadError(`${file}: cannot be loaded: ${firstLine(error, path)}`);
  }
  if (exported === undefined) {
    throw new ModelLoadError(
      `${file}: has no export "${MODEL_EXPORT}" (export const ${MODEL_EXPORT}: Cluster = { ... })`,
    );
  }
  let data: unknown;
  try {
    // Plain data: every getter runs here, once; functions and symbols are dropped.
    data = JSON.parse(JSON.stringify(exported));
  } catch (error) {
    throw new ModelLoadError(`${file}: "${MODEL_EXPORT}" cannot be read as data: ${firstLine(error, path)}`);
  }
  return assertValidCluster(data, consumers);
}

export { ModelValidationError };
