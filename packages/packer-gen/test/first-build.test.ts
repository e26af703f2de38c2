import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { errorCommands, INSTALLER_LOGS } from '@lolice/autoinstall-gen';
import { BUILD_ANSIBLE_PLAYBOOK, exampleCluster, type Cluster } from '@lolice/node-model';
import { PACKER_LINKS, renderBase, renderBuild, sealScript, TEMPLATE_FILES } from '../src';
import { INSTALLER_CONSOLE_ARGS, SSH_HOST_KEYS_UNIT } from '../src/settings';

// Issue 17: the first real build's known risks, each closed in the templates (HCL assertions on
// the templates of the example model, parsed by HashiCorp's HCL parser), and the serial console.
type Hcl = Record<string, any>;
const links = PACKER_LINKS;
const REPO = resolve(__dirname, '../../..');
const withMirrors: Cluster = {
  ...exampleCluster,
  image: {
    ...exampleCluster.image,
    isoMirrorUrls: [exampleCluster.image.isoUrl.replace('releases.example.org', 'mirror.example.net')],
  },
};

let base: Hcl;
let source: Hcl;
let build: Hcl;
beforeAll(async () => {
  base = (await parse(TEMPLATE_FILES.base, renderBase(withMirrors, links))) as Hcl;
  source = base.source.qemu.worker[0];
  build = ((await parse(TEMPLATE_FILES.build, renderBuild(withMirrors, links))) as Hcl).build[0];
});

