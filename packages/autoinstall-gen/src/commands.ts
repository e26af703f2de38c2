import type { Cluster } from '@lolice/node-model';
import { BUILD_SUDOERS_FILE, ESP_DIR, SIGNED_BOOT } from './settings';
import type { InstallerCommand } from './types';

/** Commands run in the installer before anything else. */
export const earlyCommands = (): InstallerCommand[] => [
  {
    run: ['systemctl', 'stop', 'ssh.socket', 'ssh.service'],
    why: "The live installer runs its own sshd: stop it so Packer's SSH waits for the installed system after the reboot instead of logging in to the installer",
  },
];

/** `curtin in-target`: runs a command chrooted into the installed system (/target). */
const inTarget = (...argv: string[]): string => ['curtin', 'in-target', '--target=/target', '--', ...argv].join(' ');

/**
 * POSIX sh, run as root in the installed system, that fails unless the ESP's removable path holds
 * the signed shim and the signed GRUB byte for byte. The late-command runs it in the target;
 * packer-gen's build runs it again in the booted build VM.
 */
export const signedBootCheck = (): string =>
  `cmp ${SIGNED_BOOT.shim} ${ESP_DIR}/${SIGNED_BOOT.removableShim} && cmp ${SIGNED_BOOT.grub} ${ESP_DIR}/${SIGNED_BOOT.removableGrub} || ` +
  `{ echo "${ESP_DIR}/EFI/BOOT does not hold the signed shim and GRUB: grub-install wrote an unsigned image (are shim-signed and grub-efi-amd64-signed installed?)" >&2; exit 1; }`;

/** Commands run after the install, before the reboot. */
export const lateCommands = (c: Cluster): InstallerCommand[] => [
  {
    run:
      'set -eu; root_dev=$(findmnt -no SOURCE /target); disk=/dev/$(lsblk -no PKNAME "$root_dev"); ' +
      inTarget('grub-install', '--target=i386-pc', '"$disk"'),
    why: 'Curtin installs GRUB only for the firmware the installer booted with (UEFI here): add i386-pc boot code to the disk holding / (its BIOS boot partition) so BIOS machines boot the image too',
  },
  {
    run: inTarget(
      'grub-install',
      '--target=x86_64-efi',
      `--efi-directory=${ESP_DIR}`,
      '--removable',
      '--no-nvram',
      '--uefi-secure-boot',
    ),
    why: 'UEFI firmware without an NVRAM entry for this disk (every mini PC the image is flashed to) boots the removable path EFI/BOOT/BOOTX64.EFI: install the signed shim there, the signed GRUB beside it (Secure Boot stays on)',
  },
  {
    run: inTarget('sh', '-c', `'${signedBootCheck()}'`),
    why: `Fail the install unless EFI/BOOT holds the signed chain: grub-install falls back to an unsigned core image without a warning (even with --uefi-secure-boot) when the signed packages are missing, and Secure Boot would refuse it`,
  },
  {
    run: inTarget(
      'sh',
      '-c',
      `"echo 'grub-efi-amd64 grub2/force_efi_extra_removable boolean true' | debconf-set-selections"`,
    ),
    why: 'Keep the removable-path copy when GRUB packages are upgraded later',
  },
  {
    run: `echo '${c.admin.user} ALL=(ALL) NOPASSWD:ALL' > /target${BUILD_SUDOERS_FILE} && chmod 0440 /target${BUILD_SUDOERS_FILE} && ${inTarget('visudo', '-cf', BUILD_SUDOERS_FILE)}`,
    why: `Build only: passwordless sudo for ${c.admin.user} so Ansible and the sealing script can become root; Packer's shutdown command deletes it`,
  },
];

/** The installer's logs a failed install leaves: the evidence on the serial console. */
export const INSTALLER_LOGS = [
  '/var/log/installer/curtin-install.log',
  '/var/log/installer/subiquity-server-debug.log',
] as const;

/**
 * Commands run when the install fails: the tail of each installer log and of the journal to the
 * serial console (the build's console log, uploaded by the image workflow on failure). Anything
 * shaped like a crypt(3) hash is removed on the way (the identity's password hash is in the
 * installer's config; autoinstall-user-data itself is never printed).
 */
export const errorCommands = (): InstallerCommand[] => [
  {
    run: [
      'sh',
      '-c',
      `{ for f in ${INSTALLER_LOGS.join(' ')}; do test -f "$f" || continue; echo "===== $f (last 300 lines)"; tail -n 300 "$f"; done; echo "===== journal (last 200 lines)"; journalctl -b --no-pager -n 200; } 2>&1 | sed -E 's/[$](1|2[abxy]?|5|6|y|gy|7)[$][^[:space:]]+/<crypt hash removed>/g' >/dev/ttyS0`,
    ],
    why: 'A failed install dumps the installer logs (crypt hashes removed) to the serial console, which the build writes to its console log',
  },
];
