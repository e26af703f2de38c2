/**
 * Secure Boot stays on in the build: the QEMU source boots OVMF's Secure Boot build with
 * Microsoft's keys and SMM (checked against what the QEMU plugin 1.1.x makes of it, and against
 * QEMU itself), and a provisioner after Ansible asserts the chain, the lockdown and the modules.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signedBootCheck } from '@lolice/autoinstall-gen';
import { exampleCluster as example } from '@lolice/node-model';
import {
  OVMF,
  PACKER_LINKS,
  renderBase,
  renderBuild,
  sealScript,
  SECURE_BOOT_QEMU,
  secureBootScript,
  secureBootSteps,
  TEMPLATE_FILES,
} from '../src';

type Hcl = Record<string, any>;
let source: Hcl;
let build: Hcl;
beforeAll(async () => {
  source = ((await parse(TEMPLATE_FILES.base, renderBase(example, PACKER_LINKS))) as Hcl).source.qemu.worker[0];
  build = ((await parse(TEMPLATE_FILES.build, renderBuild(example, PACKER_LINKS))) as Hcl).build[0];
});

/**
 * The QEMU arguments packer-plugin-qemu 1.1.x (builder/qemu/step_run.go) makes of the source's
 * machine and firmware settings: "-machine type=<machine_type>,accel=<accelerator>" (replaced
 * whole by a "-machine" in qemuargs), the code as read-only pflash unit 0, the plugin's copy of
 * the variables as pflash unit 1, then every qemuargs pair.
 */
function pluginArgs(s: Hcl, varsCopy: string, accelerator: string): string[] {
  const qemuargs = (s.qemuargs as string[][]).filter(([key]) => key !== '-serial');
  const machine = qemuargs.some(([key]) => key === '-machine')
    ? []
    : ['-machine', `type=${s.machine_type},accel=${accelerator}`];
  return [
    ...machine,
    '-drive',
    `file=${s.efi_firmware_code},if=pflash,unit=0,format=raw,readonly=on`,
    '-drive',
    `file=${varsCopy},if=pflash,unit=1,format=raw`,
    ...qemuargs.flat(),
  ];
}

describe('the build VM boots with Secure Boot enforced', () => {
  it("uses OVMF's Secure Boot code and Microsoft's keys, Secure Boot enabled", () => {
    expect(source).toMatchObject({ efi_boot: true, efi_firmware_code: OVMF.code, efi_firmware_vars: OVMF.vars });
    expect(OVMF.code).toMatch(/OVMF_CODE_4M\.secboot\.fd$/);
    expect(OVMF.vars).toMatch(/OVMF_VARS_4M\.ms\.fd$/);
  });

  it('has q35 with SMM, in machine_type: the plugin writes -machine from it, and qemuargs has no -machine', () => {
    expect(source.machine_type).toBe(`q35,${SECURE_BOOT_QEMU.machineOptions}`);
    expect(pluginArgs(source, 'vars.fd', 'kvm').slice(0, 2)).toEqual(['-machine', 'type=q35,smm=on,accel=kvm']);
    expect((source.qemuargs as string[][]).map(([key]) => key)).not.toContain('-machine');
  });

  it('makes the firmware flash writable only from SMM', () => {
    expect(source.qemuargs).toContainEqual(['-global', 'driver=cfi.pflash01,property=secure,value=on']);
  });

  describe.skipIf(!existsSync(OVMF.code))(
    "QEMU accepts the plugin's arguments (halted before the first instruction)",
    () => {
      let dir: string;
      beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), 'secure-boot-qemu-'));
        copyFileSync(OVMF.vars, join(dir, 'efivars.fd'));
      });
      afterEach(() => rmSync(dir, { recursive: true, force: true }));
      const qemu = (args: string[]) =>
        spawnSync(
          'qemu-system-x86_64',
          [...args, '-S', '-nodefaults', '-display', 'none', '-serial', 'none', '-monitor', 'stdio'],
          { input: 'quit\n', encoding: 'utf8', timeout: 30_000 },
        );

      it('starts with them (TCG standing in for KVM)', () => {
        const run = qemu(pluginArgs(source, join(dir, 'efivars.fd'), 'tcg'));
        expect(run.status, run.stderr).toBe(0);
      });

      it('and refuses a misspelt property, so the check above can fail', () => {
        const broken = { ...source, qemuargs: [['-global', 'driver=cfi.pflash01,property=secur,value=on']] };
        const run = qemu(pluginArgs(broken, join(dir, 'efivars.fd'), 'tcg'));
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain("Property 'cfi.pflash01.secur' not found");
      });
    },
  );
});

