/**
 * Prints a command of the committed Packer build, parsed with HashiCorp's HCL parser, so that
 * test/e2e/first-boot.sh seals its image exactly as the Packer build seals it:
 *
 *   tsx test/e2e/first-boot/packer-commands.ts seal        # the sealing provisioner's script
 *   tsx test/e2e/first-boot/packer-commands.ts shutdown    # the shutdown command
 *   tsx test/e2e/first-boot/packer-commands.ts build-record-vars ID COMMIT
 *       # the extra variables that carry a build's id and commit to worker.yml (as JSON)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { PACKER_DIR } from '@lolice/node-model';
import { BUILD_RECORD_ANSIBLE_VARS, TEMPLATE_FILES } from '@lolice/packer-gen';
import { REPO_ROOT } from '../../lib/repo-copy';

type Hcl = Record<string, any>;
const read = async (file: string): Promise<Hcl> =>
  (await parse(file, readFileSync(join(REPO_ROOT, PACKER_DIR, file), 'utf8'))) as Hcl;

async function main(what: string, args: string[]): Promise<string> {
  if (what === 'seal') {
    const build = (await read(TEMPLATE_FILES.build)).build[0];
    // The sealing step is the build's last shell provisioner (hcl2json keeps their order).
    const seal: Hcl | undefined = (build.provisioner.shell as Hcl[] | undefined)?.at(-1);
    if (!seal || !Array.isArray(seal.inline)) {
      throw new Error(`${TEMPLATE_FILES.build}: no shell provisioner (the sealing step)`);
    }
    return `${(seal.inline as string[]).join('\n')}\n`;
  }
  if (what === 'shutdown') {
    const sources = (await read(TEMPLATE_FILES.base)).source.qemu as Hcl;
    const command = (Object.values(sources)[0] as Hcl[])[0].shutdown_command;
    if (typeof command !== 'string') throw new Error(`${TEMPLATE_FILES.base}: no shutdown_command`);
    return `${command}\n`;
  }
  if (what === 'build-record-vars' && args.length === 2) {
    const [id, commit] = args;
    return `${JSON.stringify({ [BUILD_RECORD_ANSIBLE_VARS.buildId]: id, [BUILD_RECORD_ANSIBLE_VARS.gitCommit]: commit })}\n`;
  }
  throw new Error(`usage: packer-commands.ts seal|shutdown|build-record-vars ID COMMIT (got "${what}")`);
}

main(process.argv[2] ?? '', process.argv.slice(3)).then(
  (text) => process.stdout.write(text),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
