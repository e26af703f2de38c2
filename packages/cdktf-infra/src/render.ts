import { Construct } from 'constructs';
import type { Cluster } from '@lolice/node-model';
import { configFromCluster, TERRAFORM_DIR } from './config';
import { assertTerraformLimits } from './limits';
import { WorkerNodeImagesStack } from './stack';
import type { TerraformFiles, TerraformJson, WorkerNodeImagesOptions } from './types';

/** File name of the synthesized stack inside `TERRAFORM_DIR`. */
export const TERRAFORM_FILE = 'main.tf.json';

/**
 * Drops cdktf's `"//"` metadata (cdktf version, construct paths, stack traces)
 * at every level and sorts object keys, so the document depends on the model
 * alone, not on the cdktf release or the order constructs were added in.
 * Arrays keep their order: it is meaningful (lifecycle rules, statements).
 */
export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value)
    .filter(([key]) => key !== '//')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, v]) => [key, canonicalize(v)]));
}

/**
 * Synthesizes a stack in memory: the same steps as `app.synth()` (backend
 * check, token resolution, validations) minus the output directory and the
 * manifest. No file system, clock or environment is read.
 */
export function synthesizeStack(stack: WorkerNodeImagesStack): TerraformJson {
  stack.prepareStack();
  stack.runAllValidations();
  return canonicalize(stack.toTerraform()) as TerraformJson;
}

/**
 * The Terraform of the worker-node-images stack, keyed by repository path.
 * Pure: the stack hangs off a bare construct root, not a cdktf `App` (whose
 * constructor creates an output directory and reads environment variables). Throws, as a
 * ModelValidationError, what AWS would refuse (`checkTerraformLimits`).
 */
export function render(cluster: Cluster, options?: WorkerNodeImagesOptions): TerraformFiles {
  assertTerraformLimits(cluster);
  const root = new Construct(undefined as unknown as Construct, '');
  const stack = new WorkerNodeImagesStack(root, configFromCluster(cluster, options));
  return { [`${TERRAFORM_DIR}/${TERRAFORM_FILE}`]: synthesizeStack(stack) };
}
