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

/** Where the EFI system partition is mounted in the installed system. */
export const ESP_DIR = '/boot/efi';

/**
 * The signed boot chain (Secure Boot stays on): the Microsoft-signed shim of `shim-signed` and the
 * distribution-signed GRUB of `grub-efi-amd64-signed`, and where `grub-install --removable
 * --uefi-secure-boot` copies them on the ESP (shim as the removable path's loader, GRUB beside it,
 * under the name shim starts). Without those packages grub-install writes an unsigned core image
 * to the same path, without a warning: the build and the installer compare the files instead.
 */
export const SIGNED_BOOT = {
  shim: '/usr/lib/shim/shimx64.efi.signed',
  grub: '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed',
  removableShim: 'EFI/BOOT/BOOTX64.EFI',
  removableGrub: 'EFI/BOOT/grubx64.efi',
} as const;

/** Packages added to the server install, each with its reason. */
export const PACKAGES: readonly PackageChoice[] = [
  { name: 'grub-pc-bin', why: 'i386-pc GRUB modules: the late-command installs BIOS boot code next to UEFI GRUB' },
  { name: 'grub-efi-amd64-bin', why: 'x86_64-efi GRUB modules for the removable-path install (EFI/BOOT/BOOTX64.EFI)' },
  {
    name: 'shim-signed',
    why: "Microsoft-signed shim: what firmware with factory keys (Microsoft's 3rd-party UEFI CA) starts under Secure Boot",
  },
  {
    name: 'grub-efi-amd64-signed',
    why: 'the distribution-signed GRUB that shim verifies; without it grub-install silently writes an unsigned core image',
  },
  {
    name: 'mokutil',
    why: 'mokutil --sb-state: the build and the first-boot checks read whether Secure Boot is enforced',
  },
  { name: 'linux-firmware', why: 'NIC firmware of the mini PCs (Realtek r8169/r8125, Intel igc)' },
  { name: 'cloud-guest-utils', why: 'growpart, to grow the root partition to the internal disk after flashing' },
  { name: 'python3', why: 'Ansible runs its modules on the worker with python3' },
];
