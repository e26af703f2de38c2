import { BUILD_EXPIRY_TAG, s3BuildsPrefix, s3LatestPrefix } from '@lolice/node-model';
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

const document = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

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
 * The objects of every node's dated builds and of every node's `latest/`, as IAM resource
 * patterns: node-model's layout with `*` for the node (a node name has no `/`; IAM's `*` may
 * match one, which only reaches deeper keys of the same kind). A node's known-good pointer,
 * `<prefix>/<node>/known-good`, matches neither. The same two patterns for any number of workers:
 * the policy does not grow with the fleet (IAM caps a role's inline policies at 10,240 characters).
 */
const NODE_WILDCARD = '*';
export const buildObjects = (c: WorkerNodeImagesConfig): string =>
  `${bucketArn(c)}/${s3BuildsPrefix(c.imagePrefix, NODE_WILDCARD)}*`;
export const latestObjects = (c: WorkerNodeImagesConfig): string =>
  `${bucketArn(c)}/${s3LatestPrefix(c.imagePrefix, NODE_WILDCARD)}*`;

/**
 * What the build role may do: write the objects of a dated build and of `latest/` (multipart
 * uploads included), set the build expiry tag, and no other tag, on a dated build's objects, read
 * them back, and list keys under the image prefix. It may not write a node's known-good pointer
 * nor remove a tag: marking a build known-good takes the operator's own credentials.
 */
export function imageWriterPolicy(c: WorkerNodeImagesConfig): PolicyDocument {
  return document(
    {
      Sid: 'ReadWriteImages',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [buildObjects(c), latestObjects(c)],
    },
    {
      Sid: 'TagBuildsForExpiry',
      Effect: 'Allow',
      Action: 's3:PutObjectTagging',
      Resource: buildObjects(c),
      Condition: {
        StringEquals: { [`s3:RequestObjectTag/${BUILD_EXPIRY_TAG.key}`]: BUILD_EXPIRY_TAG.value },
        'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': [BUILD_EXPIRY_TAG.key] },
      },
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
