import { posix } from 'node:path';
import {
  BUILD_ID_PATTERN,
  BUILD_RECORD_VARS,
  imageWorkerNodes,
  LOCAL_BUILD_ID,
  packerConsoleLog,
  portMatch,
  type Cluster,
} from '@lolice/node-model';
import {
  attr,
  blank,
  block,
  bool,
  comment,
  file,
  inlineList,
  inlineText,
  list,
  num,
  object,
  raw,
  str,
  tmpl,
  type BodyItem,
} from './hcl';
import { shutdownCommand } from './seal';
import {
  ANSIBLE_PLAYBOOK_COMMAND,
  CONSOLE_LOG_VAR,
  HTTP_DIR,
  INSTALLER_CONSOLE_ARGS,
  OVMF,
  PACKER_DIR,
  PACKER_REQUIRED_VERSION,
  PLUGINS,
  rawImagePath,
  SECURE_BOOT_QEMU,
  SOURCE_NAME,
  TIMING,
  VM,
} from './settings';
import type { PackerLinks } from './types';

/**
 * GRUB command line of the 24.04 live-server ISO: the kernel with the NoCloud seed URL and the
 * serial console, before `---` so nothing is carried into the installed system.
 */
export const BOOT_COMMAND = [
  'c<wait>',
  `linux /casper/vmlinuz autoinstall 'ds=nocloud;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/' ${INSTALLER_CONSOLE_ARGS} ---<enter><wait5>`,
  'initrd /casper/initrd<enter><wait5>',
  'boot<enter>',
] as const;

const header = (c: Cluster): BodyItem[] => [
  comment(`Worker image of the ${c.name} cluster: Ubuntu Server ${c.image.ubuntuRelease} installed unattended`),
  comment('(Subiquity autoinstall, http/user-data) in a QEMU/KVM VM under OVMF, configured by'),
  comment('Ansible and sealed (k8s-worker.pkr.hcl). One template for every worker:'),
  comment(`  packer init ${PACKER_DIR} && packer build -var node_name=${imageWorkerNodes(c)[0].name} ${PACKER_DIR}`),
  comment('with PKR_VAR_build_password set to a fresh random password.'),
];

const packerBlock = (): BodyItem =>
  block(
    'packer',
    [],
    [
      attr('required_version', str(PACKER_REQUIRED_VERSION)),
      block(
        'required_plugins',
        [],
        Object.entries(PLUGINS).map(([name, p]) =>
          attr(name, object([attr('source', str(p.source)), attr('version', str(`= ${p.version}`))])),
        ),
      ),
    ],
  );

const variables = (c: Cluster): BodyItem[] => {
  const names = imageWorkerNodes(c).map((n) => n.name);
  return [
    block(
      'variable',
      ['node_name'],
      [
        attr('type', raw('string')),
        attr('description', str('Worker to build the image for, as the model names it.')),
        block(
          'validation',
          [],
          [
            attr('condition', raw(`contains(${inlineText(inlineList(names.map(str)))}, var.node_name)`)),
            attr('error_message', str(`The node_name must be a worker of the model: ${names.join(', ')}.`)),
          ],
        ),
      ],
    ),
    blank,
    block(
      'variable',
      ['build_password'],
      [
        attr('type', raw('string')),
        attr('sensitive', bool(true)),
        attr(
          'description',
          str(
            'Build-only password of the admin account (PKR_VAR_build_password, random per build). Only its bcrypt hash reaches the installer; the sealing step locks it.',
          ),
        ),
      ],
    ),
    blank,
    block(
      'variable',
      [CONSOLE_LOG_VAR],
      [
        attr('type', raw('string')),
        attr('default', str('')),
        attr(
          'description',
          str(
            "File the build VM's serial console is written to (kernel, installer, first boot); empty: console-<node>.log beside the templates.",
          ),
        ),
      ],
    ),
    blank,
    ...buildRecordVariables(),
    blank,
    block(
      'variable',
      ['ansible_playbook'],
      [
        attr('type', raw('string')),
        attr('default', str(ANSIBLE_PLAYBOOK_COMMAND)),
        attr(
          'description',
          str(
            'The ansible-playbook Packer runs, by path (Debian/Ubuntu package "ansible"), not the first one on PATH.',
          ),
        ),
      ],
    ),
  ];
};

