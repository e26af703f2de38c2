import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getExpressionAst } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCluster as example, workers, type Cluster } from '@lolice/node-model';
import { variant } from '../../../test/lib/model';
import {
  buildObjects,
  configFromCluster,
  render,
  roleDescription,
  terraformLiteral,
  type PolicyDocument,
} from '../src';

/**
 * Terraform reads every string of its JSON syntax as a template. GIVEN a model whose every string
 * that reaches the stack carries template syntax (not a valid model: the generator must hold up
 * on its own), WHEN the stack is rendered, THEN Terraform sees each string as literal text around
 * cdktf's own references, and evaluates it to the model's text.
 */
const HOSTILE = '${path.cwd}%{ if true }x%{ endif }$${y}%%{z}$%';

const hostile: Cluster = variant(example, (c) => {
  c.name += HOSTILE;
  c.aws.bucket += HOSTILE;
  c.aws.imagePrefix += HOSTILE;
  c.aws.roleName += HOSTILE;
  c.aws.repository += HOSTILE;
  c.aws.branch += HOSTILE;
  c.aws.region += HOSTILE;
  c.aws.accountId += HOSTILE;
  for (const n of c.nodes) if (n.role === 'worker') n.name += HOSTILE;
});

type Tf = Record<string, any>;
const [hostileTf] = Object.values(render(hostile)) as Tf[];
const [exampleTf] = Object.values(render(example)) as Tf[];

