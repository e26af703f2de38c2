import { Component, JsonFile, type Project } from 'projen';
import { render, TERRAFORM_DIR } from '@lolice/cdktf-infra';
import type { Cluster } from '@lolice/node-model';

/**
 * The synthesized Terraform of the AWS side (`generated/terraform/worker-node-images/`),
 * rendered in memory by `@lolice/cdktf-infra`. The projen marker is a root
 * `"//"` property, which Terraform's JSON syntax reads as a comment.
 */
export class WorkerNodeImagesTerraform extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'worker-node-images-terraform');
    for (const [path, obj] of Object.entries(render(cluster))) new JsonFile(project, path, { obj, marker: true });
    // What `terraform init` and `cdktf synth` leave behind is never committed.
    project.gitignore.exclude(
      `/${TERRAFORM_DIR}/.terraform/`,
      `/${TERRAFORM_DIR}/.terraform.lock.hcl`,
      '/packages/cdktf-infra/cdktf.out/',
    );
  }
}
