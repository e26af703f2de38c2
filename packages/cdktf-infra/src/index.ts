export * from './types';
export {
  configFromCluster,
  STACK_NAME,
  TERRAFORM_DIR,
  STATE_BACKEND,
  DEFAULTS,
  MIN_STANDARD_IA_DAYS,
  buildsPrefix,
  bucketArn,
} from './config';
export {
  trustPolicy,
  imageWriterPolicy,
  buildObjects,
  latestObjects,
  tlsOnlyBucketPolicy,
  allowedSubject,
  GITHUB_OIDC_HOST,
  STS_AUDIENCE,
  type PolicyDocument,
  type PolicyStatement,
} from './policies';
export { lifecycleRules, addImageBucket } from './bucket';
export { addGitHubActionsRole, IMAGE_WRITER_POLICY_NAME, roleDescription } from './github-role';
export { checkTerraformLimits, AWS_LIMITS, policySize } from './limits';
export { terraformLiteral, terraformLiterals } from './terraform-literal';
export { WorkerNodeImagesStack, REQUIRED_TERRAFORM } from './stack';
export { render, synthesizeStack, canonicalize, TERRAFORM_FILE } from './render';
