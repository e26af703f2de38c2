import type { PackageChoice } from './types';

/** Names of the files under Packer's HTTP root (the `http_content` keys without their leading '/'). */
export const HTTP_FILES = { userData: 'user-data', metaData: 'meta-data' } as const;

/** Variables of the user-data template, filled in by Packer's `templatefile()` at build time. */
export const TEMPLATE_VARS = {
  /** crypt(3) hash of the build-only password (Packer: `bcrypt(var.build_password)`). */
  passwordHash: 'password_hash',
  /** The worker's node name, as its hostname. */
  hostname: 'hostname',
} as const;

/**
 * Build-only sudoers drop-in: lets the admin account run Ansible and the
 * sealing script without a password during the build. Written by a
 * late-command, removed by Packer's shutdown command.
 */
export const BUILD_SUDOERS_FILE = '/etc/sudoers.d/90-packer-build';

/** Installer locale and keyboard: headless servers, console used only for rescue. */
export const LOCALE = 'en_US.UTF-8';
export const KEYBOARD_LAYOUT = 'us';

/** NICs the installer brings up with DHCP: every wired interface (`e*`: enp1s0, eno1, ens3...). */
export const WIRED_NIC_PATTERN = 'e*';

/** Partition sizes of the hybrid layout (curtin size strings). */
export const PARTITION_SIZES = {
  /** BIOS boot partition: holds GRUB's i386-pc core.img on a GPT disk. 1 MiB is what GRUB needs. */
  biosBoot: '1M',
  /** EFI system partition: shim + GRUB twice (EFI/ubuntu and the removable EFI/BOOT). */
  esp: '512M',
} as const;

/** Packages added to the server install, each with its reason. */
export const PACKAGES: readonly PackageChoice[] = [
  { name: 'grub-pc-bin', why: 'i386-pc GRUB modules: the late-command installs BIOS boot code next to UEFI GRUB' },
  { name: 'grub-efi-amd64-bin', why: 'x86_64-efi GRUB modules for the removable-path install (EFI/BOOT/BOOTX64.EFI)' },
  { name: 'linux-firmware', why: 'NIC firmware of the mini PCs (Realtek r8169/r8125, Intel igc)' },
  { name: 'cloud-guest-utils', why: 'growpart, to grow the root partition to the internal disk after flashing' },
  { name: 'python3', why: 'Ansible runs its modules on the worker with python3' },
];
