import { describe, expect, it } from 'vitest';
import { exampleCluster as example, ModelValidationError, workers, type Cluster } from '@lolice/node-model';
import { variant } from '../../../test/lib/model';
import { AWS_LIMITS, checkTerraformLimits, render } from '../src';
import { synthStack } from './support/cdktf';

/**
 * What AWS refuses at `terraform apply`, refused when the model is made: GIVEN a variant of the
 * example model, WHEN the stack's limits are checked, THEN one issue per limit, naming it and the
 * number. The sizes are measured on the rendered Terraform, as AWS would receive them.
 */
type Tf = Record<string, any>;
const tfOf = (c: Cluster): Tf => Object.values(render(c))[0] as Tf;
const role = (c: Cluster) => tfOf(c).resource.aws_iam_role.build_role;
/** A policy's size as IAM counts it: without whitespace. */
const size = (json: string) => json.replace(/\s/g, '').length;
const fmt = (n: number) => n.toLocaleString('en');

/** The example model with `n` workers: copies of its first worker under new names. */
const withWorkers = (n: number): Cluster =>
  variant(example, (c) => {
    const first = c.nodes.find((x) => x.role === 'worker')!;
    const others = c.nodes.filter((x) => x.role !== 'worker');
    c.nodes = [...others, ...Array.from({ length: n }, (_, i) => ({ ...first, name: `${first.name}-${i}` }))];
  });

describe("the build role's description (IAM: 1,000 characters)", () => {
  const base = role(variant(example, (c) => (c.aws.branch = 'b'))).description.length - 1;
  const withBranchOf = (length: number) => variant(example, (c) => (c.aws.branch = 'b'.repeat(length)));

  it('accepts a description of exactly 1,000 characters', () => {
    const model = withBranchOf(AWS_LIMITS.roleDescription - base);
    expect(role(model).description).toHaveLength(1000);
    expect(checkTerraformLimits(model)).toEqual([]);
  });

  it('refuses 1,001 in one line naming the limit and the number; render throws it', () => {
    const model = withBranchOf(AWS_LIMITS.roleDescription + 1 - base);
    expect(checkTerraformLimits(model)).toEqual([
      {
        path: 'aws',
        rule: 'iam-role-description',
        message: `the build role's description is 1,001 characters (it names aws.repository, aws.branch, aws.bucket and aws.imagePrefix); IAM allows 1,000`,
      },
    ]);
    expect(() => tfOf(model)).toThrow(ModelValidationError);
  });
});

describe("the build role's trust policy (IAM: 2,048 characters without whitespace)", () => {
  it('refuses a branch that makes it longer, naming the size', () => {
    const model = variant(example, (c) => (c.aws.branch = 'b'.repeat(2000)));
    const issues = checkTerraformLimits(model);
    expect(issues.map((i) => i.rule)).toEqual(['iam-role-description', 'iam-trust-policy-size']);
    // the synthesized trust policy names the provider by a Terraform reference; IAM sees its ARN
    const trust = JSON.parse(synthStack(model)).resource.aws_iam_role.build_role.assume_role_policy;
    const reference = '${data.aws_iam_openid_connect_provider.github_actions.arn}';
    const arn = `arn:aws:iam::${example.aws.accountId}:oidc-provider/token.actions.githubusercontent.com`;
    const measured = size(trust.replace(reference, arn));
    expect(measured).toBeGreaterThan(2048);
    expect(issues[1].message).toBe(
      `the build role's trust policy is ${fmt(measured)} characters without whitespace (it names aws.repository and aws.branch); IAM allows 2,048`,
    );
  });
});

describe("the build role's inline policy (IAM: 10,240 characters per role, without whitespace)", () => {
  const policyOf = (c: Cluster) => size(tfOf(c).resource.aws_iam_role_policy.build_role_images.policy);

  it('does not grow with the fleet: 60 workers (the old rendering passed the limit at about 49) give the same size', () => {
    expect(policyOf(withWorkers(60))).toBe(policyOf(example));
    expect(policyOf(example)).toBeLessThan(AWS_LIMITS.roleInlinePolicies);
    expect(checkTerraformLimits(withWorkers(60))).toEqual([]);
  });

  it('refuses an image prefix that makes it longer, naming the size (node-model refuses such a prefix first: S3 keys)', () => {
    const model = variant(example, (c) => (c.aws.imagePrefix = `p/${'a'.repeat(3000)}`));
    const issues = checkTerraformLimits(model).filter((i) => i.rule === 'iam-inline-policy-size');
    const short = JSON.parse(synthStack(variant(example, (c) => (c.aws.imagePrefix = 'p/a'))));
    const measured = size(short.resource.aws_iam_role_policy.build_role_images.policy);
    // four mentions of the prefix (two object patterns, the tagging pattern, the listing condition)
    const expected = measured + 4 * 2999;
    expect(issues).toEqual([
      {
        path: 'aws',
        rule: 'iam-inline-policy-size',
        message: `the build role's inline policy is ${fmt(expected)} characters without whitespace (it names aws.bucket and aws.imagePrefix); IAM allows 10,240 per role`,
      },
    ]);
  });
});

describe('the lifecycle rules of the image bucket (S3: 1,000 per bucket)', () => {
  it('accepts 999 workers (999 + 1 rules) and refuses 1,000, naming the count', () => {
    expect(checkTerraformLimits(withWorkers(999))).toEqual([]);
    expect(checkTerraformLimits(withWorkers(1000))).toEqual([
      {
        path: 'nodes',
        rule: 's3-lifecycle-rules',
        message: 'the image bucket would have 1,001 lifecycle rules (one per worker and one more); S3 allows 1,000',
      },
    ]);
    expect(workers(withWorkers(1000))).toHaveLength(1000);
  });
});
