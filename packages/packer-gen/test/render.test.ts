import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUILD_ID_PATTERN,
  BUILD_RECORD_VARS,
  exampleCluster as example,
  imageWorkerNodes,
  LOCAL_BUILD_ID,
  portMatch,
  type Cluster,
} from '@lolice/node-model';
import { variant, withNewWorker } from '../../../test/lib/model';
import {
  BOOT_COMMAND,
  OVMF,
  PACKER_LINKS,
  PLUGINS,
  render,
  renderBase,
  renderBuild,
  sealScript,
  TEMPLATE_FILES,
} from '../src';
import { SSH_HOST_KEYS_UNIT } from '../src/settings';

/** The workers the image pipeline builds, by name. */
const built = imageWorkerNodes(example).map((n) => n.name);

type Hcl = Record<string, any>;
const links = PACKER_LINKS;
/** The templates of a model, parsed by HashiCorp's HCL parser (hcl2json). */
const parsed = async (c: Cluster = example) => ({
  base: (await parse(TEMPLATE_FILES.base, renderBase(c, links))) as Hcl,
  build: (await parse(TEMPLATE_FILES.build, renderBuild(c, links))) as Hcl,
});

describe('base-ubuntu.pkr.hcl', () => {
  let base: Hcl;
  let source: Hcl;
  beforeAll(async () => {
    base = (await parsed()).base;
    source = base.source.qemu.worker[0];
  });

  it('pins the QEMU and Ansible plugins to exact 1.1.x releases', () => {
    const plugins = base.packer[0].required_plugins[0];
    expect(plugins).toEqual({
      qemu: { source: 'github.com/hashicorp/qemu', version: `= ${PLUGINS.qemu.version}` },
      ansible: { source: 'github.com/hashicorp/ansible', version: `= ${PLUGINS.ansible.version}` },
    });
    for (const p of Object.values(plugins) as { version: string }[]) expect(p.version).toMatch(/^= 1\.1\.\d+$/);
  });

  it('accepts exactly the workers of the model as node_name, with a sentence as error message', () => {
    const [nodeName] = base.variable.node_name;
    expect(nodeName.type).toBe('${string}');
    expect(nodeName.default).toBeUndefined();
    expect(nodeName.validation[0].condition).toBe(
      `\${contains([${built.map((n) => `"${n}"`).join(', ')}], var.node_name)}`,
    );
    expect(nodeName.validation[0].error_message).toBe(
      `The node_name must be a worker of the model: ${built.join(', ')}.`,
    );
  });

  it('takes the build password as a sensitive variable without a default', () => {
    const [password] = base.variable.build_password;
    expect(password).toMatchObject({ type: '${string}', sensitive: true });
    expect(password.default).toBeUndefined();
  });

  it('maps every built worker of the model to its IP, hardware profile, port match and CPU, and selects the node from the map', () => {
    const [locals] = base.locals;
    expect(Object.keys(locals.workers)).toEqual(built);
    for (const n of imageWorkerNodes(example)) {
      expect(locals.workers[n.name]).toEqual({
        ip: n.ip,
        hardware: n.hardware,
        port_match: portMatch(example, n),
        cpu: n.cpu ?? '',
      });
    }
    expect(locals.node).toBe('${local.workers[var.node_name]}');
    expect(locals.repo_root).toBe('${abspath("${path.root}/../..")}');
  });

  it('installs the ISO of the model (then its mirrors), checked against its sha256', () => {
    expect(source.iso_urls).toEqual([example.image.isoUrl, ...(example.image.isoMirrorUrls ?? [])]);
    expect(source.iso_checksum).toBe(`sha256:${example.image.isoSha256}`);
  });

  it('builds one raw image named after the node, in an output directory per node beside the template', () => {
    expect(source).toMatchObject({
      format: 'raw',
      vm_name: '${var.node_name}.img',
      output_directory: '${path.root}/output-${var.node_name}',
      disk_size: `${example.image.diskSizeGiB}G`,
    });
  });

  it('runs headless on KVM', () => {
    expect(source).toMatchObject({ accelerator: 'kvm', headless: true });
  });

  it("boots OVMF from the runners' 4M firmware and keeps its variables out of the output", () => {
    expect(source).toMatchObject({
      efi_boot: true,
      efi_firmware_code: OVMF.code,
      efi_firmware_vars: OVMF.vars,
      efi_drop_efivars: true,
    });
    expect(OVMF).toEqual({
      code: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
      vars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
    });
  });

  it('serves the user-data template with the node name and a bcrypt hash of the build password', () => {
    expect(source.http_content).toEqual({
      '/meta-data': '${file("${path.root}/http/meta-data")}',
      '/user-data':
        '${templatefile("${path.root}/http/user-data", { hostname = var.node_name, password_hash = bcrypt(var.build_password) })}',
    });
    expect(source.http_directory).toBeUndefined();
  });

  it("types the kernel line at the ISO's GRUB prompt: quoted NoCloud seed URL and autoinstall, before ---", () => {
    expect(source.boot_command).toEqual([...BOOT_COMMAND]);
    const linux = (source.boot_command as string[]).find((l) => l.startsWith('linux '))!;
    expect(linux).toContain("'ds=nocloud;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/'");
    expect(linux.indexOf('autoinstall')).toBeGreaterThan(0);
    expect(linux.indexOf('autoinstall')).toBeLessThan(linux.indexOf('---'));
    expect(linux.indexOf('ds=nocloud')).toBeLessThan(linux.indexOf('---'));
    expect(source.boot_command).toContain('initrd /casper/initrd<enter><wait5>');
    expect(source.boot_command.at(-1)).toBe('boot<enter>');
  });

  it('waits long enough over SSH for the install and its reboot, as the admin with the build password', () => {
    expect(source).toMatchObject({
      communicator: 'ssh',
      ssh_username: example.admin.user,
      ssh_password: '${var.build_password}',
    });
    expect(Number(/^(\d+)m$/.exec(source.ssh_timeout)?.[1])).toBeGreaterThanOrEqual(60);
    expect(source.ssh_handshake_attempts).toBeGreaterThanOrEqual(100);
  });

  it('removes the build-only sudo rule in the same call that powers off', () => {
    expect(source.shutdown_command).toBe("sudo -n sh -c 'rm -f /etc/sudoers.d/90-packer-build && systemctl poweroff'");
  });

  it("takes the build's id and commit as variables for the image's build record, a local build by default", () => {
    const { buildId, gitCommit } = BUILD_RECORD_VARS;
    const [id] = base.variable[buildId];
    const [commit] = base.variable[gitCommit];
    expect(id).toMatchObject({ type: '${string}', default: LOCAL_BUILD_ID });
    expect(commit).toMatchObject({ type: '${string}', default: '' });
    expect(id.validation[0].condition).toContain(BUILD_ID_PATTERN);
    expect(id.validation[0].error_message).toMatch(new RegExp(`^The ${buildId} must be `));
    expect(commit.validation[0].error_message).toMatch(new RegExp(`^The ${gitCommit} must be `));
  });

  it('takes the disk size from the model', async () => {
    const bigger = variant(example, (c) => (c.image.diskSizeGiB += 8));
    expect((await parsed(bigger)).base.source.qemu.worker[0].disk_size).toBe(`${example.image.diskSizeGiB + 8}G`);
  });
});

