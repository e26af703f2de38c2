import { ACTION_PINS, TOOL_VERSIONS, usesOf } from './pins';
import { PACKER_DIR } from './settings';
import type { Step } from './types';

/** Joins script lines into a `run:` block (one trailing newline). */
export const script = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** Check out the commit under test without leaving the token in .git/config. */
export const checkout = (): Step => ({
  name: 'Check out the repository',
  uses: usesOf(ACTION_PINS.checkout),
  with: { 'persist-credentials': false },
});

/**
 * GitHub-hosted runners expose /dev/kvm only to root until a udev rule opens
 * it; without it QEMU falls back to emulation and a build takes hours.
 */
export const enableKvm = (): Step => ({
  name: 'Enable KVM for the runner user (udev rule)',
  run: script(
    'echo \'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"\' | sudo tee /etc/udev/rules.d/99-kvm4all.rules',
    'sudo udevadm control --reload-rules',
    'sudo udevadm trigger --name-match=kvm',
    'sudo udevadm settle',
  ),
});

/** Stops the job before the build when KVM is not usable. */
export const checkKvm = (): Step => ({
  name: 'Check that /dev/kvm is writable',
  run: script(
    'if [[ ! -w /dev/kvm ]]; then',
    '  echo "::error::/dev/kvm is missing or not writable: a QEMU build would fall back to emulation and take hours"',
    '  exit 1',
    'fi',
    'ls -l /dev/kvm',
  ),
});

/** Installs the pinned Packer release. */
export const setupPacker = (): Step => ({
  name: 'Set up Packer',
  uses: usesOf(ACTION_PINS.setupPacker),
  with: { version: TOOL_VERSIONS.packer },
});

/** `packer init`: installs the plugins the templates require (API token only against GitHub's rate limit). */
export const packerInit = (): Step => ({
  name: 'packer init',
  env: { PACKER_GITHUB_API_TOKEN: '${{ github.token }}' },
  run: script(`packer init ${PACKER_DIR}`),
});

/**
 * Lines that put a fresh random build-only SSH password into
 * PKR_VAR_build_password, masked in the log. It exists only in this step.
 */
export const randomBuildPassword = (): string[] => [
  'build_password="$(openssl rand -hex 24)"',
  'echo "::add-mask::${build_password}"',
  'export PKR_VAR_build_password="${build_password}"',
];

/** `packer validate` for one node (NODE_NAME from env) with a throwaway password. */
export const packerValidate = (env?: Readonly<Record<string, string>>): Step => ({
  name: 'packer validate',
  ...(env ? { env } : {}),
  run: script(...randomBuildPassword(), `packer validate -var "node_name=\${NODE_NAME}" ${PACKER_DIR}`),
});
