import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Ajv from 'ajv';

/** A real SHA-512 crypt(3) hash of a throwaway password, made by `openssl passwd -6` (what Subiquity's docs suggest). */
export const opensslCryptHash = (password = 'test-only-password'): string =>
  execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: password }).toString().trim();

/** Root of this repository. */
const REPO_ROOT = resolve(__dirname, '../../../..');

const SCHEMA_FILE = 'shared/reference/subiquity-autoinstall-schema.json';

/** The first `<dir>/shared/reference/...` above the repository (a git worktree may sit deeper than the clone). */
function findAbove(dir: string): string {
  const candidate = resolve(dir, '..', SCHEMA_FILE);
  const parent = dirname(dir);
  return existsSync(candidate) || parent === dir ? candidate : findAbove(parent);
}

/** Subiquity's own autoinstall schema, from the shared reference data beside the repository (absent elsewhere). */
export const SUBIQUITY_SCHEMA_PATH = findAbove(REPO_ROOT);
export const subiquitySchema = (): object | undefined =>
  existsSync(SUBIQUITY_SCHEMA_PATH) ? (JSON.parse(readFileSync(SUBIQUITY_SCHEMA_PATH, 'utf8')) as object) : undefined;

/** ajv as the tests use it: all errors, the `uri` format Subiquity's schema names. */
export function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', (v: string) => URL.canParse(v));
  return ajv;
}

/** Test title that says why the Subiquity-schema test is skipped when the reference file is absent. */
export const subiquityTitle = (what: string): string =>
  subiquitySchema() ? `${what} (${SUBIQUITY_SCHEMA_PATH})` : `${what}: SKIPPED, ${SUBIQUITY_SCHEMA_PATH} is absent`;