describe('k8s-worker.pkr.hcl', () => {
  let build: Hcl;
  beforeAll(async () => {
    [build] = (await parsed()).build.build;
  });

  it('builds the QEMU source', () => {
    expect(build).toMatchObject({ name: 'k8s-worker', sources: ['source.qemu.worker'] });
  });

  it("runs the worker playbook through Packer's own inventory for this VM, never the production one", () => {
    const [ansible] = build.provisioner.ansible;
    expect(ansible).toEqual({
      playbook_file: '${local.repo_root}/ansible/playbooks/worker.yml',
      command: '${var.ansible_playbook}',
      user: example.admin.user,
      groups: ['workers'],
      host_alias: '${var.node_name}',
      ansible_env_vars: ['ANSIBLE_CONFIG=${local.repo_root}/ansible/ansible.cfg'],
      use_sftp: true,
      extra_arguments: [
        '--extra-vars',
        '@${local.repo_root}/ansible/inventories/production/group_vars/workers.yml',
        '--extra-vars',
        '${jsonencode({ node_ip = local.node.ip, hardware_profile = local.node.hardware, node_port_match = local.node.port_match, lolice_build_id = var.build_id, lolice_build_commit = var.git_commit, lolice_image_build = true })}',
      ],
    });
    expect(JSON.stringify(ansible)).not.toContain('hosts.yml');
    expect(ansible.inventory_file).toBeUndefined();
  });

  it('seals the image after Ansible, as root (the shell provisioner before Ansible waits for cloud-init)', () => {
    const text = renderBuild(example, links);
    expect(text.indexOf('provisioner "ansible"')).toBeLessThan(text.lastIndexOf('provisioner "shell"'));
    const seal = build.provisioner.shell.at(-1);
    expect(seal.execute_command).toBe("sudo -n sh -eux '{{ .Path }}'");
    expect(seal.inline).toEqual(sealScript(example));
  });
});

