import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Root of this repository. */
export const REPO_ROOT = resolve(__dirname, '../..');

/**
 * A throwaway copy of the repository's tracked and untracked-but-not-ignored
 * files (node_modules linked, not copied), inside its own git repository so
 * that `git status` shows exactly what a command changed.
 */
export class RepoCopy {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'lolice-repo-'));
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
    })
      .toString()
      .split('\0')
      .filter(Boolean);
    for (const f of files) {
      try {
        cpSync(join(REPO_ROOT, f), join(this.dir, f), { recursive: false, preserveTimestamps: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted in the working tree
      }
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(this.dir, 'node_modules'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: this.dir, stdio: 'pipe' });
    git('init', '-q');
    appendFileSync(join(this.dir, '.git/info/exclude'), '/node_modules\n'); // the link is not a directory to git
    git('add', '-A');
    git('-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-qm', 'copy');
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  /**
   * Runs `npx projen` (the default task, or ARGS) in the copy. Asynchronous, so that a slow
   * synth on a busy machine does not block the vitest worker's reports to the main process.
   */
  projen(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(
        'npx',
        ['projen', ...args],
        { cwd: this.dir, encoding: 'utf8', env: { ...process.env, CI: 'true' }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
          done({ status, stdout, stderr });
        },
      );
    });
  }

  /** `git status --porcelain` of the copy: empty when nothing changed. */
  status(): string {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: this.dir }).toString();
  }

  /** sha256 of every file in the copy (node_modules excluded), for byte-level comparisons. */
  snapshot(): Map<string, string> {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: this.dir,
    })
      .toString()
      .split('\0')
      .filter(Boolean);
    return new Map(
      files.map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(this.path(f)))
          .digest('hex'),
      ]),
    );
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
