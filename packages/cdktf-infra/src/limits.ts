import { ModelValidationError, type Cluster, type ValidationIssue } from '@lolice/node-model';
import { lifecycleRules } from './bucket';
import { configFromCluster } from './config';
import { roleDescription } from './github-role';
import { GITHUB_OIDC_HOST, imageWriterPolicy, trustPolicy, type PolicyDocument } from './policies';

/**
 * What IAM and S3 accept (IAM and STS quotas; S3's lifecycle configuration): a role description
 * of 1,000 characters, a role's inline policies of 10,240 characters together and its trust
 * policy of 2,048 (IAM counts neither without whitespace; the trust limit is the default quota),
 * 1,000 lifecycle rules per bucket.
 */
export const AWS_LIMITS = {
  roleDescription: 1000,
  roleInlinePolicies: 10_240,
  roleTrustPolicy: 2048,
  lifecycleRules: 1000,
} as const;

/** A policy's size as IAM counts it: its JSON without whitespace. */
export const policySize = (policy: PolicyDocument): number => JSON.stringify(policy).replace(/\s/g, '').length;

/** The ARN IAM sees where the rendered trust policy holds Terraform's reference to the looked-up provider. */
const providerArn = (accountId: string) => `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;

/**
 * What AWS would refuse of the stack a model gives, each in one issue naming the limit and the
 * number, at the model fields the value grows with.
 */
export function checkTerraformLimits(cluster: Cluster): ValidationIssue[] {
  const c = configFromCluster(cluster);
  const measured: [string, string, number, number, string][] = [
    [
      'aws',
      'iam-role-description',
      roleDescription(c).length,
      AWS_LIMITS.roleDescription,
      "the build role's description is {n} characters (it names aws.repository, aws.branch, aws.bucket and aws.imagePrefix); IAM allows {max}",
    ],
    [
      'aws',
      'iam-inline-policy-size',
      policySize(imageWriterPolicy(c)),
      AWS_LIMITS.roleInlinePolicies,
      "the build role's inline policy is {n} characters without whitespace (it names aws.bucket and aws.imagePrefix); IAM allows {max} per role",
    ],
    [
      'aws',
      'iam-trust-policy-size',
      policySize(trustPolicy(c, providerArn(c.accountId))),
      AWS_LIMITS.roleTrustPolicy,
      "the build role's trust policy is {n} characters without whitespace (it names aws.repository and aws.branch); IAM allows {max}",
    ],
    [
      'nodes',
      's3-lifecycle-rules',
      lifecycleRules(c).length,
      AWS_LIMITS.lifecycleRules,
      'the image bucket would have {n} lifecycle rules (one per worker and one more); S3 allows {max}',
    ],
  ];
  return measured
    .filter(([, , n, max]) => n > max)
    .map(([path, rule, n, max, text]) => ({
      path,
      rule,
      message: text.replace('{n}', n.toLocaleString('en')).replace('{max}', max.toLocaleString('en')),
    }));
}

/** Throws the issues of checkTerraformLimits, as the model's validation does. */
export function assertTerraformLimits(cluster: Cluster): void {
  const issues = checkTerraformLimits(cluster);
  if (issues.length > 0) throw new ModelValidationError(issues);
}