describe('the sealing script', () => {
  const script = sealScript(example);
  const position = (line: string) => {
    const i = script.indexOf(line);
    expect(i, line).toBeGreaterThanOrEqual(0);
    return i;
  };

  it('cleans cloud-init and removes the installer config, empties machine-id', () => {
    position('cloud-init clean --logs');
    position('rm -f /etc/cloud/cloud.cfg.d/99-installer.cfg');
    position('truncate -s 0 /etc/machine-id');
  });

  it('removes the SSH host keys only after checking that the first-boot unit of role first_boot is enabled', () => {
    expect(position(`systemctl is-enabled --quiet ${SSH_HOST_KEYS_UNIT}`)).toBeLessThan(
      position('rm -f /etc/ssh/ssh_host_*'),
    );
  });

  it('turns password SSH off and locks the build password of the model admin', () => {
    const dropin = position("cat > /etc/ssh/sshd_config.d/10-no-password-login.conf <<'EOF'");
    expect(script[dropin + 1]).toBe('PasswordAuthentication no');
    position(`passwd -l ${example.admin.user}`);
    const other = `${example.admin.user}x`;
    expect(sealScript(variant(example, (c) => (c.admin.user = other)))).toContain(`passwd -l ${other}`);
  });

  it('writes nothing Packer or HCL would interpolate', () => {
    for (const line of script) expect(line).not.toMatch(/\$\{|%\{|\{\{/);
  });
});

describe('render', () => {
  it('is deterministic and writes both templates', () => {
    expect(render(example, links)).toEqual(render(example, links));
    expect(Object.keys(render(example, links))).toEqual(['base-ubuntu.pkr.hcl', 'k8s-worker.pkr.hcl']);
  });

  it('picks up a worker added to the model in the node map and in the node_name validation', async () => {
    const more = withNewWorker(example);
    const added = more.nodes.at(-1)!;
    const { base } = await parsed(more);
    expect(base.locals[0].workers[added.name]).toEqual({
      ip: added.ip,
      hardware: added.hardware,
      port_match: portMatch(more, added),
      cpu: '',
    });
    expect(base.variable.node_name[0].validation[0].condition).toContain(`"${added.name}"`);
    expect(base.variable.node_name[0].validation[0].error_message).toContain(added.name);
  });

  it('leaves control-plane nodes and workers of another architecture out', async () => {
    const armProfile = Object.keys(example.hardware).find((p) => example.hardware[p].arch !== 'x86_64')!;
    const withArmWorker = variant(
      example,
      (c) => (c.nodes[c.nodes.findIndex((n) => n.role === 'worker')].hardware = armProfile),
    );
    const text = renderBase(withArmWorker, links);
    const armWorker = withArmWorker.nodes.find((n) => n.role === 'worker' && n.hardware === armProfile)!;
    for (const n of [...example.nodes.filter((x) => x.role === 'control-plane'), armWorker]) {
      expect(text).not.toContain(`"${n.name}"`);
    }
    expect(Object.keys((await parsed(withArmWorker)).base.locals[0].workers)).toEqual(
      built.filter((n) => n !== armWorker.name),
    );
  });
});