/** Every string of a document (values and object keys' values, at any depth) with its path. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** HashiCorp's HCL parser on a string as Terraform parses it: a template. Its parts that are not literal text. */
async function interpolations(text: string): Promise<string[]> {
  const quoted = `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const ast = await getExpressionAst('main.tf.json', quoted);
  // a string of one reference is a `templateWrap`; text with interpolations a `template`
  const parts = ast?.type === 'template' || ast?.type === 'templateWrap' ? ast.children : [ast];
  return parts
    .filter((p) => p && p.type !== 'literalValue')
    .map((p) => `${p!.type}:${(p!.meta as { fullAccessor?: string }).fullAccessor ?? ''}`);
}

describe('every string cdktf-infra writes into Terraform JSON is literal text (HCL parser)', () => {
  let references: Set<string>;
  beforeAll(async () => {
    references = new Set((await Promise.all(strings(exampleTf).map(([, s]) => interpolations(s)))).flat());
  });

  it("cdktf's own references are the only interpolations of the example's stack", () => {
    expect([...references].every((r) => r.startsWith('scopeTraversal:'))).toBe(true);
    expect(references).toContain('scopeTraversal:data.aws_iam_openid_connect_provider.github_actions.arn');
  });

  it('the hostile model adds no interpolation and no directive to any string', async () => {
    const found = strings(hostileTf).filter(([, s]) => s.includes('path.cwd'));
    expect(found.length).toBeGreaterThan(10);
    for (const [path, s] of strings(hostileTf)) {
      for (const part of await interpolations(s)) expect(references.has(part), `${path}: ${part}`).toBe(true);
    }
  });

  it('terraformLiteral escapes ${ and %{ and nothing else', () => {
    expect(terraformLiteral('a${b}%{c}$d%e{f}')).toBe('a$${b}%%{c}$d%e{f}');
    expect(terraformLiteral('$${x}')).toBe('$$${x}');
  });
});

/** `terraform` on this machine (the one `test/checks/terraform.sh` uses), if any. */
const TERRAFORM = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0 ? 'terraform' : undefined;
const title = (what: string) => (TERRAFORM ? what : `${what}: SKIPPED, terraform is not installed`);

describe.skipIf(!TERRAFORM)(title('what Terraform makes of the strings (terraform console, templatestring)'), () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-literals-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Evaluates each string as Terraform evaluates a template: its text read raw from a file,
   * rendered by `templatestring` with cdktf's references standing for themselves (`<data.x.y.arn>`).
   * A reference the stack does not make fails the evaluation.
   */
  function evaluate(texts: readonly string[], refs: readonly string[]): string[] {
    const vars: Record<string, any> = {};
    for (const ref of refs) {
      const keys = ref.split('.');
      let at = vars;
      for (const k of keys.slice(0, -1)) at = at[k] ??= {};
      at[keys.at(-1)!] = `<${ref}>`;
    }
    const locals: Record<string, unknown> = { refs: vars };
    texts.forEach((t, i) => {
      writeFileSync(join(dir, `t${i}.txt`), t);
      locals[`t${i}`] = `\${file("${dir}/t${i}.txt")}`;
    });
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ locals }));
    const list = texts.map((_, i) => `templatestring(local.t${i}, local.refs)`).join(', ');
    const run = spawnSync(TERRAFORM!, [`-chdir=${dir}`, 'console'], {
      input: `base64encode(jsonencode([${list}]))\n`,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    const out = /^"([A-Za-z0-9+/=]+)"$/m.exec(run.stdout);
    if (run.status !== 0 || !out) throw new Error(`terraform console: ${run.stderr}${run.stdout}`);
    return JSON.parse(Buffer.from(out[1], 'base64').toString('utf8'));
  }

  let values: Map<string, string>;
  beforeAll(async () => {
    const refs = new Set(
      (await Promise.all(strings(exampleTf).map(([, s]) => interpolations(s))))
        .flat()
        .map((r) => r.replace(/^scopeTraversal:/, '')),
    );
    const all = strings(hostileTf);
    const evaluated = evaluate(
      all.map(([, s]) => s),
      [...refs],
    );
    values = new Map(all.map(([path], i) => [path, evaluated[i]]));
  }, 60_000);

  const config = configFromCluster(hostile);
  const at = (path: string) => {
    const v = values.get(path);
    if (v === undefined) throw new Error(`no string at ${path}`);
    return v;
  };

  it("holds the model's text in the role: name, description, trust subject", () => {
    expect(at('resource.aws_iam_role.build_role.name')).toBe(hostile.aws.roleName);
    expect(at('resource.aws_iam_role.build_role.description')).toBe(roleDescription(config));
    expect(at('resource.aws_iam_role.build_role.description')).toContain(HOSTILE);
    const trust: PolicyDocument = JSON.parse(at('resource.aws_iam_role.build_role.assume_role_policy'));
    expect(trust.Statement[0].Condition?.StringEquals['token.actions.githubusercontent.com:sub']).toBe(
      `repo:${hostile.aws.repository}:ref:refs/heads/${hostile.aws.branch}`,
    );
    expect(trust.Statement[0].Principal).toEqual({
      Federated: '<data.aws_iam_openid_connect_provider.github_actions.arn>',
    });
  });

  it("holds the model's text in the permissions, the bucket, its lifecycle and the provider", () => {
    const policy: PolicyDocument = JSON.parse(at('resource.aws_iam_role_policy.build_role_images.policy'));
    expect(policy.Statement[0].Resource).toContain(buildObjects(config));
    expect(at('resource.aws_s3_bucket.images.bucket')).toBe(hostile.aws.bucket);
    const names = workers(hostile).map((n) => n.name);
    names.forEach((node, i) => {
      const rule = `resource.aws_s3_bucket_lifecycle_configuration.images_lifecycle.rule[${i}]`;
      expect(at(`${rule}.id`)).toBe(`expire-builds-${node}`);
      expect(at(`${rule}.filter[0].and[0].prefix`)).toBe(`${hostile.aws.imagePrefix}/${node}/builds/`);
    });
    expect(at('provider.aws[0].region')).toBe(hostile.aws.region);
    expect(at('provider.aws[0].allowed_account_ids[0]')).toBe(hostile.aws.accountId);
    expect(at('provider.aws[0].default_tags[0].tags.Cluster')).toBe(hostile.name);
    expect(at('provider.aws[0].default_tags[0].tags.Repository')).toBe(hostile.aws.repository);
  });

  it('evaluates the example stack to its own strings, references aside (the evaluation is faithful)', () => {
    const plain = strings(exampleTf).filter(([, s]) => !s.includes('${'));
    expect(plain.length).toBeGreaterThan(10);
    expect(
      evaluate(
        plain.map(([, s]) => s),
        [],
      ),
    ).toEqual(plain.map(([, s]) => s));
  });
});
