import { bucketArn } from './config';
import type { WorkerNodeImagesConfig } from './types';

/** The issuer of GitHub Actions' OIDC tokens; also the IAM OIDC provider's URL without scheme. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The audience `aws-actions/configure-aws-credentials` requests. */
export const STS_AUDIENCE = 'sts.amazonaws.com';

/** One IAM policy statement, as IAM's JSON spells it. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | { readonly Federated: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

const document = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });

/** The one `sub` claim allowed: a push or dispatch on the model's branch of the model's repository. */
export const allowedSubject = (c: WorkerNodeImagesConfig): string => `repo:${c.repository}:ref:refs/heads/${c.branch}`;

/**
 * Trust policy of the build role: only GitHub's OIDC provider, only tokens
 * minted for STS, only the one repository and branch (exact match, no wildcard).
 */
export function trustPolicy(c: WorkerNodeImagesConfig, oidcProviderArn: string): PolicyDocument {
  return document({
    Sid: 'GitHubActionsOnBranch',
    Effect: 'Allow',
    Principal: { Federated: oidcProviderArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
        [`${GITHUB_OIDC_HOST}:sub`]: allowedSubject(c),
      },
    },
  });
}

/**
 * What the build role may do: read and write objects under the image prefix
 * (multipart uploads and server-side copies included) and list keys under it.
 */
export function imageWriterPolicy(c: WorkerNodeImagesConfig): PolicyDocument {
  return document(
    {
      Sid: 'ReadWriteImages',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `${bucketArn(c)}/${c.imagePrefix}/*`,
    },
    {
      Sid: 'ListImages',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(c),
      Condition: { StringLike: { 's3:prefix': `${c.imagePrefix}/*` } },
    },
  );
}

/** Bucket policy: every request over plain HTTP is denied, whoever makes it. */
export function tlsOnlyBucketPolicy(c: WorkerNodeImagesConfig): PolicyDocument {
  return document({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn(c), `${bucketArn(c)}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
}
