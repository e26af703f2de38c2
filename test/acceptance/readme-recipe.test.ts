/**
 * The README's "Add a worker" recipe, run as written (issue 19): the README cannot drift from
 * what adding a worker really touches. The recipe is read from README.md: the model file its
 * first step names is edited on a copy of the repository (one new worker, test/lib/model.ts),
 * the `npx projen` it names is run, and what changed is compared with the paths it names.
 * The unit suite on such a copy is model-changes.test.ts's job; this test stays at the cost of
 * one synth and one drift check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FILE } from '@lolice/node-model';
import { codeSpans, numberedItems, section } from '../lib/markdown';
import { loadRepoModel, newWorker } from '../lib/model';
import { ModelFile } from '../lib/model-file';
import { REPO_ROOT, RepoCopy } from '../lib/repo-copy';

/** Set inside the acceptance copies: no copies of copies. */
const NESTED_ENV = 'LOLICE_ACCEPTANCE_NESTED';
const SYNTH = 'npx projen';

const steps = numberedItems(section(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'), 'Add a worker'));
const spans = (items: readonly string[]) => items.flatMap(codeSpans);
const isCommand = (s: string) => /^(npx|gh|ansible-playbook|terraform|sudo|aws) /.test(s) || s === SYNTH;
/** Paths the recipe names: code spans without spaces that name a repository path. */
const isPath = (s: string) => !s.includes(' ') && s.includes('/') && !s.startsWith('-');
const recipePaths = spans(steps).filter(isPath);
const commands = spans(steps).filter(isCommand);
/** The step that regenerates, and the paths it says the regeneration touches. */
const synthStep = steps.find((s) => codeSpans(s).includes(SYNTH));
const synthPaths = synthStep ? codeSpans(synthStep).filter(isPath) : [];

const isDir = (root: string, p: string) => existsSync(join(root, p)) && statSync(join(root, p)).isDirectory();
/** A changed file is covered when the recipe names it or a directory above it. */
const coveredBy = (root: string, file: string, paths: readonly string[]) =>
  paths.some(
    (p) => file === p || ((p.endsWith('/') || isDir(root, p)) && file.startsWith(p.endsWith('/') ? p : `${p}/`)),
  );

describe('the README recipe "Add a worker"', () => {
  it('is a numbered list whose first step edits the model file and which runs npx projen', () => {
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(codeSpans(steps[0]).filter(isPath)[0]).toBe(MODEL_FILE);
    expect(commands).toContain(SYNTH);
    expect(synthPaths.length, 'the npx projen step names what it regenerates').toBeGreaterThan(0);
  });

  it('names only paths, workflows, playbooks and projen tasks that exist', () => {
    const tasks = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, '.projen/tasks.json'), 'utf8')).tasks);
    for (const p of recipePaths) expect(existsSync(join(REPO_ROOT, p)), p).toBe(true);
    for (const c of commands) {
      const [tool, ...args] = c.split(' ');
      if (tool === 'npx' && args[0] === 'projen' && args[1]) expect(tasks, c).toContain(args[1]);
      if (tool === 'gh' && args[0] === 'workflow') {
        expect(existsSync(join(REPO_ROOT, '.github/workflows', args[2])), c).toBe(true);
      }
      for (const a of args.filter(isPath)) expect(existsSync(join(REPO_ROOT, a)), c).toBe(true);
    }
  });
});

describe.skipIf(process.env[NESTED_ENV] === '1')(
  'the README recipe "Add a worker", run on a copy of the repository',
  () => {
    let copy: RepoCopy;
    let changed: string[];

    beforeAll(async () => {
      // GIVEN a copy WHEN the recipe's steps 1-2 run: a new worker in the file it names, then npx projen
      copy = new RepoCopy();
      const modelFile = codeSpans(steps[0]).filter(isPath)[0];
      expect(modelFile).toBe(MODEL_FILE); // ModelFile edits MODEL_FILE: the recipe must name that file
      new ModelFile(copy.dir).addNode(newWorker(loadRepoModel())).save();
      for (const command of commands.filter((c) => c === SYNTH)) {
        const run = await copy.projen();
        expect(run.status, `${command}: ${run.stderr}`).toBe(0);
      }
      changed = copy
        .status()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(3));
    });
    afterAll(() => copy?.dispose());

    it('edits the model file the recipe names', () => {
      expect(changed).toContain(codeSpans(steps[0]).filter(isPath)[0]);
    });

    it('regenerates only files under the paths the recipe names', () => {
      const uncovered = changed.filter((f) => !coveredBy(copy.dir, f, recipePaths));
      expect(uncovered, 'files npx projen changed that the recipe does not name').toEqual([]);
    });

    it('names no path in the npx projen step that the regeneration leaves alone', () => {
      const unchanged = synthPaths.filter((p) => !changed.some((f) => coveredBy(copy.dir, f, [p])));
      expect(unchanged).toEqual([]);
    });

    it('leaves no drift once the result is committed (the drift stage of npx projen test)', async () => {
      execFileSync('git', ['add', '-A'], { cwd: copy.dir });
      execFileSync(
        'git',
        ['-c', 'user.name=operator', '-c', 'user.email=operator@example.invalid', 'commit', '-qm', 'add a worker'],
        { cwd: copy.dir },
      );
      const drift = await copy.projen('drift');
      expect(drift.status, drift.stderr).toBe(0);
    });
  },
);
