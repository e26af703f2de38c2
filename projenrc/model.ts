import { loadModelFile, MODEL_FILE, ModelLoadError, ModelValidationError, type Cluster } from '@lolice/node-model';

/**
 * The validated model of the repository. On a model that cannot be loaded or breaks a rule,
 * this prints what is wrong (one line per problem, no stack trace) and exits non-zero before
 * projen has created a single file object, so nothing in the tree changes.
 */
export function loadCluster(root: string = process.cwd()): Cluster {
  try {
    return loadModelFile(root);
  } catch (error) {
    if (!(error instanceof ModelValidationError || error instanceof ModelLoadError)) throw error;
    process.stderr.write(`${error.message}\nNothing was written. Fix ${MODEL_FILE} and run "npx projen" again.\n`);
    process.exit(1);
  }
}
