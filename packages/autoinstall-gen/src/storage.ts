import { ESP_DIR, PARTITION_SIZES } from './settings';

/** A curtin storage action (https://curtin.readthedocs.io/en/latest/topics/storage.html). */
export type StorageAction = Readonly<Record<string, string | number | boolean | Readonly<Record<string, string>>>>;

/** IDs of the actions, so that references between them are checked by the compiler. */
const ID = {
  disk: 'disk-system',
  biosBoot: 'part-bios-boot',
  esp: 'part-esp',
  root: 'part-root',
  espFs: 'fs-esp',
  rootFs: 'fs-root',
} as const;

/**
 * Hybrid BIOS + UEFI layout on the largest disk: GPT with a BIOS boot
 * partition (GRUB i386-pc core.img), an EFI system partition and an ext4 root
 * filling the rest. A curtin `config`, never mixed with `layout` (Subiquity
 * would take the layout and ignore these partitions).
 */
export const storageConfig = (): StorageAction[] => [
  {
    type: 'disk',
    id: ID.disk,
    match: { size: 'largest' },
    ptable: 'gpt',
    wipe: 'superblock-recursive',
    preserve: false,
  },
  {
    type: 'partition',
    id: ID.biosBoot,
    device: ID.disk,
    number: 1,
    size: PARTITION_SIZES.biosBoot,
    flag: 'bios_grub',
    preserve: false,
  },
  // The build runs under OVMF: curtin installs UEFI GRUB to the partition marked grub_device (the ESP).
  {
    type: 'partition',
    id: ID.esp,
    device: ID.disk,
    number: 2,
    size: PARTITION_SIZES.esp,
    flag: 'boot',
    grub_device: true,
    preserve: false,
  },
  { type: 'partition', id: ID.root, device: ID.disk, number: 3, size: -1, preserve: false },
  { type: 'format', id: ID.espFs, volume: ID.esp, fstype: 'fat32', preserve: false },
  { type: 'format', id: ID.rootFs, volume: ID.root, fstype: 'ext4', preserve: false },
  { type: 'mount', id: 'mount-root', device: ID.rootFs, path: '/' },
  { type: 'mount', id: 'mount-esp', device: ID.espFs, path: ESP_DIR },
];

/** Why each storage action is there, by action id (written as YAML comments). */
export const STORAGE_REASONS: Readonly<Record<string, string>> = {
  [ID.disk]:
    'GPT on the largest disk (the only disk of the build VM); the image is later written whole to the internal disk',
  [ID.biosBoot]: 'BIOS boot partition: GRUB i386-pc embeds its core.img here on GPT (legacy/CSM firmware)',
  [ID.esp]: `EFI system partition (FAT32, mounted as vfat on ${ESP_DIR}): the signed shim + GRUB for UEFI firmware`,
  [ID.root]:
    'Root fills the rest of the image (image.diskSizeGiB); after flashing it can grow to the internal disk (growpart)',
};

/** Storage section of the autoinstall: the curtin config plus swap and GRUB settings. */
export const storage = () => ({
  swap: { size: 0 },
  grub: { reorder_uefi: false, probe_additional_os: false },
  config: storageConfig(),
});
