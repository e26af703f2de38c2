/**
 * Prints a command of the committed Packer build, parsed with HashiCorp's HCL parser (or, for
 * the installer's late-commands, the committed user-data as Packer's templatefile() serves it),
 * so that test/e2e/first-boot.sh builds and seals its image exactly as the Packer build does:
 *
 *   tsx test/e2e/first-boot/packer-commands.ts late-commands  # the autoinstall's late-commands, as sh runs them
 *   tsx test/e2e/first-boot/packer-commands.ts secure-boot    # the Secure Boot check provisioner's script
 *   tsx test/e2e/first-boot/packer-commands.ts seal           # the sealing provisioner's script
 *   tsx test/e2e/first-boot/packer-commands.ts shutdown       # the shutdown command
 *   tsx test/e2e/first-boot/packer-commands.ts build-record-vars ID COMMIT
 *       # the extra variables that carry a build's id and commit to worker.yml (as JSON)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';
import { HTTP_FILES, renderTemplate, templateVarNames } from '@lolice/autoinstall-gen';
import { PACKER_DIR, PACKER_HTTP_SUBDIR } from '@lolice/node-model';
import { BUILD_RECORD_ANSIBLE_VARS, secureBootScript, TEMPLATE_FILES } from '@lolice/packer-gen';
import { REPO_ROOT } from '../../lib/repo-copy';

type Hcl = Record<string, any>;
const read = async (file: string): Promise<Hcl> =>
  (await parse(file, readFileSync(join(REPO_ROOT, PACKER_DIR, file), 'utf8'))) as Hcl;

/** A word for sh, single-quoted. */
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** The build's shell provisioners, in order (hcl2json keeps it). */
async function shellProvisioners(): Promise<Hcl[]> {
  const build = (await read(TEMPLATE_FILES.build)).build[0];
  return (build.provisioner.shell as Hcl[] | undefined) ?? [];
}

/**
 * The late-commands of the committed user-data as a script: each one as Subiquity runs it (a
 * string by `sh -c`, a list as an argv), the first failure ending the install. The template's
 * variables get stand-in values: no late-command uses them.
 */
function lateCommands(): string {
  const template = readFileSync(join(REPO_ROOT, PACKER_DIR, PACKER_HTTP_SUBDIR, HTTP_FILES.userData), 'utf8');
  const vars = Object.fromEntries(templateVarNames(template).map((name) => [name, `stand-in-${name}`]));
  const commands: unknown = parseYaml(renderTemplate(template, vars))?.autoinstall?.['late-commands'];
  if (!Array.isArray(commands) || commands.length === 0) throw new Error(`${HTTP_FILES.userData}: no late-commands`);
  const lines = commands.map((cmd: string | string[]) =>
    typeof cmd === 'string' ? `sh -c ${quote(cmd)}` : cmd.map(quote).join(' '),
  );
  return ['set -e', ...lines].join('\n');
}

async function main(what: string, args: string[]): Promise<string> {
  if (what === 'late-commands') return `${lateCommands()}\n`;
  if (what === 'secure-boot') {
    const check = (await shellProvisioners()).find((p) => p.inline?.[0] === secureBootScript()[0]);
    if (!check) throw new Error(`${TEMPLATE_FILES.build}: no Secure Boot check provisioner`);
    return `${(check.inline as string[]).join('\n')}\n`;
  }
  if (what === 'seal') {
    // The sealing step is the build's last shell provisioner.
    const seal = (await shellProvisioners()).at(-1);
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
  throw new Error(
    `usage: packer-commands.ts late-commands|secure-boot|seal|shutdown|build-record-vars ID COMMIT (got "${what}")`,
  );
}

main(process.argv[2] ?? '', process.argv.slice(3)).then(
  (text) => process.stdout.write(text),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
