import { FileBase, type IResolver, type Project } from 'projen';

export interface GeneratedTextFileOptions {
  /** The rendered contents, without a marker. */
  readonly content: string;
  /** Wraps the projen marker in the file format's comment syntax, e.g. `(m) => '# ' + m`. */
  readonly comment: (marker: string) => string;
  /**
   * Lines the marker must come after: a file whose first line is a directive
   * (`#cloud-config`, a shebang) keeps that line first.
   * @default 0
   */
  readonly markerAfterLine?: number;
  /** Whether the file is executable. @default false */
  readonly executable?: boolean;
}

/**
 * A generated text file whose projen marker is written in the file's own
 * comment syntax, for formats projen has no class for (HCL, Markdown, user-data).
 */
export class GeneratedTextFile extends FileBase {
  constructor(
    project: Project,
    path: string,
    private readonly options: GeneratedTextFileOptions,
  ) {
    super(project, path, { executable: options.executable, marker: true });
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const lines = this.options.content.split('\n');
    const at = this.options.markerAfterLine ?? 0;
    const marker = this.marker ? [this.options.comment(this.marker)] : [];
    return [...lines.slice(0, at), ...marker, ...lines.slice(at)].join('\n');
  }
}
