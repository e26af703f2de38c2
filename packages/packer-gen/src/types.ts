/** The generated Packer templates, by file name inside `packer/x86_64/`. */
export type PackerTemplates = Readonly<Record<string, string>>;

/**
 * What the templates reference in files other generators own. `PACKER_LINKS`
 * takes them from autoinstall-gen and ansible-inventory-gen, so each name and
 * path is written in one place only; tests may hand in others.
 */
export interface PackerLinks {
  /** The files served to the installer (names under `http/`) and the variables of the user-data template. */
  readonly http: {
    readonly userData: string;
    readonly metaData: string;
    readonly hostnameVar: string;
    readonly passwordHashVar: string;
  };
  /** Build-only sudoers drop-in the install creates; the shutdown command removes it. */
  readonly buildSudoersFile: string;
  /** The workers' inventory group and its group-variables file (repository path). */
  readonly ansible: {
    readonly workerGroup: string;
    readonly workerGroupVars: string;
  };
}
