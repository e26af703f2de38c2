import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addImageBucket } from './bucket';
import { STACK_NAME } from './config';
import { addGitHubActionsRole } from './github-role';
import { terraformLiterals } from './terraform-literal';
import type { WorkerNodeImagesConfig } from './types';

/** Oldest Terraform that reads this stack: `use_lockfile` (S3-native state locking) arrived in 1.10. */
export const REQUIRED_TERRAFORM = '>= 1.10';

/**
 * The AWS side of the worker-node image pipeline: the private image bucket
 * and the role GitHub Actions assumes to upload into it.
 */
export class WorkerNodeImagesStack extends TerraformStack {
  constructor(scope: Construct, values: WorkerNodeImagesConfig, id: string = STACK_NAME) {
    super(scope, id);
    // Every string of the config is a Terraform literal from here on: `${` and `%{` escaped.
    const config = terraformLiterals(values);

    new AwsProvider(this, 'aws', {
      region: config.region,
      allowedAccountIds: [config.accountId],
      defaultTags: [{ tags: { ...config.tags } }],
    });
    const backend = new S3Backend(this, { ...config.backend, encrypt: true });
    backend.addOverride('use_lockfile', true);
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM);
    // cdktf writes the short form "aws"; spell out the registry namespace.
    this.addOverride('terraform.required_providers.aws.source', 'hashicorp/aws');

    const bucket = addImageBucket(this, config);
    const role = addGitHubActionsRole(this, config);

    new TerraformOutput(this, 'bucket_name', {
      value: bucket.bucket,
      description: 'Bucket the image workflow uploads to',
    });
    new TerraformOutput(this, 'build_role_arn', {
      value: role.arn,
      description: 'role-to-assume of the image workflow',
    });
  }
}