/** A string variable with a default and a validation: either `alternative` or a full match of `pattern`. */
const checkedVariable = (name: string, fallback: string, pattern: string, description: string, error: string) =>
  block(
    'variable',
    [name],
    [
      attr('type', raw('string')),
      attr('default', str(fallback)),
      attr('description', str(description)),
      block(
        'validation',
        [],
        [
          attr(
            'condition',
            raw(
              `var.${name} == ${inlineText(str(fallback))} || (var.${name} != "" && regex_replace(var.${name}, ${inlineText(str(pattern))}, "") == "")`,
            ),
          ),
          attr('error_message', str(error)),
        ],
      ),
    ],
  );

/** The build's id and commit, recorded in the image (role build_record): the image workflow passes both. */
const buildRecordVariables = (): BodyItem[] => [
  checkedVariable(
    BUILD_RECORD_VARS.buildId,
    LOCAL_BUILD_ID,
    BUILD_ID_PATTERN,
    `Id of this build, YYYYMMDD-<sha7> (the image workflow's), recorded in the image; "${LOCAL_BUILD_ID}" for a build outside the workflow.`,
    `The ${BUILD_RECORD_VARS.buildId} must be YYYYMMDD-<7 hex digits> (as the image workflow makes it) or "${LOCAL_BUILD_ID}".`,
  ),
  blank,
  checkedVariable(
    BUILD_RECORD_VARS.gitCommit,
    '',
    '^[0-9a-f]{40}$',
    'Commit the image is built from (40 hex digits; the image workflow passes its GITHUB_SHA), recorded in the image; empty for a local build.',
    `The ${BUILD_RECORD_VARS.gitCommit} must be a full commit id (40 lowercase hex digits) or empty.`,
  ),
];

const locals = (c: Cluster): BodyItem =>
  block(
    'locals',
    [],
    [
      comment('The workers of the model (packages/node-model/src/lolice.ts), by node name: the address the image'),
      comment('configures (Ansible node_ip), its hardware profile, the port that carries the address, and its CPU.'),
      attr(
        'workers',
        object(
          imageWorkerNodes(c).map((n) =>
            attr(
              `"${n.name}"`,
              object([
                attr('ip', str(n.ip)),
                attr('hardware', str(n.hardware)),
                attr('port_match', object(Object.entries(portMatch(c, n)).map(([k, v]) => attr(k, str(v))))),
                attr('cpu', str(n.cpu ?? '')),
              ]),
            ),
          ),
        ),
      ),
      attr('node', raw('local.workers[var.node_name]')),
      attr(
        'console_log',
        raw(
          `var.${CONSOLE_LOG_VAR} != "" ? var.${CONSOLE_LOG_VAR} : "\${path.root}/${posix.relative(PACKER_DIR, packerConsoleLog('${var.node_name}'))}"`,
        ),
      ),
      attr('repo_root', raw('abspath("${path.root}/../..")')),
    ],
  );

const httpPath = (name: string) => `\${path.root}/${HTTP_DIR}/${name}`;

/** The repository's raw image path of the node being built, as Packer sees it: a directory beside the template and a file name. */
const builtImage = rawImagePath('${var.node_name}');
const outputDirectory = `\${path.root}/${posix.relative(PACKER_DIR, posix.dirname(builtImage))}`;

