import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_DIR } from '@lolice/packer-gen';

/**
 * Debian's packer (1.6.6) predates `required_plugins` and the QEMU plugin's
 * current options, but it evaluates HCL variables, their validation and
 * locals with Packer's own code. A "reduced" template keeps just the
 * `variable` and `locals` blocks of a generated one, plus a no-op build, so
 * that this packer can validate and evaluate them.
 */

/** A stand-in build for the reduced template: a null source that does nothing. */
const NULL_BUILD = [
  'source "null" "reduced" {',
  '  communicator = "none"',
  '}',
  '',
  'build {',
  '  sources = ["source.null.reduced"]',
  '}',
  '',
].join('\n');

/** The top-level blocks of a canonically formatted HCL file whose type is one of `types`. */
export function topLevelBlocks(text: string, types: readonly string[]): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (!current && types.some((t) => line.startsWith(`${t} `) && line.endsWith('{'))) current = [];
    if (current) {
      current.push(line);
      if (line === '}') {
        blocks.push(current.join('\n'));
        current = undefined;
      }
    }
  }
  return blocks;
}

/** A password long enough that Packer's redaction of sensitive values cannot garble other output. */
export const TEST_BUILD_PASSWORD = 'test-only-build-password-7c1e9a';

/** A throwaway repository-shaped directory holding the reduced template at PACKER_DIR. */
export class ReducedTemplate {
  /** `-var name=value` for the node and each of `vars`. */
  private static varArgs(node: string, vars: Readonly<Record<string, string>>): string[] {
    return Object.entries({ node_name: node, ...vars }).flatMap(([k, v]) => ['-var', `${k}=${v}`]);
  }

  readonly root: string;
  readonly dir: string;

  constructor(baseTemplate: string) {
    this.root = mkdtempSync(join(tmpdir(), 'lolice-packer-'));
    this.dir = join(this.root, PACKER_DIR);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(
      join(this.dir, 'reduced.pkr.hcl'),
      [...topLevelBlocks(baseTemplate, ['variable', 'locals']), NULL_BUILD].join('\n\n'),
    );
  }

  private packer(args: string[], input?: string) {
    const r = spawnSync('packer', args, {
      input,
      encoding: 'utf8',
      env: { ...process.env, PKR_VAR_build_password: TEST_BUILD_PASSWORD, CHECKPOINT_DISABLE: '1' },
    });
    if (r.error) throw r.error;
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  /** `packer validate -var node_name=<node> [-var <name>=<value>...]`. */
  validate(node: string, vars: Readonly<Record<string, string>> = {}) {
    return this.packer(['validate', ...ReducedTemplate.varArgs(node, vars), this.dir]);
  }

  /** Evaluates one HCL expression with `packer console` for a node (and other variables). */
  evaluate(node: string, expression: string, vars: Readonly<Record<string, string>> = {}): string {
    const r = this.packer(['console', ...ReducedTemplate.varArgs(node, vars), this.dir], `${expression}\n`);
    if (r.status !== 0) throw new Error(`packer console failed: ${r.output}`);
    return r.output.trim();
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
