import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StepRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the script appended to $GITHUB_ENV / $GITHUB_OUTPUT, as key → value. */
  readonly githubEnv: Record<string, string>;
  readonly githubOutput: Record<string, string>;
  readonly summary: string;
  /** Argument lists of every call of the stand-in `aws`, in order. */
  readonly awsCalls: string[][];
}

const parseKeyValues = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

/**
 * Runs one `run:` script the way GitHub Actions does with `shell: bash`
 * (`bash --noprofile --norc -eo pipefail`), in a scratch directory with the
 * runner's files ($GITHUB_ENV, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, $RUNNER_TEMP)
 * and a stand-in `aws` on PATH that only records its arguments (AWS is not reachable here).
 */
export function runStep(script: string, env: Record<string, string>, prepare?: (dir: string) => void): StepRun {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-step-'));
  try {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    mkdirSync(join(dir, 'temp'));
    writeFileSync(
      join(bin, 'aws'),
      '#!/usr/bin/env bash\n# Stand-in for the AWS CLI: records its arguments, touches nothing.\n{ printf \'%s\\037\' "$@"; echo; } >> "$AWS_STANDIN_LOG"\n',
    );
    chmodSync(join(bin, 'aws'), 0o755);
    for (const f of ['env', 'output', 'summary', 'aws.log']) writeFileSync(join(dir, f), '');
    writeFileSync(join(dir, 'step.sh'), script);
    prepare?.(dir);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_ENV: join(dir, 'env'),
        GITHUB_OUTPUT: join(dir, 'output'),
        GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        RUNNER_TEMP: join(dir, 'temp'),
        AWS_STANDIN_LOG: join(dir, 'aws.log'),
        ...env,
      },
    });
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      githubEnv: parseKeyValues(read('env')),
      githubOutput: parseKeyValues(read('output')),
      summary: read('summary'),
      awsCalls: read('aws.log')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\x1f').slice(0, -1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
