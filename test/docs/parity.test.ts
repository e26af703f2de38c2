/**
 * docs/parity.md, the table of the owner's worker settings, is enforced: each row cites the
 * owner's file and line, each copied setting occurs in the files its row links, and each check
 * a row names exists in the test file it links.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeSpans, linkTargets, relativeTarget, section } from '../lib/markdown';
import { REPO_ROOT } from '../lib/repo-copy';

const PAGE = 'docs/parity.md';
const page = readFileSync(join(REPO_ROOT, PAGE), 'utf8');

interface Row {
  readonly setting: string;
  readonly owner: string;
  readonly why: string;
  readonly here: string;
  readonly asserted: string;
}

/** The rows of the (one) table of a section; cells split on " | " (no cell holds a "|"). */
function rows(title: string): Row[] {
  return section(page, title)
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| setting |'))
    .map((l) => {
      const cells = l.slice(2, -2).split(' | ');
      expect(cells, l).toHaveLength(5);
      const [setting, owner, why, here, asserted] = cells;
      return { setting, owner, why, here, asserted };
    });
}

/** The files a cell links, relative to the repository root. */
const linked = (cell: string): string[] =>
  linkTargets(cell)
    .map(relativeTarget)
    .filter((t): t is string => t !== undefined)
    .map((t) => join(dirname(PAGE), t));

/** The checks a cell names: each link to a test file and the quoted check texts after it. */
function checksOf(cell: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of cell.split(/(?=\[[^\]]+\]\()/)) {
    const [file] = linked(part);
    if (!file) continue;
    for (const m of part.matchAll(/"([^"]+)"/g)) out.push([file, m[1]]);
  }
  return out;
}

const copied = [...rows('Settings that came from incidents'), ...rows('What the workers have otherwise')];
const notCopied = rows('Not copied, and why');
const all = [...copied, ...notCopied];

describe('docs/parity.md', () => {
  it("pins the owner's repositories to the commits it was read at", () => {
    expect(page).toMatch(/boxp\/arch at `[0-9a-f]{40}`/);
    expect(page).toMatch(/boxp\/lolice at `[0-9a-f]{40}`/);
  });

  it('has rows in each table (the checks below are not empty)', () => {
    expect(copied.length).toBeGreaterThan(10);
    expect(notCopied.length).toBeGreaterThan(3);
  });

  it.each(all.map((r) => [r.setting, r]))("cites the owner's file and line: %s", (_, r) => {
    expect(r.owner).toMatch(/^((arch|lolice):[\w./-]+:\d+(, )?)+$|^\(none: .+\)$/);
  });

  it.each(copied.map((r) => [r.setting, r]))(
    '%s: every code span of the setting is in a file the row links',
    (_, r) => {
      const files = linked(r.here);
      expect(files.length).toBeGreaterThan(0);
      const text = files.map((f) => readFileSync(join(REPO_ROOT, f), 'utf8')).join('\n');
      expect(codeSpans(r.setting).filter((span) => !text.includes(span))).toEqual([]);
    },
  );

  it.each(notCopied.map((r) => [r.setting, r]))('%s: says why not and what instead', (_, r) => {
    expect(r.why.length).toBeGreaterThan(20);
    expect(r.here).toMatch(/^\*\*not /);
  });

  it.each(all.filter((r) => r.asserted !== '—').map((r) => [r.setting, r]))(
    '%s: the checks it names exist in the test files it links',
    (_, r) => {
      const checks = checksOf(r.asserted);
      expect(checks.length).toBeGreaterThan(0);
      const missing = checks.filter(([file, text]) => {
        if (!existsSync(join(REPO_ROOT, file))) return true;
        const source = readFileSync(join(REPO_ROOT, file), 'utf8');
        return file.endsWith('.sh') ? !source.includes(`check "${text}`) : !source.includes(`'${text}'`);
      });
      expect(missing).toEqual([]);
    },
  );

  it('only a setting that is not copied goes without a check', () => {
    expect(copied.filter((r) => r.asserted === '—').map((r) => r.setting)).toEqual([]);
  });

  it.each([
    'short-name-mode',
    'fs.inotify.max_user_watches',
    'containerLogMaxSize',
    'serverTLSBootstrap',
    'log_size_max',
    'arptables',
    'UseDNS=no',
    'maxsize',
    'SystemMaxUse',
    'lolice.io/gpu-worker',
    '/var/lib/local-llm/models',
    '1800s',
  ])('has a copied row for the incident setting %s', (span) => {
    expect(copied.some((r) => codeSpans(r.setting).includes(span))).toBe(true);
  });

  it.each(['lolice.io/gpu-worker=true:NoSchedule', 'orange_pi_zero3', '8.8.8.8'])(
    'says why %s is not copied',
    (span) => {
      expect(notCopied.some((r) => codeSpans(r.setting).includes(span))).toBe(true);
    },
  );
});

describe('the check reader', () => {
  it('pairs each quoted check with the test file linked before it', () => {
    expect(checksOf('[a.sh](../test/e2e/a.sh) "one", "two", [b.sh](../test/e2e/b.sh) "three"')).toEqual([
      ['test/e2e/a.sh', 'one'],
      ['test/e2e/a.sh', 'two'],
      ['test/e2e/b.sh', 'three'],
    ]);
  });
});
