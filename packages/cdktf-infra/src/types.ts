/** Where Terraform keeps the stack's state: an S3 backend with S3-native locking. */
export interface StateBackendConfig {
  /** Existing bucket that holds Terraform state (not created by this stack). */
  readonly bucket: string;
  /** Object key of this stack's state. */
  readonly key: string;
  /** Region of the state bucket. */
  readonly region: string;
}

/**
 * Everything the worker-node-images stack needs, in one typed object.
 * Built from the model by `configFromCluster`; nothing else reaches the stack.
 */
export interface WorkerNodeImagesConfig {
  /** The only AWS account the provider may act in (`allowed_account_ids`). */
  readonly accountId: string;
  readonly region: string;
  /** Name of the image bucket. */
  readonly bucket: string;
  /** Key prefix of the images without slashes at either end, e.g. "images/x86_64". */
  readonly imagePrefix: string;
  /** Worker node names: one `builds/` expiry rule each. */
  readonly workers: readonly string[];
  /** IAM role the image workflow assumes. */
  readonly roleName: string;
  /** GitHub repository ("owner/name") allowed to assume the role. */
  readonly repository: string;
  /** The one branch of that repository allowed to assume the role. */
  readonly branch: string;
  /** Days after which a dated build under `<node>/builds/` expires. */
  readonly buildRetentionDays: number;
  /** Days after which a noncurrent object version expires. */
  readonly noncurrentRetentionDays: number;
  /** Days after which an unfinished multipart upload is aborted. */
  readonly abortIncompleteUploadDays: number;
  /** Days after which dated builds move to S3 Standard-IA; `undefined` keeps them in Standard. */
  readonly standardIaTransitionDays?: number;
  /** Tags every resource of the stack carries (provider `default_tags`). */
  readonly tags: Readonly<Record<string, string>>;
  readonly backend: StateBackendConfig;
}

/** Choices the model does not hold; each has a default in `config.ts`. */
export interface WorkerNodeImagesOptions {
  /** @default 90 (the S3 layout contract) */
  readonly buildRetentionDays?: number;
  /** @default 90 (the S3 layout contract) */
  readonly noncurrentRetentionDays?: number;
  /** @default 7 */
  readonly abortIncompleteUploadDays?: number;
  /** @default undefined: no Standard-IA transition */
  readonly standardIaTransitionDays?: number;
  /** @default STATE_BACKEND */
  readonly backend?: StateBackendConfig;
}

/** A Terraform JSON document (`*.tf.json`), as a plain object. */
export type TerraformJson = { readonly [key: string]: unknown };

/** Repository path → Terraform JSON document (serialized by the projen component). */
export type TerraformFiles = Readonly<Record<string, TerraformJson>>;
