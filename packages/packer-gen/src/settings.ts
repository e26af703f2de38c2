/**
 * Build settings of the worker image that are not part of the cluster model:
 * tool versions, firmware paths, VM resources, timeouts and repository paths.
 */
import { ANSIBLE_CONFIG, WORKER_PLAYBOOK } from '@lolice/node-model';

/** Repository paths: the repository layout of node-model. */
export { PACKER_DIR, rawImagePath } from '@lolice/node-model';

/** The generated files, relative to PACKER_DIR. */
export const TEMPLATE_FILES = { base: 'base-ubuntu.pkr.hcl', build: 'k8s-worker.pkr.hcl' } as const;

/** Subdirectory of PACKER_DIR holding the files Packer serves to the installer (node-model's layout). */
export { PACKER_HTTP_SUBDIR as HTTP_DIR } from '@lolice/node-model';

/** Packer itself: HCL2 `required_plugins`, `http_content`, `templatefile()` and `bcrypt()`. */
export const PACKER_REQUIRED_VERSION = '>= 1.10.0';

/** Plugins, pinned to exact releases (`packer init` installs exactly these). */
export const PLUGINS = {
  ansible: { source: 'github.com/hashicorp/ansible', version: '1.1.5' },
  qemu: { source: 'github.com/hashicorp/qemu', version: '1.1.5' },
} as const;

/**
 * OVMF of Ubuntu 24.04 (GitHub's ubuntu-24.04 runners, package `ovmf`; only the 4M builds exist),
 * as a mini PC leaves the factory: the Secure Boot build of the firmware (it requires SMM) and a
 * variable store with Microsoft's keys enrolled and Secure Boot enabled (the plugin copies it per
 * build).
 */
export const OVMF = {
  code: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
  vars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
} as const;

/**
 * What OVMF's Secure Boot build needs of QEMU beyond the plugin's pflash drives: SMM on the q35
 * machine, and the firmware flash writable only from SMM (so the OS cannot rewrite the keys).
 */
export const SECURE_BOOT_QEMU = {
  machineOptions: 'smm=on',
  global: 'driver=cfi.pflash01,property=secure,value=on',
} as const;

/** The build VM. `host`: the runner's own CPU model under KVM (as kubernetes-sigs/image-builder builds), no emulated one. */
export const VM = { cpus: 2, memoryMiB: 4096, machineType: 'q35', cpuModel: 'host' } as const;

/**
 * Kernel arguments of the installer, before `---` (so they stay with the installer and are not
 * carried into the installed system): the kernel and Subiquity write to the serial console, which
 * QEMU writes to the console log (variable `console_log`) for a failed build's artifact.
 */
export const INSTALLER_CONSOLE_ARGS = 'console=tty1 console=ttyS0,115200n8';

/** The Ansible Packer runs, by path: not whichever `ansible-playbook` comes first on PATH (GitHub's runner image puts a pipx ansible-core first). */
export { BUILD_ANSIBLE_PLAYBOOK as ANSIBLE_PLAYBOOK_COMMAND } from '@lolice/node-model';

/** Timing of the unattended install and of Packer's SSH wait. */
export const TIMING = {
  /**
   * Until OVMF (q35, 4M pflash: slower to start than 2M) has shown the ISO's GRUB menu. The
   * menu waits 30 s: 20 s leaves room on both sides, where 10 s could type into a menu not yet drawn.
   */
  bootWait: '20s',
  /** Install + reboot: 15-30 min with KVM; generous for slow mirrors. */
  sshTimeout: '90m',
  /** Failed logins tolerated while the installer's own sshd may still answer. */
  sshHandshakeAttempts: 300,
  shutdownTimeout: '15m',
} as const;

/** Hand-written Ansible files the build runs (the repository layout of node-model). */
export const ANSIBLE = { config: ANSIBLE_CONFIG, workerPlaybook: WORKER_PLAYBOOK } as const;

/** Packer variables that only point at files (defaults in `locals`): where the serial console is logged. */
export const CONSOLE_LOG_VAR = 'console_log';

/** Name of the Packer source and build. */
export const SOURCE_NAME = 'worker';
export const BUILD_NAME = 'k8s-worker';

/** First-boot unit (Ansible role first_boot, same name there) that makes the SSH host keys the sealing step removes. */
export const SSH_HOST_KEYS_UNIT = 'lolice-ssh-host-keys.service';

/** sshd drop-in that turns password logins off in the finished image (sorts before cloud-init's 50-cloud-init.conf). */
export const SSHD_NO_PASSWORD_DROPIN = '/etc/ssh/sshd_config.d/10-no-password-login.conf';

/** The Ansible extra variables that carry the build's id and commit to worker.yml (its role build_record writes them into the image). */
export const BUILD_RECORD_ANSIBLE_VARS = { buildId: 'lolice_build_id', gitCommit: 'lolice_build_commit' } as const;
