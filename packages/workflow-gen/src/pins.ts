/** An action pinned to one commit of its repository. */
export interface ActionPin {
  /** `owner/name` of the action's repository. */
  readonly repository: string;
  /** Full 40-hex commit SHA the release tag points at. */
  readonly sha: string;
  /** The release tag of that commit, written as a comment after `uses:`. */
  readonly version: string;
}

/**
 * Every action the generated workflows use, pinned to the commit of a release
 * (tags can be moved, commits cannot). This is the one table to edit on an
 * upgrade: look up the new tag's commit, change sha and version together.
 */
export const ACTION_PINS = {
  checkout: { repository: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupNode: { repository: 'actions/setup-node', sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  cache: { repository: 'actions/cache', sha: '55cc8345863c7cc4c66a329aec7e433d2d1c52a9', version: 'v6.1.0' },
  configureAwsCredentials: {
    repository: 'aws-actions/configure-aws-credentials',
    sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
    version: 'v6.2.3',
  },
  uploadArtifact: {
    repository: 'actions/upload-artifact',
    sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
    version: 'v7.0.0',
  },
  setupPacker: {
    repository: 'hashicorp/setup-packer',
    sha: 'ce93c3c08a6c2ff2275bf4b54ff0d9a75f6c9789',
    version: 'v3.4.0',
  },
  attestBuildProvenance: {
    repository: 'actions/attest-build-provenance',
    sha: 'a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32',
    version: 'v4.1.0',
  },
  setupTerraform: {
    repository: 'hashicorp/setup-terraform',
    sha: 'dfe3c3f87815947d99a8997f908cb6525fc44e9e',
    version: 'v4.0.1',
  },
} as const satisfies Readonly<Record<string, ActionPin>>;

/** Versions of the tools the workflows install (the actions above take them as inputs). */
export const TOOL_VERSIONS = {
  /** Node.js for `npm ci && npx projen test` (package.json asks for >= 20.9). */
  node: '22',
  /** Packer for init/validate/build of `packer/x86_64`. */
  packer: '1.15.4',
  /** Terraform for validating the synthesized cdktf stack (same release as the development machines). */
  terraform: '1.11.4',
} as const;

/** The `uses:` value of a pinned action: `owner/name@<sha>`, or `owner/name/<path>@<sha>` for an action in a subdirectory (actions/cache/restore). */
export const usesOf = (pin: ActionPin, path?: string): string =>
  `${pin.repository}${path ? `/${path}` : ''}@${pin.sha}`;

/** The release tag of a `uses:` value from the table (subdirectory actions included), for the version comment; undefined when it is not in the table. */
export function versionOf(uses: string): string | undefined {
  const at = uses.lastIndexOf('@');
  const [owner, name] = uses.slice(0, at).split('/');
  return Object.values(ACTION_PINS).find((pin) => usesOf(pin) === `${owner}/${name}${uses.slice(at)}`)?.version;
}
