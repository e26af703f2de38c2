import fs, { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILD_EXPIRY_TAG, exampleCluster as example, s3BuildsPrefix, workers } from '@lolice/node-model';
import { loadRepoModel, withNewWorker } from '../../../test/lib/model';
import { canonicalize, render, TERRAFORM_DIR, TERRAFORM_FILE, type TerraformJson } from '../src';
import { synthStack } from './support/cdktf';

const PATH = `${TERRAFORM_DIR}/${TERRAFORM_FILE}`;
const REPO_ROOT = join(__dirname, '../../..');
const renderExample = (): TerraformJson => render(example)[PATH];

/** Every object key at any depth. */
const keysDeep = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.flatMap(keysDeep)
    : v && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => [k, ...keysDeep(x)])
      : [];

/** Every string value at any depth. */
const stringsDeep = (v: unknown): string[] =>
  typeof v === 'string'
    ? [v]
    : Array.isArray(v)
      ? v.flatMap(stringsDeep)
      : v && typeof v === 'object'
        ? Object.values(v).flatMap(stringsDeep)
        : [];

describe('render', () => {
  afterEach(() => vi.restoreAllMocks());

  it('emits one Terraform JSON file under generated/terraform/worker-node-images/', () => {
    expect(Object.keys(render(example))).toEqual([PATH]);
    expect(PATH).toBe(`${TERRAFORM_DIR}/main.tf.json`);
  });

  it('gives identical bytes when run twice', () => {
    expect(JSON.stringify(renderExample(), undefined, 2)).toBe(JSON.stringify(renderExample(), undefined, 2));
  });

  it('touches no file system and ignores cdktf environment variables', () => {
    // GIVEN spies on what cdktf's App would call, and an output dir in the environment
    const calls = ['mkdirSync', 'mkdtempSync', 'writeFileSync', 'existsSync', 'readFileSync'].map((f) =>
      vi.spyOn(fs, f as 'mkdirSync'),
    );
    vi.stubEnv('CDKTF_OUTDIR', '/nonexistent/cdktf.out');
    vi.stubEnv('CDKTF_CONTEXT_JSON', '{"cdktfVersion":"9.9.9"}');
    // WHEN rendering
    const out = renderExample();
    vi.unstubAllEnvs();
    // THEN nothing touched the disk and the output is the usual one
    for (const spy of calls) expect(spy, spy.getMockName()).not.toHaveBeenCalled();
    expect(out).toEqual(renderExample());
  });

  it('carries no cdktf metadata: no "//" blocks, versions, construct paths or stack traces', () => {
    const out = renderExample();
    expect(keysDeep(out)).not.toContain('//');
    const text = JSON.stringify(out);
    expect(text).not.toMatch(/0\.21\.\d|stackTrace|uniqueId|"path"|worker-node-images\/images/);
  });

  it("equals cdktf's own synthesis (Testing.synth) once metadata and key order are normalized", () => {
    expect(renderExample()).toEqual(canonicalize(JSON.parse(synthStack(example))));
  });

  it('refers only to resources and data sources it declares', () => {
    const out = renderExample() as { resource: Record<string, object>; data: Record<string, object> };
    const declared = new Set([
      ...Object.entries(out.resource).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`)),
      ...Object.entries(out.data).flatMap(([type, byName]) => Object.keys(byName).map((n) => `data.${type}.${n}`)),
    ]);
    const references = stringsDeep(out).flatMap((s) =>
      [...s.matchAll(/\$\{((?:data\.)?[a-z0-9_]+\.[a-z0-9_]+)\.[a-z_]+\}/g)].map((m) => m[1]),
    );
    const dependsOn = Object.values(out.resource).flatMap((byName) =>
      Object.values(byName).flatMap((r: { depends_on?: string[] }) => r.depends_on ?? []),
    );
    expect(references.length).toBeGreaterThan(5);
    for (const ref of [...references, ...dependsOn]) expect(declared, ref).toContain(ref);
  });

  it('adds a builds/ expiry rule when a worker joins the model', () => {
    // GIVEN the model with one more worker WHEN rendering
    const more = withNewWorker(example);
    const added = more.nodes.at(-1)!.name;
    const out = render(more)[PATH] as {
      resource: {
        aws_s3_bucket_lifecycle_configuration: { images_lifecycle: { rule: { id: string; filter: unknown }[] } };
      };
    };
    const rules = out.resource.aws_s3_bucket_lifecycle_configuration.images_lifecycle.rule;
    // THEN one rule per worker plus the version rule, and no control-plane node
    expect(rules.map((r) => r.id)).toEqual([
      ...workers(more).map((n) => `expire-builds-${n.name}`),
      'expire-noncurrent-versions',
    ]);
    expect(rules.at(-2)!.filter).toEqual([
      {
        and: [
          {
            prefix: s3BuildsPrefix(more.aws.imagePrefix, added),
            tags: { [BUILD_EXPIRY_TAG.key]: BUILD_EXPIRY_TAG.value },
          },
        ],
      },
    ]);
    for (const n of more.nodes.filter((x) => x.role === 'control-plane')) {
      expect(JSON.stringify(out)).not.toContain(n.name);
    }
  });

  it('is what is committed (apart from the projen marker)', () => {
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, PATH), 'utf8'));
    expect(committed['//']).toMatch(/^~~ Generated by projen/);
    delete committed['//'];
    expect(committed).toEqual(render(loadRepoModel())[PATH]);
  });
});
