import { checkTerraformLimits } from '@lolice/cdktf-infra';
import {
  loadModelFile,
  MODEL_FILE,
  ModelLoadError,
  ModelValidationError,
  type Cluster,
  type ConsumerCheck,
} from '@lolice/node-model';
import { checkWorkflowLimits } from '@lolice/workflow-gen';

/**
 * The limits of what the generators make of a valid model, each checked by the package that
 * makes it: the IAM role and the bucket's lifecycle (AWS), the workflows' matrices (GitHub).
 */
export const CONSUMER_CHECKS: readonly ConsumerCheck[] = [checkTerraformLimits, checkWorkflowLimits];

/**
 * The validated model of the repository. On a model that cannot be loaded, breaks a rule or makes
 * an artifact over a consumer's limit, this prints what is wrong (one line per problem, no stack
 * trace) and exits non-zero before projen has created a single file object, so nothing in the
 * tree changes.
 */
export function loadCluster(root: string = process.cwd()): Cluster {
  try {
    return loadModelFile(root, MODEL_FILE, CONSUMER_CHECKS);
  } catch (error) {
    if (!(error instanceof ModelValidationError || error instanceof ModelLoadError)) throw error;
    process.stderr.write(`${error.message}\nNothing was written. Fix ${MODEL_FILE} and run "npx projen" again.\n`);
    process.exit(1);
  }
}
