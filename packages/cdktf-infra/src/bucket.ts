import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { Construct } from 'constructs';
import { BUILD_EXPIRY_TAG } from '@lolice/node-model';
import { buildsPrefix } from './config';
import { tlsOnlyBucketPolicy } from './policies';
import type { WorkerNodeImagesConfig } from './types';

/** Days an expired build's noncurrent version is kept: S3's minimum. */
export const EXPIRED_BUILD_NONCURRENT_DAYS = 1;

/**
 * Lifecycle of the image bucket (the S3 layout contract):
 * - one rule per worker: objects under `<prefix>/<node>/builds/` that carry the
 *   build expiry tag (node-model's `BUILD_EXPIRY_TAG`: the image workflow sets it on upload, marking a
 *   build known-good removes it, so the known-good build never expires) expire after
 *   `buildRetentionDays` (S3 filters cannot wildcard the node, hence one each;
 *   noncurrent-version expiry alone would never fire on keys unique per build);
 *   with `standardIaTransitionDays` set they move to Standard-IA first; the
 *   noncurrent version an expiry leaves behind goes one day later (a build's key
 *   is never overwritten, so nothing else there is noncurrent);
 * - one rule for the whole image prefix: noncurrent versions (the overwritten
 *   `latest/` objects) expire after
 *   `noncurrentRetentionDays`, delete markers left alone are removed, and
 *   unfinished multipart uploads are aborted.
 * No rule expires current objects under `<node>/latest/`: they are kept.
 */
export function lifecycleRules(c: WorkerNodeImagesConfig): S3BucketLifecycleConfigurationRule[] {
  const builds = c.workers.map((node): S3BucketLifecycleConfigurationRule => ({
    id: `expire-builds-${node}`,
    status: 'Enabled',
    filter: [{ and: [{ prefix: buildsPrefix(c, node), tags: { [BUILD_EXPIRY_TAG.key]: BUILD_EXPIRY_TAG.value } }] }],
    expiration: [{ days: c.buildRetentionDays }],
    noncurrentVersionExpiration: [{ noncurrentDays: EXPIRED_BUILD_NONCURRENT_DAYS }],
    ...(c.standardIaTransitionDays === undefined
      ? {}
      : { transition: [{ days: c.standardIaTransitionDays, storageClass: 'STANDARD_IA' }] }),
  }));
  const versions: S3BucketLifecycleConfigurationRule = {
    id: 'expire-noncurrent-versions',
    status: 'Enabled',
    filter: [{ prefix: `${c.imagePrefix}/` }],
    noncurrentVersionExpiration: [{ noncurrentDays: c.noncurrentRetentionDays }],
    expiration: [{ expiredObjectDeleteMarker: true }],
    abortIncompleteMultipartUpload: [{ daysAfterInitiation: c.abortIncompleteUploadDays }],
  };
  return [...builds, versions];
}

/**
 * The private image bucket: versioned, encrypted at rest with S3-managed keys
 * (SSE-S3, so the build role needs no KMS permission), every public-access
 * flag on, ACLs disabled (BucketOwnerEnforced), TLS-only, and the lifecycle above.
 */
export function addImageBucket(scope: Construct, c: WorkerNodeImagesConfig): S3Bucket {
  const bucket = new S3Bucket(scope, 'images', { bucket: c.bucket });
  const versioning = new S3BucketVersioningA(scope, 'images_versioning', {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, 'images_encryption', {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
  });
  const publicAccess = new S3BucketPublicAccessBlock(scope, 'images_public_access', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'images_ownership', {
    bucket: bucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  new S3BucketPolicy(scope, 'images_tls_only', {
    bucket: bucket.id,
    policy: JSON.stringify(tlsOnlyBucketPolicy(c)),
    // S3 rejects policy writes that race the public-access block.
    dependsOn: [publicAccess],
  });
  new S3BucketLifecycleConfiguration(scope, 'images_lifecycle', {
    bucket: bucket.id,
    rule: lifecycleRules(c),
    // Noncurrent-version rules need versioning in place first.
    dependsOn: [versioning],
  });
  return bucket;
}
