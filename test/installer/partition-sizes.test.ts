/**
 * The USB installer (ansible/roles/usb_installer/files/install-to-disk.sh, shipped alone as a
 * shell script) lays out the target disk as the autoinstall lays out the image: the same
 * partitions, by number and GPT type, of the sizes of autoinstall-gen's PARTITION_SIZES. The
 * script keeps its sizes as shell constants; this test fails when they differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARTITION_SIZES, storageConfig } from '@lolice/autoinstall-gen';
import { REPO_ROOT } from '../lib/repo-copy';

const SCRIPT = 'ansible/roles/usb_installer/files/install-to-disk.sh';
const script = readFileSync(join(REPO_ROOT, SCRIPT), 'utf8');

/** A curtin size string ('1M', '512M', '2G', bytes without a unit) in MiB. */
const mib = (size: string): number => {
  const m = /^(\d+)([KMGT]?)B?$/i.exec(size);
  if (!m) throw new Error(`not a curtin size: ${size}`);
  const exp = { '': 0, K: 1, M: 2, G: 3, T: 4 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return (Number(m[1]) * 1024 ** exp) / 1024 ** 2;
};

/** The value of `readonly NAME=VALUE` in the script. */
const constant = (name: string): number => {
  const m = new RegExp(`^readonly ${name}=(\\d+)$`, 'm').exec(script);
  if (!m) throw new Error(`${SCRIPT} has no "readonly ${name}=<number>"`);
  return Number(m[1]);
};

/** The curtin partition action with FLAG (bios_grub, boot). */
const partition = (flag: string) => {
  const found = storageConfig().find((a) => a.type === 'partition' && a.flag === flag);
  if (!found) throw new Error(`autoinstall-gen's storage config has no partition flagged ${flag}`);
  return found;
};

describe('install-to-disk lays out the disk as the autoinstall does', () => {
  const cases = [
    {
      name: 'BIOS boot',
      constant: 'BIOS_BOOT_MIB',
      size: PARTITION_SIZES.biosBoot,
      flag: 'bios_grub',
      gptType: 'EF02',
    },
    { name: 'EFI system', constant: 'ESP_MIB', size: PARTITION_SIZES.esp, flag: 'boot', gptType: 'EF00' },
  ];
  for (const c of cases) {
    it(`${c.name} partition: ${c.constant} is PARTITION_SIZES' ${c.size} in MiB`, () => {
      expect(constant(c.constant)).toBe(mib(c.size));
    });
    it(`${c.name} partition: sgdisk makes it with ${c.constant}, as the number and type of the curtin config`, () => {
      const n = partition(c.flag).number;
      expect(partition(c.flag).size).toBe(c.size);
      expect(script).toMatch(
        new RegExp(`--new=${n}:[0-9M]*:\\+\\$\\{${c.constant}\\}M --typecode=${n}:${c.gptType}\\b`),
      );
    });
  }

  it('reads sizes as curtin writes them', () => {
    expect([mib('1M'), mib('512M'), mib('2G'), mib('1048576')]).toEqual([1, 512, 2048, 1]);
    expect(() => mib('half')).toThrow(/not a curtin size/);
  });
});
