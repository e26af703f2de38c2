/**
 * The USB installer (ansible/roles/usb_installer/files/install-to-disk.sh, shipped alone as a
 * shell script) keeps the signed boot chain as the autoinstall does: the same signed shim and
 * GRUB, compared with the same files on the ESP's removable path, and grub-install asked for the
 * signed chain. The script keeps the paths as shell constants; this test fails when they differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGNED_BOOT } from '@lolice/autoinstall-gen';
import { REPO_ROOT } from '../lib/repo-copy';

const SCRIPT = 'ansible/roles/usb_installer/files/install-to-disk.sh';
const script = readFileSync(join(REPO_ROOT, SCRIPT), 'utf8');

/** The value of `readonly NAME=VALUE` in the script. */
const constant = (name: string): string => {
  const m = new RegExp(`^readonly ${name}=(\\S+)$`, 'm').exec(script);
  if (!m) throw new Error(`${SCRIPT} has no "readonly ${name}=<path>"`);
  return m[1];
};

describe('install-to-disk keeps the signed boot chain as the autoinstall does', () => {
  it.each([
    ['SIGNED_SHIM', SIGNED_BOOT.shim],
    ['SIGNED_GRUB', SIGNED_BOOT.grub],
    ['ESP_SHIM', SIGNED_BOOT.removableShim],
    ['ESP_GRUB', SIGNED_BOOT.removableGrub],
  ])('%s is %s', (name, path) => {
    expect(constant(name)).toBe(path);
  });

  it('asks every x86_64-efi grub-install for the signed chain', () => {
    const installs = script.split('\n').filter((line) => /grub-install --target=x86_64-efi/.test(line));
    expect(installs.length).toBeGreaterThanOrEqual(2);
    // A grub-install call continues on the next line: join the continuations first.
    const calls = script.replace(/\\\n\s*/g, ' ').match(/grub-install --target=x86_64-efi[^|]*/g) ?? [];
    expect(calls).toHaveLength(installs.length);
    for (const call of calls) expect(call).toContain('--uefi-secure-boot');
  });

  it('reads its constants as the shell does', () => {
    expect(() => constant('NO_SUCH_CONSTANT')).toThrow(/has no "readonly NO_SUCH_CONSTANT/);
  });
});
