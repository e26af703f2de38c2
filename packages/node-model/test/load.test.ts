import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRepoModel } from '../../../test/lib/model';
import { exampleCluster, MODEL_EXPORT, MODEL_FILE, ModelLoadError, ModelValidationError } from '../src';

/** A repository-shaped directory whose model file is `source`. */
let root: string | undefined;
const repoWithModel = (source: string): string => {
  root = mkdtempSync(join(tmpdir(), 'lolice-model-'));
  mkdirSync(dirname(join(root, MODEL_FILE)), { recursive: true });
  writeFileSync(join(root, MODEL_FILE), source);
  return root;
};
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

const asTs = (value: unknown) => `export const ${MODEL_EXPORT} = ${JSON.stringify(value, undefined, 2)};\n`;

/** The error loadModelFile throws for a model file, or a test failure. */
function loadError(source: string): Error {
  try {
    loadRepoModel(repoWithModel(source));
  } catch (error) {
    return error as Error;
  }
  throw new Error('the model file loaded');
}

describe('loadModelFile', () => {
  it('returns a valid model as plain data', () => {
    const model = loadRepoModel(repoWithModel(asTs(exampleCluster)));
    expect(model).toEqual(exampleCluster);
  });

  it.each([
    [
      'a syntax error',
      `export const ${MODEL_EXPORT} = {\n  name: 'x',,\n};\n`,
      /cannot be loaded: line 2, column \d+: Expected identifier but found ","$/,
    ],
    [
      'no export of the model',
      `export const other = ${JSON.stringify(exampleCluster)};\n`,
      new RegExp(`has no export "${MODEL_EXPORT}"`),
    ],
    [
      'a getter that throws',
      `export const ${MODEL_EXPORT} = { get name(): string { throw new Error('boom'); } };\n`,
      new RegExp(`"${MODEL_EXPORT}" cannot be read as data: boom$`),
    ],
    [
      'a circular structure',
      `const c: Record<string, unknown> = {}; c.self = c; export const ${MODEL_EXPORT} = c;\n`,
      /cannot be read as data: Converting circular structure to JSON/,
    ],
    [
      'a statement that throws when the file runs',
      `throw new TypeError('not today');\nexport const ${MODEL_EXPORT} = {};\n`,
      /cannot be loaded: not today$/,
    ],
  ])('turns %s into one line naming the file', (_what, source, message) => {
    const error = loadError(source);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message.startsWith(`${MODEL_FILE}: `)).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  it('turns a broken rule into a validation error naming field and rule', () => {
    const error = loadError(asTs({ ...exampleCluster, admin: { ...exampleCluster.admin, user: 'root' } }));
    expect(error).toBeInstanceOf(ModelValidationError);
    expect((error as ModelValidationError).issues).toEqual([
      { path: 'admin.user', rule: 'posix-user', message: '"root" is not a valid posix-user' },
    ]);
  });

  it('refuses an export that is not an object', () => {
    const error = loadError(`export const ${MODEL_EXPORT} = 42;\n`);
    expect(error).toBeInstanceOf(ModelValidationError);
    expect((error as ModelValidationError).issues.map((i) => `${i.path} ${i.rule}`)).toEqual(['(root) type']);
  });

  it('runs every getter once and keeps no function: the model is data', () => {
    const model = loadRepoModel(
      repoWithModel(
        `const base = ${JSON.stringify(exampleCluster)};\nexport const ${MODEL_EXPORT} = { ...base, get name() { return 'computed'; }, helper() { return 1; } };\n`,
      ),
    );
    expect(model.name).toBe('computed');
    expect(Object.getOwnPropertyDescriptor(model, 'name')?.get).toBeUndefined();
    expect(model).not.toHaveProperty('helper');
  });
});
