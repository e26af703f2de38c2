import { describe, expect, it } from 'vitest';
import { BUILD_EXPIRY_TAG, exampleCluster as example, knownGoodKey } from '@lolice/node-model';
import { withNewWorker } from '../../../test/lib/model';
import { type PolicyDocument, type PolicyStatement } from '../src';
import { synthStack } from './support/cdktf';

const { bucket: BUCKET, imagePrefix: PREFIX, repository: REPOSITORY, branch: BRANCH } = example.aws;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The policies exactly as Terraform will send them to IAM and S3: parsed from the synthesized stack. */
function synthesizedPolicies() {
  const tf = JSON.parse(synthStack(example));
  const parse = (s: string): PolicyDocument => JSON.parse(s);
  return {
    trust: parse(tf.resource.aws_iam_role.build_role.assume_role_policy),
    permissions: parse(tf.resource.aws_iam_role_policy.build_role_images.policy),
    bucket: parse(tf.resource.aws_s3_bucket_policy.images_tls_only.policy),
  };
}

const actions = (s: PolicyStatement): string[] => [s.Action].flat();
const resources = (s: PolicyStatement): string[] => [s.Resource ?? []].flat();

describe('the trust policy of the build role', () => {
  const { trust } = synthesizedPolicies();

  it('has one statement: web-identity federation through the looked-up GitHub provider', () => {
    expect(trust.Version).toBe('2012-10-17');
    expect(trust.Statement).toHaveLength(1);
    const [s] = trust.Statement;
    expect(s.Effect).toBe('Allow');
    expect(s.Principal).toEqual({ Federated: '${data.aws_iam_openid_connect_provider.github_actions.arn}' });
    expect(s.Action).toBe('sts:AssumeRoleWithWebIdentity');
  });

  it('admits only the model repository and branch, for the STS audience, by exact match', () => {
    const [s] = trust.Statement;
    expect(s.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:${REPOSITORY}:ref:refs/heads/${BRANCH}`,
      },
    });
    expect(JSON.stringify(trust)).not.toMatch(/StringLike|\*|\?/);
  });

  it('follows the model: another branch gives another subject', () => {
    const other = `${BRANCH}-next`;
    const tf = JSON.parse(synthStack({ ...example, aws: { ...example.aws, branch: other } }));
    const trustOnOther: PolicyDocument = JSON.parse(tf.resource.aws_iam_role.build_role.assume_role_policy);
    expect(trustOnOther.Statement[0].Condition?.StringEquals['token.actions.githubusercontent.com:sub']).toBe(
      `repo:${REPOSITORY}:ref:refs/heads/${other}`,
    );
  });
});

describe('the permissions of the build role', () => {
  const { permissions } = synthesizedPolicies();
  const allows = permissions.Statement.filter((s) => s.Effect === 'Allow');

  it('allows exactly GetObject, PutObject, PutObjectTagging and ListBucket, no wildcard action, no Deny or NotAction tricks', () => {
    expect(allows).toHaveLength(permissions.Statement.length);
    expect(allows.flatMap(actions).sort()).toEqual([
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    for (const s of permissions.Statement) {
      expect(Object.keys(s).sort(), s.Sid).toEqual(expect.arrayContaining(['Action', 'Effect', 'Resource', 'Sid']));
      expect(s).not.toHaveProperty('NotAction');
      expect(s).not.toHaveProperty('NotResource');
      expect(s).not.toHaveProperty('Principal');
    }
  });

  const workers = example.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
  const arn = `arn:aws:s3:::${example.aws.bucket}`;
  const build = (node: string) => `${arn}/${example.aws.imagePrefix}/${node}/builds/20250102-abcdef1`;
  const latest = (node: string) => `${arn}/${example.aws.imagePrefix}/${node}/latest`;
  /** An IAM resource pattern as a regular expression: * matches anything, slashes included; ? one character. */
  const matches = (pattern: string, value: string): boolean =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\?/g, '.'))
        .join('.*')}$`,
    ).test(value);
  const allowed = (action: string, object: string) =>
    allows.some((s) => actions(s).includes(action) && resources(s).some((r) => matches(r, object)));

  it("reads and writes the objects of every worker's builds and latest/, in one statement of two patterns", () => {
    const objects = allows.filter((s) => actions(s).some((a) => a.endsWith('Object')));
    expect(objects).toHaveLength(1);
    expect(actions(objects[0]).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(resources(objects[0])).toEqual([
      `${arn}/${example.aws.imagePrefix}/*/builds/*`,
      `${arn}/${example.aws.imagePrefix}/*/latest/*`,
    ]);
    expect(objects[0].Condition).toBeUndefined();
    for (const node of workers) {
      for (const object of [`${build(node)}/${node}.img.zst`, `${latest(node)}/image-info.json`]) {
        expect(allowed('s3:GetObject', object), object).toBe(true);
        expect(allowed('s3:PutObject', object), object).toBe(true);
      }
    }
  });

  it('reaches no object outside the image prefix, nor one beside it that only starts like it', () => {
    const node = workers[0];
    for (const object of [
      `${arn}/${node}/builds/x.img.zst`,
      `${arn}/${example.aws.imagePrefix}-other/${node}/builds/x.img.zst`,
      `${arn}/${example.aws.imagePrefix}/${node}.img.zst`,
      `${arn}/${example.aws.imagePrefix}/${node}/other/x.img.zst`,
    ]) {
      expect(allowed('s3:PutObject', object), object).toBe(false);
      expect(allowed('s3:GetObject', object), object).toBe(false);
    }
  });

  it('may set the build expiry tag, and no other tag, on dated builds only, and never remove a tag', () => {
    const tagging = allows.filter((s) => actions(s).some((a) => a.includes('Tagging')));
    expect(tagging).toHaveLength(1);
    expect(actions(tagging[0])).toEqual(['s3:PutObjectTagging']);
    expect(resources(tagging[0])).toEqual([`${arn}/${example.aws.imagePrefix}/*/builds/*`]);
    for (const node of workers) {
      expect(allowed('s3:PutObjectTagging', `${build(node)}/${node}.img.zst`)).toBe(true);
      expect(allowed('s3:PutObjectTagging', `${latest(node)}/${node}.img.zst`)).toBe(false);
    }
    expect(tagging[0].Condition).toEqual({
      StringEquals: { [`s3:RequestObjectTag/${BUILD_EXPIRY_TAG.key}`]: BUILD_EXPIRY_TAG.value },
      'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': [BUILD_EXPIRY_TAG.key] },
    });
    expect(JSON.stringify(permissions)).not.toMatch(/DeleteObject/);
  });

  it("cannot write a known-good pointer (marking a build known-good takes the operator's credentials)", () => {
    for (const node of [...workers, 'builds', 'latest']) {
      const pointer = `${arn}/${knownGoodKey(example.aws.imagePrefix, node)}`;
      expect(allowed('s3:PutObject', pointer), pointer).toBe(false);
      expect(allowed('s3:PutObjectTagging', pointer), pointer).toBe(false);
    }
  });

  it('does not grow with the fleet: the same policy for more workers (IAM caps it at 10,240 characters)', () => {
    const grown = withNewWorker(withNewWorker(withNewWorker(example)));
    expect(workers.length).toBeLessThan(grown.nodes.filter((n) => n.role === 'worker').length);
    const policyOf = (c: typeof example) =>
      JSON.parse(JSON.parse(synthStack(c)).resource.aws_iam_role_policy.build_role_images.policy);
    expect(policyOf(grown)).toEqual(permissions);
  });

  it('lists the bucket only with a prefix under the image prefix', () => {
    const list = allows.filter((s) => actions(s).includes('s3:ListBucket'));
    expect(list).toHaveLength(1);
    expect(actions(list[0])).toEqual(['s3:ListBucket']);
    expect(resources(list[0])).toEqual([`arn:aws:s3:::${BUCKET}`]);
    expect(list[0].Condition).toEqual({ StringLike: { 's3:prefix': `${PREFIX}/*` } });
  });

  it('names no resource outside the model bucket', () => {
    for (const r of allows.flatMap(resources)) {
      expect(r).toMatch(new RegExp(`^arn:aws:s3:::${esc(BUCKET)}(/${esc(PREFIX)}/\\*/(builds|latest)/\\*)?$`));
    }
  });
});

describe('the bucket policy', () => {
  const { bucket } = synthesizedPolicies();

  it('only denies, and only requests without TLS, on the bucket and its objects', () => {
    expect(bucket.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  it('grants nothing to anyone: no Allow statement', () => {
    expect(bucket.Statement.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });
});
