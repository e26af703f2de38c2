/**
 * Secure Boot stays on: the user-data installs the signed chain (shim-signed, grub-efi-amd64-signed,
 * mokutil), asks grub-install for it, and fails the install unless the ESP's removable path holds
 * the signed binaries byte for byte. The check is run here for real, by sh, on a scratch tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleCluster as example, workers } from '@lolice/node-model';
import {
  ESP_DIR,
  renderTemplate,
  renderUserData,
  SIGNED_BOOT,
  signedBootCheck,
  TEMPLATE_VARS,
  userDataSchema,
} from '../src';
import { newAjv, opensslCryptHash } from './lib/fixtures';
import { hybridBootProblems } from './lib/hybrid-boot';

type Autoinstall = Record<string, any>;

const [first] = workers(example).map((n) => n.name);
const autoinstall = (): Autoinstall =>
  parse(
    renderTemplate(renderUserData(example), {
      [TEMPLATE_VARS.hostname]: first,
      [TEMPLATE_VARS.passwordHash]: opensslCryptHash(),
    }),
  ).autoinstall;
const late = (a: Autoinstall): string[] => a['late-commands'];
const uefiInstall = (a: Autoinstall): number => late(a).findIndex((c) => c.includes('--target=x86_64-efi'));

describe('the user-data installs the signed boot chain', () => {
  it('installs shim-signed, grub-efi-amd64-signed and mokutil', () => {
    expect(autoinstall().packages).toEqual(expect.arrayContaining(['shim-signed', 'grub-efi-amd64-signed', 'mokutil']));
  });

  it('installs GRUB to the removable path with --uefi-secure-boot', () => {
    const a = autoinstall();
    expect(late(a)[uefiInstall(a)].split(' ')).toEqual(
      expect.arrayContaining(['--removable', '--no-nvram', '--uefi-secure-boot']),
    );
  });

  it('checks the ESP in the target right after that install', () => {
    const a = autoinstall();
    expect(late(a)[uefiInstall(a) + 1]).toBe(`curtin in-target --target=/target -- sh -c '${signedBootCheck()}'`);
  });

  it('passes the hybrid boot validator, which requires the packages, the flag and both comparisons', () => {
    expect(hybridBootProblems(autoinstall())).toEqual([]);
  });
});

describe('the hybrid boot validator refuses an unsigned chain', () => {
  const removeCompare = (what: string) => (a: Autoinstall) =>
    (a['late-commands'] = late(a).map((c) => c.replace(new RegExp(`cmp ${what.replace(/[.]/g, '\\.')} \\S+`), 'true')));
  it.each([
    [
      'no --uefi-secure-boot',
      (a: Autoinstall) => (late(a)[uefiInstall(a)] = late(a)[uefiInstall(a)].replace(' --uefi-secure-boot', '')),
      'the removable UEFI GRUB install does not pass --uefi-secure-boot',
    ],
    [
      '--no-uefi-secure-boot',
      (a: Autoinstall) => (late(a)[uefiInstall(a)] += ' --no-uefi-secure-boot'),
      'the removable UEFI GRUB install does not pass --uefi-secure-boot',
    ],
    [
      'no comparison of the shim',
      removeCompare(SIGNED_BOOT.shim),
      `no late-command after the UEFI install compares ${ESP_DIR}/${SIGNED_BOOT.removableShim} with the signed shim (${SIGNED_BOOT.shim})`,
    ],
    [
      'no comparison of GRUB',
      removeCompare(SIGNED_BOOT.grub),
      `no late-command after the UEFI install compares ${ESP_DIR}/${SIGNED_BOOT.removableGrub} with the signed GRUB (${SIGNED_BOOT.grub})`,
    ],
    [
      'the comparison before the install',
      (a: Autoinstall) => {
        const [check] = late(a).splice(uefiInstall(a) + 1, 1);
        late(a).splice(uefiInstall(a), 0, check);
      },
      `no late-command after the UEFI install compares ${ESP_DIR}/${SIGNED_BOOT.removableShim} with the signed shim (${SIGNED_BOOT.shim})`,
    ],
    [
      'no shim-signed package',
      (a: Autoinstall) => (a.packages = a.packages.filter((p: string) => p !== 'shim-signed')),
      'package shim-signed is not installed',
    ],
    [
      'no grub-efi-amd64-signed package',
      (a: Autoinstall) => (a.packages = a.packages.filter((p: string) => p !== 'grub-efi-amd64-signed')),
      'package grub-efi-amd64-signed is not installed',
    ],
  ])('reports %s', (_what, breakIt, problem) => {
    const a = autoinstall();
    breakIt(a);
    expect(hybridBootProblems(a)).toContain(problem);
  });

  it.each(['shim-signed', 'grub-efi-amd64-signed'])('the package schema rejects user-data without %s', (name) => {
    const a = autoinstall();
    a.packages = a.packages.filter((p: string) => p !== name);
    expect(newAjv().compile(userDataSchema)({ autoinstall: a })).toBe(false);
  });
});

describe('the signed boot check, run by sh', () => {
  let root: string;
  /** The check with every absolute path moved under the scratch root. */
  const run = () => spawnSync('sh', ['-c', signedBootCheck().replaceAll(' /', ` ${root}/`)], { encoding: 'utf8' });
  const at = (path: string) => join(root, path);
  const put = (path: string, content: string) => {
    mkdirSync(dirname(at(path)), { recursive: true });
    writeFileSync(at(path), content);
  };
  const espShim = `${ESP_DIR}/${SIGNED_BOOT.removableShim}`;
  const espGrub = `${ESP_DIR}/${SIGNED_BOOT.removableGrub}`;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'signed-boot-'));
    put(SIGNED_BOOT.shim, 'shim, signed by Microsoft\n');
    put(SIGNED_BOOT.grub, 'GRUB, signed by the distribution\n');
    mkdirSync(dirname(at(espShim)), { recursive: true });
    copyFileSync(at(SIGNED_BOOT.shim), at(espShim));
    copyFileSync(at(SIGNED_BOOT.grub), at(espGrub));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes when EFI/BOOT holds the signed shim and GRUB', () => {
    expect(run().status).toBe(0);
  });

  it.each([
    ['grubx64.efi is an unsigned core image', () => put(espGrub, 'core.efi from grub-mkimage\n')],
    ['BOOTX64.EFI is GRUB itself, no shim', () => copyFileSync(at(SIGNED_BOOT.grub), at(espShim))],
    ['BOOTX64.EFI is missing', () => rmSync(at(espShim))],
    ['shim-signed is not installed', () => rmSync(at(SIGNED_BOOT.shim))],
    ['grub-efi-amd64-signed is not installed', () => rmSync(at(SIGNED_BOOT.grub))],
  ])('fails, saying so, when %s', (_what, breakIt) => {
    breakIt();
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('does not hold the signed shim and GRUB');
  });

  it('is one POSIX sh command line that dash parses', () => {
    expect(signedBootCheck()).not.toContain('\n');
    expect(() => execFileSync('dash', ['-n', '-c', signedBootCheck()])).not.toThrow();
  });
});
