import { DataAwsIamOpenidConnectProvider } from '@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Construct } from 'constructs';
import { GITHUB_OIDC_HOST, imageWriterPolicy, trustPolicy } from './policies';
import type { WorkerNodeImagesConfig } from './types';

/** Name of the build role's inline policy. */
export const IMAGE_WRITER_POLICY_NAME = 'worker-node-images-s3';

/** The build role's description: who assumes it, for which bucket and prefix. */
export const roleDescription = (c: WorkerNodeImagesConfig): string =>
  `GitHub Actions (${c.repository}, branch ${c.branch}) builds worker-node images into s3://${c.bucket}/${c.imagePrefix}/`;

/**
 * The role the image workflow assumes through GitHub's OIDC provider.
 *
 * The provider itself is looked up, not created: an account has exactly one
 * IAM OIDC provider per issuer URL, the boxp/arch account already has the
 * GitHub one, and its other roles trust it. Creating it here would fail
 * (EntityAlreadyExists), and owning it would let `destroy` of this stack
 * break every other GitHub Actions role. The lookup also makes `plan` fail
 * loudly in an account where the provider is missing.
 */
export function addGitHubActionsRole(scope: Construct, c: WorkerNodeImagesConfig): IamRole {
  const github = new DataAwsIamOpenidConnectProvider(scope, 'github_actions', { url: `https://${GITHUB_OIDC_HOST}` });
  const role = new IamRole(scope, 'build_role', {
    name: c.roleName,
    description: roleDescription(c),
    assumeRolePolicy: JSON.stringify(trustPolicy(c, github.arn)),
  });
  new IamRolePolicy(scope, 'build_role_images', {
    name: IMAGE_WRITER_POLICY_NAME,
    role: role.id,
    policy: JSON.stringify(imageWriterPolicy(c)),
  });
  return role;
}
