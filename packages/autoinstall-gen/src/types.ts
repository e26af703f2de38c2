/** The two files Packer serves to Ubuntu's installer (cloud-init NoCloud over HTTP). */
export interface AutoinstallFiles {
  /**
   * `http/user-data`: `#cloud-config` with the `autoinstall:` section. It is a
   * Packer template (HCL `templatefile()` syntax): `${hostname}` and
   * `${password_hash}` are filled in at build time, every other `${`/`%{`
   * is escaped.
   */
  readonly userData: string;
  /** `http/meta-data`: the NoCloud instance id. */
  readonly metaData: string;
}

/** Values Packer passes to `templatefile()` for the user-data, by template variable name. */
export type UserDataTemplateVars = Readonly<Record<string, string>>;

/** One entry of the `packages:` list, with the reason it is installed. */
export interface PackageChoice {
  readonly name: string;
  readonly why: string;
}

/** One installer command (string: run by `sh -c`; array: executed directly), with its reason. */
export interface InstallerCommand {
  readonly run: string | readonly string[];
  readonly why: string;
}
