import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a terraform binary is on PATH (this machine has one; plain CI runners may not). */
export const terraformAvailable = (): boolean => spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

/**
 * Renders a template file with HashiCorp's own `templatefile()` and
 * `bcrypt()` (the same HCL functions Packer uses), through `terraform console`
 * in an empty directory: no providers, no network.
 */
export function terraformTemplatefile(path: string, vars: { hostname: string; password: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lolice-tf-'));
  try {
    const expr = `base64encode(templatefile(${JSON.stringify(path)}, { hostname = ${JSON.stringify(vars.hostname)}, password_hash = bcrypt(${JSON.stringify(vars.password)}) }))`;
    const r = spawnSync('terraform', ['console'], {
      cwd: dir,
      input: `${expr}\n`,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    if (r.status !== 0) throw new Error(`terraform console failed: ${r.stderr}`);
    return Buffer.from(JSON.parse(r.stdout.trim()) as string, 'base64').toString('utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