describe('the Secure Boot check provisioner', () => {
  it('runs as root after Ansible and before the seal', () => {
    const shells = build.provisioner.shell as Hcl[];
    const check = shells.find((p) => p.inline?.[0] === secureBootScript()[0]);
    expect(check).toEqual({ execute_command: "sudo -n sh -eux '{{ .Path }}'", inline: secureBootScript() });
    const text = renderBuild(example, PACKER_LINKS);
    const at = (s: string) => text.indexOf(s);
    expect(at('provisioner "ansible"')).toBeLessThan(at('mokutil --sb-state'));
    expect(at('mokutil --sb-state')).toBeLessThan(at(sealScript(example)[1]));
    expect(shells.at(-1)!.inline).toEqual(sealScript(example));
  });

  it('asserts mokutil --sb-state, the lockdown, the signed shim and GRUB on EFI/BOOT', () => {
    const script = secureBootScript();
    expect(script).toContain('test "$(mokutil --sb-state)" = "SecureBoot enabled"');
    expect(script).toContain("grep -q '\\[integrity\\]' /sys/kernel/security/lockdown");
    expect(script).toContain(signedBootCheck());
  });

  it('comments every step with its reason', () => {
    for (const step of secureBootSteps()) expect(step.why.length).toBeGreaterThan(30);
  });
});

describe('the module policy, run by sh (a STAND-IN modinfo prints what kmod prints: filename, then signer if signed)', () => {
  let root: string;
  const lines = () =>
    secureBootSteps()
      .slice(-2)
      .flatMap((s) => s.lines);
  const MODULES = '/lib/modules/6.8.0-1-generic/kernel/drivers/net';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'module-policy-'));
    mkdirSync(join(root, MODULES), { recursive: true });
    mkdirSync(join(root, 'run'));
    mkdirSync(join(root, 'bin'));
    // kmod's modinfo: "filename:" first, "signer:" among the signature fields of a signed module;
    // a file it cannot read is an error on stderr and nothing on stdout, then exit 1.
    writeFileSync(
      join(root, 'bin/modinfo'),
      `#!/bin/sh
rc=0
for f; do
  case $(tail -c 28 "$f") in
    '~Module signature appended~') printf 'filename:       %s\\nname:           x\\nsigner:         Build time autogenerated kernel key\\nsig_hashalgo:   sha512\\n' "$f" ;;
    garbage) echo "modinfo: ERROR: could not get modinfo from '$f'" >&2; rc=1 ;;
    *) printf 'filename:       %s\\nname:           x\\n' "$f" ;;
  esac
done
exit $rc
`,
      { mode: 0o755 },
    );
    for (const name of ['r8169.ko.zst', 'igc.ko.zst', 'e1000e.ko']) {
      writeFileSync(join(root, MODULES, name), 'ELF...\n~Module signature appended~\n');
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const run = () =>
    spawnSync(
      'sh',
      [
        '-eu',
        '-c',
        lines()
          .join('\n')
          .replace(/(^|[\s<>])\/(lib|run|var)\//gm, `$1${root}/$2/`),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${root}/bin:${process.env.PATH}` },
      },
    );

  it('passes when every module is signed and /var/lib/dkms is absent', () => {
    const result = run();
    expect(result.status, result.stderr).toBe(0);
  });

  it('passes with an empty /var/lib/dkms', () => {
    mkdirSync(join(root, 'var/lib/dkms'), { recursive: true });
    expect(run().status).toBe(0);
  });

  it('fails on a DKMS tree, listing it', () => {
    mkdirSync(join(root, 'var/lib/dkms/r8125/9.013.02'), { recursive: true });
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('/var/lib/dkms is not empty');
  });

  it('fails on an unsigned module, naming it', () => {
    writeFileSync(join(root, MODULES, 'r8125.ko'), 'ELF, no signature\n');
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${root}${MODULES}/r8125.ko\nunsigned kernel modules (above)`);
  });

  it('fails on a module modinfo cannot read (never counted as signed)', () => {
    writeFileSync(join(root, MODULES, 'broken.ko'), 'garbage');
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${root}${MODULES}/broken.ko\nunsigned kernel modules (above)`);
  });

  it('fails when there is no module at all (a wrong path must not pass)', () => {
    rmSync(join(root, 'lib'), { recursive: true });
    mkdirSync(join(root, 'lib/modules'), { recursive: true });
    expect(run().status).not.toBe(0);
  });

  it('is POSIX sh that dash parses', () => {
    expect(() => execFileSync('dash', ['-n', '-c', secureBootScript().join('\n')])).not.toThrow();
  });
});
