import { BUILD_RECORD_VARS, type Cluster } from '@lolice/node-model';
import { attr, blank, block, bool, comment, file, inlineList, list, raw, str, tmpl, type BodyItem } from './hcl';
import { sealScript } from './seal';
import { secureBootScript } from './secure-boot';
import { ANSIBLE, BUILD_NAME, BUILD_RECORD_ANSIBLE_VARS, SOURCE_NAME } from './settings';
import type { PackerLinks } from './types';

const fromRepo = (path: string) => `\${local.repo_root}/${path}`;

/** Ansible against the VM being built, through the inventory Packer writes for it (never the production one). */
const ansibleProvisioner = (c: Cluster, links: PackerLinks): BodyItem =>
  block(
    'provisioner',
    ['ansible'],
    [
      attr('playbook_file', tmpl(fromRepo(ANSIBLE.workerPlaybook))),
      attr('command', raw('var.ansible_playbook')),
      attr('user', str(c.admin.user)),
      attr('groups', inlineList([str(links.ansible.workerGroup)])),
      attr('host_alias', raw('var.node_name')),
      attr('ansible_env_vars', inlineList([tmpl(`ANSIBLE_CONFIG=${fromRepo(ANSIBLE.config)}`)])),
      comment("OpenSSH 9 clients copy files over SFTP: let Packer's SSH proxy speak it."),
      attr('use_sftp', bool(true)),
      comment(
        "The worker group variables of the model, then this node's address, hardware profile and port, the build's",
      ),
      comment(
        'id and commit (recorded in the image) and "inside an image build", as one JSON document (no value is split by a shell).',
      ),
      attr(
        'extra_arguments',
        list([
          str('--extra-vars'),
          tmpl(`@${fromRepo(links.ansible.workerGroupVars)}`),
          str('--extra-vars'),
          raw(
            `jsonencode({ node_ip = local.node.ip, hardware_profile = local.node.hardware, node_port_match = local.node.port_match, ${BUILD_RECORD_ANSIBLE_VARS.buildId} = var.${BUILD_RECORD_VARS.buildId}, ${BUILD_RECORD_ANSIBLE_VARS.gitCommit} = var.${BUILD_RECORD_VARS.gitCommit}, lolice_image_build = true })`,
          ),
        ]),
      ),
    ],
  );

/**
 * Before Ansible: cloud-init's first boot of the installed system restarts sshd, makes host keys
 * and holds the dpkg lock. `status --wait` returns 2 for "done, with recoverable errors".
 */
const cloudInitWait = (): BodyItem =>
  block(
    'provisioner',
    ['shell'],
    [
      attr('execute_command', str("sudo -n sh -eux '{{ .Path }}'")),
      attr('inline', list(['cloud-init status --wait --long || [ $? -eq 2 ]'].map(str))),
    ],
  );

/** The Secure Boot check, as root through the build-only sudo rule. */
const secureBootProvisioner = (): BodyItem =>
  block(
    'provisioner',
    ['shell'],
    [attr('execute_command', str("sudo -n sh -eux '{{ .Path }}'")), attr('inline', list(secureBootScript().map(str)))],
  );

/** The sealing script, as root through the build-only sudo rule. */
const sealProvisioner = (c: Cluster): BodyItem =>
  block(
    'provisioner',
    ['shell'],
    [attr('execute_command', str("sudo -n sh -eux '{{ .Path }}'")), attr('inline', list(sealScript(c).map(str)))],
  );

/** `k8s-worker.pkr.hcl`: install (the source), configure as a worker with Ansible, check Secure Boot, seal. */
export const renderBuild = (c: Cluster, links: PackerLinks): string =>
  file([
    comment(`Build of the ${c.name} worker image from the source in base-ubuntu.pkr.hcl: Ansible configures the`),
    comment('VM as a worker, then the sealing script makes it a clean image for any node (new machine-id and SSH'),
    comment('host keys on first boot, no build credential left).'),
    blank,
    block(
      'build',
      [],
      [
        attr('name', str(BUILD_NAME)),
        attr('sources', inlineList([str(`source.qemu.${SOURCE_NAME}`)])),
        blank,
        comment('Wait for cloud-init of the installed system before anything connects for real.'),
        cloudInitWait(),
        blank,
        ansibleProvisioner(c, links),
        blank,
        comment(
          'Secure Boot stays on: enforced in this VM, the signed shim and GRUB on EFI/BOOT, no DKMS or unsigned module.',
        ),
        secureBootProvisioner(),
        blank,
        comment(
          'Seal the image: runs as root through the build-only sudo rule of the install, which the shutdown command removes.',
        ),
        sealProvisioner(c),
      ],
    ),
  ]);
