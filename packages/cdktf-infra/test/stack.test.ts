import { DataAwsIamOpenidConnectProvider } from '@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { describe, expect, it } from 'vitest';
import { BUILD_EXPIRY_TAG, exampleCluster as example, s3BuildsPrefix, workers } from '@lolice/node-model';
import { addImageBucket, configFromCluster, STATE_BACKEND } from '../src';
import { synthScope, synthStack } from './support/cdktf';

const BUCKET_REF = '${aws_s3_bucket.images.id}';
const { aws } = example;
const workerNames = workers(example).map((n) => n.name);

describe('the worker-node-images stack (cdktf Testing matchers)', () => {
  // GIVEN the example model WHEN the stack is synthesized
  const synth = synthStack();
  const tf = JSON.parse(synth);

  it('configures the AWS provider for the model region and account only', () => {
    expect(synth).toHaveProviderWithProperties(AwsProvider, {
      region: aws.region,
      allowed_account_ids: [aws.accountId],
    });
    expect(tf.provider.aws).toHaveLength(1);
  });

  it('keeps state in the S3 backend, encrypted, with S3-native locking, on Terraform >= 1.10', () => {
    expect(tf.terraform.backend).toEqual({ s3: { ...STATE_BACKEND, encrypt: true, use_lockfile: true } });
    expect(tf.terraform.required_version).toBe('>= 1.10');
    expect(tf.terraform.required_providers.aws.source).toBe('hashicorp/aws');
  });

  it('looks the GitHub OIDC provider up instead of creating it', () => {
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamOpenidConnectProvider, {
      url: 'https://token.actions.githubusercontent.com',
    });
    expect(tf.resource.aws_iam_openid_connect_provider).toBeUndefined();
  });

  it('creates the model role with an inline policy, and nothing attached besides', () => {
    expect(synth).toHaveResourceWithProperties(IamRole, { name: aws.roleName });
    expect(synth).toHaveResourceWithProperties(IamRolePolicy, { role: '${aws_iam_role.build_role.id}' });
    expect(Object.keys(tf.resource.aws_iam_role)).toEqual(['build_role']);
    expect(Object.keys(tf.resource.aws_iam_role_policy)).toHaveLength(1);
    expect(tf.resource.aws_iam_role.build_role.managed_policy_arns).toBeUndefined();
    expect(tf.resource.aws_iam_role.build_role.inline_policy).toBeUndefined();
  });

  it('creates the model bucket, versioned and encrypted with SSE-S3', () => {
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: aws.bucket });
    expect(synth).toHaveResourceWithProperties(S3BucketVersioningA, {
      bucket: BUCKET_REF,
      versioning_configuration: { status: 'Enabled' },
    });
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      bucket: BUCKET_REF,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
  });

  it('blocks every kind of public access and disables ACLs', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: BUCKET_REF,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(synth).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket: BUCKET_REF,
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
  });

  it('attaches the TLS-only bucket policy after the public-access block', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketPolicy, {
      bucket: BUCKET_REF,
      depends_on: ['aws_s3_bucket_public_access_block.images_public_access'],
    });
    const policy = JSON.parse(tf.resource.aws_s3_bucket_policy.images_tls_only.policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  it("expires each worker's dated builds carrying the expiry tag after 90 days, and their noncurrent versions a day later", () => {
    const builds = workerNames.map((node) => ({
      id: `expire-builds-${node}`,
      status: 'Enabled',
      filter: [
        {
          and: [
            { prefix: s3BuildsPrefix(aws.imagePrefix, node), tags: { [BUILD_EXPIRY_TAG.key]: BUILD_EXPIRY_TAG.value } },
          ],
        },
      ],
      expiration: [{ days: 90 }],
      noncurrent_version_expiration: [{ noncurrent_days: 1 }],
    }));
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket: BUCKET_REF,
      rule: [...builds, { id: 'expire-noncurrent-versions' }],
    });
    for (const rule of tf.resource.aws_s3_bucket_lifecycle_configuration.images_lifecycle.rule.slice(
      0,
      workerNames.length,
    )) {
      expect(Object.keys(rule).sort(), rule.id).toEqual([
        'expiration',
        'filter',
        'id',
        'noncurrent_version_expiration',
        'status',
      ]);
    }
  });

  it('expires noncurrent versions after 90 days, aborts stale uploads, and expires no current latest/ object', () => {
    const rules: {
      id: string;
      filter: { prefix?: string; and?: { prefix: string; tags: Record<string, string> }[] }[];
      expiration?: { days?: number }[];
    }[] = tf.resource.aws_s3_bucket_lifecycle_configuration.images_lifecycle.rule;
    expect(rules.find((r) => r.id === 'expire-noncurrent-versions')).toEqual({
      id: 'expire-noncurrent-versions',
      status: 'Enabled',
      filter: [{ prefix: `${aws.imagePrefix}/` }],
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
      expiration: [{ expired_object_delete_marker: true }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
    for (const rule of rules) {
      expect(rule.filter, rule.id).toHaveLength(1);
      const expiresCurrent = rule.expiration?.some((e) => e.days !== undefined) ?? false;
      // Only tagged objects of a builds/ prefix expire by age: never latest/, never the known-good build.
      if (expiresCurrent) {
        expect(
          workerNames.map((n) => s3BuildsPrefix(aws.imagePrefix, n)),
          rule.id,
        ).toContain(rule.filter[0].and?.[0].prefix);
        expect(rule.filter[0].and?.[0].tags, rule.id).toEqual({ [BUILD_EXPIRY_TAG.key]: BUILD_EXPIRY_TAG.value });
      }
    }
  });

  it('creates the lifecycle only after versioning', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket: BUCKET_REF,
      depends_on: ['aws_s3_bucket_versioning.images_versioning'],
    });
  });

  it('creates exactly the resources above, nothing else', () => {
    expect(Object.keys(tf.resource).sort()).toEqual([
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_s3_bucket',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_versioning',
    ]);
    for (const [type, byName] of Object.entries(tf.resource)) {
      expect(Object.keys(byName as object), type).toHaveLength(1);
    }
  });

  it('outputs the bucket and the role ARN the image workflow needs', () => {
    expect(tf.output.bucket_name.value).toBe('${aws_s3_bucket.images.bucket}');
    expect(tf.output.build_role_arn.value).toBe('${aws_iam_role.build_role.arn}');
  });
});

describe('addImageBucket on its own (Testing.synthScope)', () => {
  it('turns the Standard-IA transition on for dated builds only when configured', () => {
    // GIVEN a config with the transition after 30 days WHEN only the bucket is synthesized
    const config = configFromCluster(example, { standardIaTransitionDays: 30 });
    const tf = JSON.parse(synthScope((scope) => addImageBucket(scope, config)));
    // THEN every builds/ rule transitions, the version rule does not
    const rules: { id: string; transition?: unknown }[] =
      tf.resource.aws_s3_bucket_lifecycle_configuration.images_lifecycle.rule;
    for (const r of rules.filter((rule) => rule.id.startsWith('expire-builds-'))) {
      expect(r.transition, r.id).toEqual([{ days: 30, storage_class: 'STANDARD_IA' }]);
    }
    expect(rules.find((r) => r.id === 'expire-noncurrent-versions')?.transition).toBeUndefined();
  });

  it('transitions nothing by default', () => {
    const tf = JSON.parse(synthScope((scope) => addImageBucket(scope, configFromCluster(example))));
    expect(JSON.stringify(tf)).not.toContain('STANDARD_IA');
  });
});
