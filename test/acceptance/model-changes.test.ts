/**
 * The acceptance test of "the model is the fleet as it runs": an operator's model change
 * regenerates with `npx projen`, and what a model change can break passes on the result with no
 * test edited: the drift check, the type check and the whole unit suite, no file excluded (the
 * production model's test asserts invariants of the fleet, not its list of workers or its
 * versions). One change on one copy of the repository (test/lib/repo-copy.ts) makes every edit of
 * the README's model recipes at once: it adds a worker, retires another, reorders the nodes and
 * moves Kubernetes to the next minor. Any test that restates the fleet's workers, their order or
 * its versions fails on it, and the copy's unit suite runs once (it is most of the unit stage's
 * time). Inside the copy this test does not start copies again (LOLICE_ACCEPTANCE_NESTED).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageWorkerNodes, MODEL_FILE, workers, type Cluster } from '@lolice/node-model';
import { loadRepoModel, newWorker, REPO_ROOT, withNextMinor } from '../lib/model';
import { ModelFile } from '../lib/model-file';
import { RepoCopy } from '../lib/repo-copy';

/** Set inside the copies: keeps this test from starting copies of copies. */
const NESTED_ENV = 'LOLICE_ACCEPTANCE_NESTED';
const MINUTES = 60_000;
/**
 * The copy runs its unit suite beside the main suite: on 2 cores it takes 3–6 minutes. A hang
 * guard, not a speed goal (speed lives in the benchmark).
 */
const SCENARIO_TIMEOUT = 15 * MINUTES;

const model = loadRepoModel();

interface Outcome {
  readonly copy: RepoCopy;
  /** Files the change touched: the model file and what `npx projen` regenerated. */
  readonly changed: string[];
  readonly suite: { status: number | null; output: string };
}

/** What the change can break, run in the copy as CI runs it: drift, type check, unit suite (no VITEST_* variables of this run leak in). */
const COPY_STAGES: readonly (readonly string[])[] = [
  ['bash', 'test/drift.sh'],
  ['npx', 'projen', 'typecheck'],
  ['npx', 'vitest', 'run', '--reporter', 'dot'],
];

function run(copy: RepoCopy, [cmd, ...args]: readonly string[]): Promise<{ status: number | null; output: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'),
  );
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      {
        cwd: copy.dir,
        encoding: 'utf8',
        env: { ...env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', [NESTED_ENV]: '1' },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        done({
          status: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          output: `$ ${[cmd, ...args].join(' ')}\n${stdout}${stderr}`,
        }),
    );
  });
}

/** The stages one after the other; stops at the first that fails (its output is the assertion message). */
async function stagesIn(copy: RepoCopy): Promise<{ status: number | null; output: string }> {
  let output = '';
  for (const stage of COPY_STAGES) {
    const result = await run(copy, stage);
    output += result.output;
    if (result.status !== 0) return { status: result.status, output };
  }
  return { status: 0, output };
}

/** Makes the change on a fresh copy, regenerates, commits as a pull request would, then runs the copy's unit suite. */
async function operatorChange(edit: (file: ModelFile) => void): Promise<Outcome> {
  const copy = new RepoCopy();
  const file = new ModelFile(copy.dir);
  edit(file);
  file.save();
  const synth = await copy.projen();
  if (synth.status !== 0) throw new Error(`npx projen failed: ${synth.stderr}`);
  const changed = copy
    .status()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  execFileSync('git', ['add', '-A'], { cwd: copy.dir });
  execFileSync(
    'git',
    ['-c', 'user.name=operator', '-c', 'user.email=operator@example.invalid', 'commit', '-qm', 'model change'],
    { cwd: copy.dir },
  );
  return { copy, changed, suite: await stagesIn(copy) };
}

/** Files projen generates in a copy. */
const generatedFiles = (copy: RepoCopy): string[] => JSON.parse(copy.read('.projen/files.json')).files;
const read = (copy: RepoCopy, f: string) => readFileSync(join(copy.dir, f), 'utf8');

/** Runs a scenario and disposes of its copy; the suite's failure output is the assertion message. */
async function scenario(edit: (file: ModelFile) => void, check: (o: Outcome) => void): Promise<void> {
  const outcome = await operatorChange(edit);
  try {
    expect(outcome.suite.status, outcome.suite.output.slice(-6000)).toBe(0);
    expect(outcome.suite.output).toContain('drift: none');
    expect(outcome.suite.output).toMatch(/Test Files\s+\d+ passed/);
    check(outcome);
  } finally {
    outcome.copy.dispose();
  }
}

describe.skipIf(process.env[NESTED_ENV] === '1')(
  "an operator's model change regenerates and passes the unit suite with no test edited",
  () => {
    it(
      'adding a worker with a free name and address, retiring another, reordering the nodes and moving to the next Kubernetes minor (patch 0), in one change',
      async () => {
        const added = newWorker(model);
        const removed = imageWorkerNodes(model)[0];
        const moved = withNextMinor(model);
        const versions = moved.kubernetes.versions;
        const expected: Cluster = {
          ...moved,
          nodes: [...model.nodes.filter((n) => n !== removed), added].reverse(),
        };
        // The generated files that name every worker of the committed tree: after the change
        // each names the added worker and none the retired one.
        const before = workers(model).map((n) => n.name);
        const perWorker = (copy: RepoCopy) =>
          generatedFiles(copy).filter((f) => {
            const committed = join(REPO_ROOT, f);
            return existsSync(committed) && before.every((n) => readFileSync(committed, 'utf8').includes(n));
          });
        await scenario(
          (f) => {
            f.addNode(added).removeNode(removed.name).reverseNodes();
            for (const [field, value] of Object.entries(versions)) f.set('kubernetes.versions', field, value);
          },
          ({ copy, changed }) => {
            expect(changed).toContain(MODEL_FILE);
            expect(loadRepoModel(copy.dir)).toEqual(expected);
            expect(perWorker(copy)).toContain('generated/nodes.md');
            for (const f of perWorker(copy)) {
              expect(read(copy, f), f).toContain(added.name);
              expect(read(copy, f), f).not.toMatch(new RegExp(`\\b${removed.name}\\b`));
            }
            expect(read(copy, 'generated/nodes.md')).toContain(`| ${added.name} | worker | ${added.ip} |`);
            // kubeadm, kubelet, kubectl and CRI-O move together
            const groupVars = read(copy, 'ansible/inventories/production/group_vars/workers.yml');
            expect(groupVars).toContain(`kubernetes_version: "${versions.minor}"`);
            expect(groupVars).toContain(`kubernetes_kubelet_version: ${versions.kubelet}`);
            expect(groupVars).toContain(`crio_package_version: ${versions.crio}`);
            for (const f of generatedFiles(copy)) {
              expect(read(copy, f), f).not.toContain(model.kubernetes.versions.kubelet);
              expect(read(copy, f), f).not.toMatch(new RegExp(`\\b${removed.name}\\b`));
            }
            const table = read(copy, 'generated/nodes.md');
            const order = expected.nodes.map((n) => table.indexOf(`| ${n.name} |`));
            expect(order).toEqual([...order].sort((a, b) => a - b));
          },
        );
      },
      SCENARIO_TIMEOUT,
    );
  },
);