describe("the build VM's serial console, the evidence of a failed build", () => {
  it('goes to a file: qemuargs -serial file:<console_log>, a variable CI sets (default beside the templates)', () => {
    expect(source.qemuargs).toContainEqual(['-serial', 'file:${local.console_log}']);
    expect(base.variable.console_log[0]).toMatchObject({ default: '' });
    expect(base.locals[0].console_log).toBe(
      '${var.console_log != "" ? var.console_log : "${path.root}/console-${var.node_name}.log"}',
    );
  });

  it('gets the kernel and the installer: console=ttyS0 on the installer\'s command line, before "---" (not carried into the image)', () => {
    const linux = (source.boot_command as string[]).find((l) => l.startsWith('linux '))!;
    expect(INSTALLER_CONSOLE_ARGS).toMatch(/console=ttyS0/);
    expect(linux.indexOf('console=ttyS0')).toBeGreaterThan(0);
    expect(linux.indexOf('console=ttyS0')).toBeLessThan(linux.indexOf(' ---'));
    expect(linux.split(' ---')[1]).toBe('<enter><wait5>');
  });

  it("gets the installer's logs when the install fails: error-commands write them to ttyS0 with crypt hashes removed", () => {
    const [cmd] = errorCommands();
    expect(Array.isArray(cmd.run)).toBe(true);
    const script = (cmd.run as string[])[2];
    expect(script).toContain('>/dev/ttyS0');
    for (const log of INSTALLER_LOGS) expect(script).toContain(log);
    expect(script).not.toContain('autoinstall-user-data');
    // Run it on stand-in logs (a temporary directory for /var/log/installer, a file for the console).
    const dir = mkdtempSync(join(tmpdir(), 'error-commands-'));
    try {
      const hash = '$6$saltsalt$' + 'a'.repeat(86);
      for (const log of INSTALLER_LOGS) {
        writeFileSync(join(dir, log.split('/').pop()!), `Traceback: curtin failed\nidentity: {password: '${hash}'}\n`);
      }
      let local = script
        .replace('>/dev/ttyS0', `>${join(dir, 'console')}`)
        .replace(/journalctl -b --no-pager -n 200/, 'echo journal');
      for (const log of INSTALLER_LOGS) local = local.replace(log, join(dir, log.split('/').pop()!));
      execFileSync('sh', ['-c', local]);
      const console = readFileSync(join(dir, 'console'), 'utf8');
      expect(console).toContain('Traceback: curtin failed');
      expect(console).toContain('<crypt hash removed>');
      expect(console).not.toContain('$6$');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('and the committed user-data carries that command', () => {
    const doc = parseYaml(readFileSync(join(REPO, 'packer/x86_64/http/user-data'), 'utf8'));
    expect(doc.autoinstall['error-commands']).toEqual(errorCommands().map((c) => c.run));
  });
});

describe("the first real build's known risks, closed in the templates", () => {
  it('cloud-init still running: a provisioner waits for "cloud-init status --wait" (2: done with recoverable errors) before Ansible', () => {
    const shells = build.provisioner.shell as Hcl[];
    const [wait, seal] = [shells[0], shells.at(-1)!];
    expect(wait.inline).toEqual(['cloud-init status --wait --long || [ $? -eq 2 ]']);
    const text = renderBuild(withMirrors, links);
    expect(text.indexOf('cloud-init status --wait')).toBeLessThan(text.indexOf('provisioner "ansible"'));
    expect(text.indexOf('provisioner "ansible"')).toBeLessThan(text.indexOf('cloud-init clean'));
    expect(seal.inline).toEqual(sealScript(withMirrors));
  });

  it('... and every apt task of the worker playbook waits for the dpkg lock (module_defaults lock_timeout)', () => {
    const [play] = parseYaml(readFileSync(join(REPO, 'ansible/playbooks/worker.yml'), 'utf8'));
    expect(play.module_defaults['ansible.builtin.apt'].lock_timeout).toBeGreaterThanOrEqual(300);
  });

  it("GRUB keypress timing: boot_wait long enough for q35 + 4M OVMF, and shorter than the ISO menu's 30 s timeout", () => {
    const seconds = Number(/^(\d+)s$/.exec(source.boot_wait)![1]);
    expect(seconds).toBeGreaterThanOrEqual(15);
    expect(seconds).toBeLessThan(30);
  });

  it("a different Ansible: Packer runs the distribution's ansible-playbook by path, not the first on PATH", () => {
    expect(build.provisioner.ansible[0].command).toBe('${var.ansible_playbook}');
    expect(base.variable.ansible_playbook[0].default).toBe(BUILD_ANSIBLE_PLAYBOOK);
    expect(BUILD_ANSIBLE_PLAYBOOK).toBe('/usr/bin/ansible-playbook');
  });

  it("ISO download: the model's mirrors follow the primary URL in iso_urls (one checksum pins them all), no iso_url beside it", () => {
    expect(source.iso_urls).toEqual([withMirrors.image.isoUrl, ...withMirrors.image.isoMirrorUrls!]);
    expect(source.iso_url).toBeUndefined();
    expect(source.iso_checksum).toBe(`sha256:${withMirrors.image.isoSha256}`);
  });

  it('CPU model: the host CPU under KVM', () => {
    expect(source.accelerator).toBe('kvm');
    expect(source.cpu_model).toBe('host');
  });

  it("image size: the model's image.diskSizeGiB", async () => {
    expect(source.disk_size).toBe(`${withMirrors.image.diskSizeGiB}G`);
    const other = (await parse(
      'b',
      renderBase({ ...withMirrors, image: { ...withMirrors.image, diskSizeGiB: 9 } }, links),
    )) as Hcl;
    expect(other.source.qemu.worker[0].disk_size).toBe('9G');
  });
});

describe('host keys of the sealed image', () => {
  it('are removed only after checking that the first-boot unit of the Ansible role is enabled, same unit name in both', () => {
    const script = sealScript(withMirrors);
    expect(script.indexOf(`systemctl is-enabled --quiet ${SSH_HOST_KEYS_UNIT}`)).toBeGreaterThanOrEqual(0);
    expect(script.indexOf(`systemctl is-enabled --quiet ${SSH_HOST_KEYS_UNIT}`)).toBeLessThan(
      script.indexOf('rm -f /etc/ssh/ssh_host_*'),
    );
    const defaults = parseYaml(readFileSync(join(REPO, 'ansible/roles/first_boot/defaults/main.yml'), 'utf8'));
    expect(defaults.first_boot_ssh_host_keys_unit).toBe(SSH_HOST_KEYS_UNIT);
  });
});
