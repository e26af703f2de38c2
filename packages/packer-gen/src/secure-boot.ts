import { signedBootCheck } from '@lolice/autoinstall-gen';

/** One step of the Secure Boot check: why, then the shell lines. */
interface CheckStep {
  readonly why: string;
  readonly lines: readonly string[];
}

/** Where the check keeps its module lists while it runs (tmpfs; removed at its end). */
const LISTS = '/run/lolice-modules';

/**
 * The build's Secure Boot check, run as root (sudo) after Ansible and before the seal: the build VM
 * booted the installed disk under enforcing firmware (OVMF's Secure Boot code, Microsoft's keys,
 * SMM), so every link from shim to kernel is signed, and nothing Ansible installed breaks that
 * (a reinstalled unsigned GRUB, a DKMS or unsigned kernel module the lockdown would refuse).
 */
export const secureBootSteps = (): CheckStep[] => [
  {
    why: 'Secure Boot is enforced in the build VM: firmware with factory keys started the signed shim, GRUB and kernel (and shim validates)',
    lines: ['test "$(mokutil --sb-state)" = "SecureBoot enabled"'],
  },
  {
    why: "the kernel's lockdown that Secure Boot turns on: only signed modules load",
    lines: ["grep -q '\\[integrity\\]' /sys/kernel/security/lockdown"],
  },
  {
    why: 'EFI/BOOT still holds the signed shim and GRUB after Ansible (a GRUB package upgrade reinstalls it)',
    lines: [signedBootCheck()],
  },
  {
    why: 'no DKMS module: DKMS builds modules outside the signed kernel packages, each would need a key enrolled on every machine',
    lines: [
      'test -z "$(ls -A /var/lib/dkms 2>/dev/null)" || { ls -R /var/lib/dkms >&2; echo "/var/lib/dkms is not empty" >&2; exit 1; }',
    ],
  },
  {
    why: 'every module under /lib/modules is signed (modinfo names its signer): an unsigned one is an out-of-tree module the lockdown refuses',
    lines: [
      `find /lib/modules -type f -name '*.ko*' | sort >${LISTS}`,
      `test -s ${LISTS}`,
      `xargs -r modinfo <${LISTS} | awk '/^filename:/ { f = $2 } /^signer:/ { print f }' | sort -u >${LISTS}.signed`,
      `comm -23 ${LISTS} ${LISTS}.signed >${LISTS}.unsigned`,
      `test ! -s ${LISTS}.unsigned || { cat ${LISTS}.unsigned >&2; echo "unsigned kernel modules (above)" >&2; exit 1; }`,
      `rm -f ${LISTS} ${LISTS}.signed ${LISTS}.unsigned`,
    ],
  },
];

/** The check as Packer's `inline` lines, each step introduced by its reason as a comment. */
export const secureBootScript = (): string[] => secureBootSteps().flatMap((step) => [`# ${step.why}`, ...step.lines]);
