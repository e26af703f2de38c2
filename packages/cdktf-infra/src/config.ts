import { s3BuildsPrefix, TERRAFORM_STACK as STACK_NAME, workers, type Cluster } from '@lolice/node-model';
import type { StateBackendConfig, WorkerNodeImagesConfig, WorkerNodeImagesOptions } from './types';

/** The stack's id and the folder of its committed, synthesized Terraform: the repository layout of node-model. */
export { TERRAFORM_DIR, TERRAFORM_STACK as STACK_NAME } from '@lolice/node-model';

/**
 * The state lives beside the account's other Terraform stacks: boxp/arch keeps
 * every stack's state in the `tfaction-state` bucket under `aws/<stack>/v1/`.
 * The bucket exists already; this stack does not create it.
 */
export const STATE_BACKEND: StateBackendConfig = {
  bucket: 'tfaction-state',
  key: `aws/${STACK_NAME}/v1/terraform.tfstate`,
  region: 'ap-northeast-1',
};

/** Defaults of the choices the model does not hold. */
export const DEFAULTS = {
  /** The S3 layout contract: dated builds expire after 90 days. */
  buildRetentionDays: 90,
  /** The S3 layout contract: noncurrent versions expire after 90 days. */
  noncurrentRetentionDays: 90,
  /** `aws s3 cp` uploads images in parts; the role may not abort, the lifecycle does. */
  abortIncompleteUploadDays: 7,
} as const;

/** S3 refuses a Standard-IA transition earlier than this many days after creation. */
export const MIN_STANDARD_IA_DAYS = 30;

/** The stack's typed configuration from the validated model plus the few choices it does not hold. */
export function configFromCluster(cluster: Cluster, options: WorkerNodeImagesOptions = {}): WorkerNodeImagesConfig {
  const { aws } = cluster;
  const config: WorkerNodeImagesConfig = {
    accountId: aws.accountId,
    region: aws.region,
    bucket: aws.bucket,
    imagePrefix: aws.imagePrefix,
    workers: workers(cluster).map((n) => n.name),
    roleName: aws.roleName,
    repository: aws.repository,
    branch: aws.branch,
    buildRetentionDays: options.buildRetentionDays ?? DEFAULTS.buildRetentionDays,
    noncurrentRetentionDays: options.noncurrentRetentionDays ?? DEFAULTS.noncurrentRetentionDays,
    abortIncompleteUploadDays: options.abortIncompleteUploadDays ?? DEFAULTS.abortIncompleteUploadDays,
    standardIaTransitionDays: options.standardIaTransitionDays,
    tags: { Cluster: cluster.name, Repository: aws.repository, ManagedBy: `cdktf-infra/${STACK_NAME}` },
    backend: options.backend ?? STATE_BACKEND,
  };
  checkConfig(config);
  return config;
}

/** Rejects day counts S3 would reject at apply time, naming the field. */
function checkConfig(c: WorkerNodeImagesConfig): void {
  const days = ['buildRetentionDays', 'noncurrentRetentionDays', 'abortIncompleteUploadDays'] as const;
  for (const field of days) {
    if (!Number.isInteger(c[field]) || c[field] < 1) {
      throw new Error(`${field}: ${c[field]} is not a whole number of days >= 1`);
    }
  }
  const ia = c.standardIaTransitionDays;
  if (ia === undefined) return;
  if (!Number.isInteger(ia) || ia < MIN_STANDARD_IA_DAYS || ia >= c.buildRetentionDays) {
    throw new Error(
      `standardIaTransitionDays: ${ia} must be a whole number from ${MIN_STANDARD_IA_DAYS} to ${c.buildRetentionDays - 1} (before the builds expire)`,
    );
  }
}

/** Key prefix of one worker's dated builds, e.g. "images/x86_64/golyat-1/builds/". */
export const buildsPrefix = (c: WorkerNodeImagesConfig, node: string): string => s3BuildsPrefix(c.imagePrefix, node);

/** ARN of the image bucket. */
export const bucketArn = (c: WorkerNodeImagesConfig): string => `arn:aws:s3:::${c.bucket}`;
