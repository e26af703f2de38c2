import type { Cluster } from '@lolice/node-model';
import { SSH_HOST_KEYS_UNIT, SSHD_NO_PASSWORD_DROPIN } from './settings';

/** One step of the sealing script: why, then the shell lines. */
interface SealStep {
  readonly why: string;
  readonly lines: readonly string[];
}

/** `cat > path <<'EOF' ... EOF`: writes a file verbatim. */
const writeFile = (path: string, content: readonly string[]): string[] => [`cat > ${path} <<'EOF'`, ...content, 'EOF'];

/**
 * The sealing script, run as root (sudo) after Ansible: every node flashed
 * from the image starts as a new machine and no build credential works.
 */
export const sealSteps = (c: Cluster): SealStep[] => [
  {
    why: 'cloud-init runs again on first boot as a new instance; the installer config holds the build user and its password hash',
    lines: ['cloud-init clean --logs', 'rm -f /etc/cloud/cloud.cfg.d/99-installer.cfg'],
  },
  {
    why: 'empty machine-id: systemd generates a new one on first boot (DHCP client ids, journal)',
    lines: ['truncate -s 0 /etc/machine-id'],
  },
  {
    why: `no shared SSH host keys: removed only when Ansible (role first_boot) has enabled ${SSH_HOST_KEYS_UNIT}, which makes new ones before sshd starts`,
    lines: [`systemctl is-enabled --quiet ${SSH_HOST_KEYS_UNIT}`, 'rm -f /etc/ssh/ssh_host_*'],
  },
  {
    why: `build credentials: password SSH off, ${c.admin.user}'s build password locked, install logs that may hold its hash removed`,
    lines: [
      ...writeFile(SSHD_NO_PASSWORD_DROPIN, ['PasswordAuthentication no', 'KbdInteractiveAuthentication no']),
      'rm -f /etc/ssh/sshd_config.d/50-cloud-init.conf',
      `passwd -l ${c.admin.user}`,
      'rm -rf /var/log/installer',
    ],
  },
  {
    why: 'smaller image: package cache and build journal gone, free blocks discarded (holes in the raw file)',
    lines: ['apt-get clean', 'journalctl --rotate', 'journalctl --vacuum-time=1s', 'fstrim --all --verbose || true'],
  },
];

/** The script as Packer's `inline` lines, each step introduced by its reason as a comment. */
export const sealScript = (c: Cluster): string[] => sealSteps(c).flatMap((step) => [`# ${step.why}`, ...step.lines]);

/**
 * Packer's shutdown command: deletes the build-only sudoers drop-in (the last
 * build credential) in the same sudo call that powers the VM off.
 */
export const shutdownCommand = (buildSudoersFile: string): string =>
  `sudo -n sh -c 'rm -f ${buildSudoersFile} && systemctl poweroff'`;
