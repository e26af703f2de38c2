import { describe, expect, it } from 'vitest';
import { attr, blank, block, bool, comment, file, heredoc, inlineList, list, object, raw, str, tmpl } from '../src/hcl';

describe('the HCL writer', () => {
  it('aligns = over consecutive one-line attributes, as packer fmt does', () => {
    const text = file([
      block(
        'source',
        ['qemu', 'x'],
        [attr('cpus', raw('2')), attr('headless', bool(true)), comment('next group'), attr('vm_name', str('a'))],
      ),
    ]);
    expect(text).toBe(
      ['source "qemu" "x" {', '  cpus     = 2', '  headless = true', '  # next group', '  vm_name = "a"', '}', ''].join(
        '\n',
      ),
    );
  });

  it('ends a group at an attribute whose value spans lines, and writes that one unaligned', () => {
    const text = file([
      attr('boot_wait', str('10s')),
      attr('boot_command', list([str('c')])),
      attr('cpus', raw('2')),
      attr('machine', str('q35')),
    ]);
    expect(text).toBe(
      ['boot_wait = "10s"', 'boot_command = [', '  "c",', ']', 'cpus    = 2', 'machine = "q35"', ''].join('\n'),
    );
  });

  it('keeps a heredoc attribute in the group before it and ends the group after it', () => {
    const text = file([attr('a', raw('1')), attr('unit', heredoc(['[Unit]', '', 'x=${y}'])), attr('bb', raw('2'))]);
    expect(text).toBe(['a    = 1', 'unit = <<-EOT', '  [Unit]', '', '  x=$${y}', 'EOT', 'bb = 2', ''].join('\n'));
  });

  it('escapes literals but keeps the interpolations of templates', () => {
    expect(file([attr('a', str('say "${x}" 100%{ \\ ')), attr('b', tmpl('${var.x}.img'))])).toBe(
      'a = "say \\"$${x}\\" 100%%{ \\\\ "\nb = "${var.x}.img"\n',
    );
  });

  it('writes nested objects and blocks with two-space indents', () => {
    const text = file([
      block(
        'locals',
        [],
        [
          attr('m', object([attr('"k"', object([attr('ip', str('1'))]))])),
          blank,
          attr('l', inlineList([str('a'), str('b')])),
        ],
      ),
    ]);
    expect(text).toBe(
      ['locals {', '  m = {', '    "k" = {', '      ip = "1"', '    }', '  }', '', '  l = ["a", "b"]', '}', ''].join(
        '\n',
      ),
    );
  });
});
