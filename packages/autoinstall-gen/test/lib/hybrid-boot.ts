/**
 * What a disk needs to boot on both BIOS and UEFI firmware, checked on the
 * `storage` section and the late-commands of a parsed autoinstall: a curtin
 * config (no `layout`) with a GPT disk holding a BIOS boot partition, an EFI
 * system partition (FAT, /boot/efi) and an ext4 root, plus GRUB installed for
 * i386-pc and for the removable UEFI path, the signed shim and GRUB there (Secure Boot): packages,
 * `--uefi-secure-boot`, and a later command that compares each ESP file with the signed one.
 * Returns the problems, [] when fine.
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
  const removable = late.findIndex((c) => /grub-install\b.*--target=x86_64-efi\b.*--removable/.test(c));
  if (removable < 0) {
    problems.push('no late-command installs GRUB to the removable UEFI path');
  } else {
    problems.push(...signedChainProblems(late[removable], late.slice(removable + 1)));
  }
  const packages = (autoinstall.packages ?? []).map(String);
  for (const pkg of ['grub-pc-bin', 'grub-efi-amd64-bin', ...SIGNED_PACKAGES]) {
    if (!packages.includes(pkg)) problems.push(`package ${pkg} is not installed`);
  }
  return problems;
}

/**
 * Ubuntu's signed boot chain (as its cloud and server images boot under Secure Boot): the
 * packages, and where each signed binary lies and must land on the ESP's removable path.
 */
const SIGNED_PACKAGES = ['shim-signed', 'grub-efi-amd64-signed'];
const SIGNED_FILES = [
  { what: 'shim', signed: '/usr/lib/shim/shimx64.efi.signed', esp: '/boot/efi/EFI/BOOT/BOOTX64.EFI' },
  { what: 'GRUB', signed: '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed', esp: '/boot/efi/EFI/BOOT/grubx64.efi' },
];

/** The removable UEFI install must ask for the signed chain, and a later command must prove each file is the signed one. */
function signedChainProblems(install: string, after: string[]): string[] {
  const problems: string[] = [];
  if (!/(^|\s)--uefi-secure-boot(\s|$)/.test(install) || /--no-uefi-secure-boot/.test(install)) {
    problems.push('the removable UEFI GRUB install does not pass --uefi-secure-boot');
  }
  for (const f of SIGNED_FILES) {
    const compared = after.some(
      (c) => c.includes(`cmp ${f.signed} ${f.esp}`) || c.includes(`cmp ${f.esp} ${f.signed}`),
    );
    if (!compared) {
      problems.push(`no late-command after the UEFI install compares ${f.esp} with the signed ${f.what} (${f.signed})`);
    }
  }
  return problems;
}
