/**
 * What a disk needs to boot on both BIOS and UEFI firmware, checked on the
 * `storage` section and the late-commands of a parsed autoinstall: a curtin
 * config (no `layout`) with a GPT disk holding a BIOS boot partition, an EFI
 * system partition (FAT, /boot/efi) and an ext4 root, plus GRUB installed for
 * i386-pc and for the removable UEFI path. Returns the problems, [] when fine.
 */

type Action = Record<string, unknown>;

const commandText = (cmd: unknown): string => (Array.isArray(cmd) ? cmd.join(' ') : String(cmd));

export function hybridBootProblems(autoinstall: {
  storage?: Record<string, unknown>;
  'late-commands'?: unknown[];
  packages?: unknown[];
}): string[] {
  const problems: string[] = [];
  const storage = autoinstall.storage ?? {};
  if ('layout' in storage) problems.push('storage has a "layout", which overrides "config"');
  const config = (storage.config ?? []) as Action[];
  const byId = new Map(config.map((a) => [a.id, a]));
  const disks = config.filter((a) => a.type === 'disk');
  if (disks.length !== 1) return [...problems, `expected one disk, found ${disks.length}`];
  const [disk] = disks;
  if (disk.ptable !== 'gpt') problems.push('the disk is not GPT');
  if ((disk.match as Action | undefined)?.size !== 'largest') {
    problems.push('the disk is not matched as the largest disk');
  }

  const partitions = config
    .filter((a) => a.type === 'partition' && a.device === disk.id)
    .sort((a, b) => Number(a.number) - Number(b.number));
  const formatOf = (p: Action) => config.find((a) => a.type === 'format' && a.volume === p.id);
  const mountOf = (f: Action | undefined) => f && config.find((a) => a.type === 'mount' && a.device === f.id);

  const biosBoot = partitions.find((p) => p.flag === 'bios_grub');
  if (!biosBoot) problems.push('no BIOS boot partition (flag bios_grub)');
  else if (formatOf(biosBoot)) problems.push('the BIOS boot partition must not carry a filesystem');
  else if (biosBoot !== partitions[0]) problems.push('the BIOS boot partition is not the first partition');

  const esp = partitions.find((p) => p.flag === 'boot');
  const espFs = esp && formatOf(esp);
  if (!esp) {
    problems.push('no EFI system partition (flag boot)');
  } else if (!espFs || !['fat32', 'vfat', 'fat'].includes(String(espFs.fstype))) {
    problems.push('the EFI system partition is not FAT');
  } else if ((mountOf(espFs) as Action | undefined)?.path !== '/boot/efi') {
    problems.push('the EFI system partition is not mounted on /boot/efi');
  }
  if (esp && esp.grub_device !== true) {
    problems.push('the EFI system partition is not the grub_device (UEFI install target)');
  }

  const rootMount = config.find((a) => a.type === 'mount' && a.path === '/');
  const rootFs = rootMount && byId.get(rootMount.device);
  const rootPart = rootFs && byId.get(rootFs.volume);
  if (!rootFs || rootFs.fstype !== 'ext4') problems.push('/ is not ext4');
  if (!rootPart || rootPart.device !== disk.id) {
    problems.push('/ is not a partition of the disk');
  } else if (rootPart !== partitions[partitions.length - 1] || rootPart.size !== -1) {
    problems.push('/ is not the last partition filling the disk');
  }

  const late = (autoinstall['late-commands'] ?? []).map(commandText);
  if (!late.some((c) => /grub-install\b.*--target=i386-pc/.test(c))) {
    problems.push('no late-command installs GRUB for i386-pc (BIOS)');
  }
  if (!late.some((c) => /grub-install\b.*--target=x86_64-efi\b.*--removable/.test(c))) {
    problems.push('no late-command installs GRUB to the removable UEFI path');
  }
  const packages = (autoinstall.packages ?? []).map(String);
  for (const pkg of ['grub-pc-bin', 'grub-efi-amd64-bin']) {
    if (!packages.includes(pkg)) problems.push(`package ${pkg} is not installed`);
  }
  return problems;
}