const source = (c: Cluster, links: PackerLinks): BodyItem =>
  block(
    'source',
    ['qemu', SOURCE_NAME],
    [
      comment(
        `Ubuntu Server ${c.image.ubuntuRelease} live-server, pinned by its published sha256; the mirrors are tried in order when a download fails.`,
      ),
      attr('iso_urls', list([c.image.isoUrl, ...(c.image.isoMirrorUrls ?? [])].map(str))),
      attr('iso_checksum', str(`sha256:${c.image.isoSha256}`)),
      blank,
      comment('One raw disk image, built and named once: output-<node>/<node>.img beside this file.'),
      attr('vm_name', tmpl(posix.basename(builtImage))),
      attr('output_directory', tmpl(outputDirectory)),
      attr('format', str('raw')),
      attr('disk_size', str(`${c.image.diskSizeGiB}G`)),
      attr('disk_discard', str('unmap')),
      blank,
      comment('KVM only: without it the install takes hours (GitHub runners need the udev rule for /dev/kvm).'),
      attr('accelerator', str('kvm')),
      attr('headless', bool(true)),
      comment('q35 with SMM, which the Secure Boot firmware requires. The plugin writes'),
      comment('"-machine type=<machine_type>,accel=<accelerator>", and a -machine in qemuargs would replace it whole.'),
      attr('machine_type', str(`${VM.machineType},${SECURE_BOOT_QEMU.machineOptions}`)),
      attr('cpu_model', str(VM.cpuModel)),
      attr('cpus', num(VM.cpus)),
      attr('memory', num(VM.memoryMiB)),
      blank,
      comment(
        'Installed under UEFI with Secure Boot enforced, as a mini PC leaves the factory (OVMF 4M Secure Boot build,',
      ),
      comment("Microsoft's keys enrolled): the ISO, and then the installed disk, boot only through the signed chain."),
      comment('The disk is hybrid: http/user-data lays out a BIOS boot partition and an ESP and installs GRUB for'),
      comment(
        "i386-pc and x86_64-efi (removable path). The VM's EFI variables are build state, not part of the image.",
      ),
      attr('efi_boot', bool(true)),
      attr('efi_firmware_code', str(OVMF.code)),
      attr('efi_firmware_vars', str(OVMF.vars)),
      attr('efi_drop_efivars', bool(true)),
      blank,
      comment(
        "The serial console (kernel, Subiquity, error-commands' installer logs) to a file: the evidence of a failed build.",
      ),
      comment(
        'The firmware flash writable only from SMM, as Secure Boot requires (the plugin adds the pflash drives).',
      ),
      attr(
        'qemuargs',
        list([
          inlineList([str('-serial'), tmpl('file:${local.console_log}')]),
          inlineList([str('-global'), str(SECURE_BOOT_QEMU.global)]),
        ]),
      ),
      blank,
      comment('user-data is a template: the hostname and the bcrypt hash of the build password are filled in here.'),
      attr(
        'http_content',
        object([
          attr(`"/${links.http.metaData}"`, raw(`file("${httpPath(links.http.metaData)}")`)),
          attr(
            `"/${links.http.userData}"`,
            raw(
              `templatefile("${httpPath(links.http.userData)}", { ${links.http.hostnameVar} = var.node_name, ${links.http.passwordHashVar} = bcrypt(var.build_password) })`,
            ),
          ),
        ]),
      ),
      blank,
      comment('GRUB menu of the ISO: "c" opens its command line, then boot the installer with the seed URL'),
      comment('(quoted: GRUB splits on ";") and "autoinstall", so Subiquity asks nothing.'),
      attr('boot_wait', str(TIMING.bootWait)),
      attr('boot_command', list(BOOT_COMMAND.map(str))),
      blank,
      comment(
        "SSH reaches the installed system after the installer's reboot (early-commands stop the installer's sshd).",
      ),
      attr('communicator', str('ssh')),
      attr('ssh_username', str(c.admin.user)),
      attr('ssh_password', raw('var.build_password')),
      attr('ssh_timeout', str(TIMING.sshTimeout)),
      attr('ssh_handshake_attempts', num(TIMING.sshHandshakeAttempts)),
      attr('shutdown_command', str(shutdownCommand(links.buildSudoersFile))),
      attr('shutdown_timeout', str(TIMING.shutdownTimeout)),
    ],
  );

/** `base-ubuntu.pkr.hcl`: the packer block, the variables, the worker map and the QEMU source. */
export const renderBase = (c: Cluster, links: PackerLinks): string =>
  file([...header(c), blank, packerBlock(), blank, ...variables(c), blank, locals(c), blank, source(c, links)]);
