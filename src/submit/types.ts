/**
 * Shapes shared by the "submit a package" parts: the repository's eqp-submission.json, the pre-flight problems,
 * the files that go into the zip. No `vscode` import: positions are 0-based line/character, paths are relative to
 * the package root with `/` separators.
 */

/** eqp-submission.json, read and checked (see media/schemas/eqp-submission.schema.json). */
export interface SubmissionSpec {
  /** What to do: `draft` saves it on the portal, `submit` sends it to review. */
  technical: 'draft' | 'submit';
  /** Optional marketing action (the marketing fields are kept on the portal). */
  marketing?: 'draft' | 'submit';
  /** `extension`, `theme` or `shared_package`; default from composer.json's type (theme for magento2-theme). */
  type?: string;
  /** An existing product's SKU (a new version of it); absent for a new product. */
  sku?: string;
  /** Product name (for a new product; also shown in messages). */
  name?: string;
  versionCompatibility: { edition: string; versions: string[] }[];
  /** The release notes' text (read from `release_notes.path` when the file gives a path). */
  releaseNotes?: string;
  /** Where the release notes came from: inline, or the path (relative to the package root). */
  releaseNotesPath?: string;
  licenseType?: string;
  customLicenseName?: string;
  customLicenseUrl?: string;
  /** The user guide PDF, relative to the package root (`documentation_artifacts.user`). */
  userGuide?: string;
  installationGuide?: string;
  referenceGuide?: string;
}

export type Severity = 'error' | 'warning' | 'info';

/** A 0-based range in a file. */
export interface TextRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

/** One pre-flight finding. `file` is relative to the package root (absent: about the package as a whole). */
export interface PreflightProblem {
  /** A short stable code, e.g. `composer-missing-version`, `secret-in-file`, `zip-too-large`. */
  code: string;
  severity: Severity;
  message: string;
  file?: string;
  range?: TextRange;
}

/** One file of the package, as it goes into the zip. */
export interface PackageFile {
  /** Relative to the package root, `/` separators (the name inside the zip). */
  path: string;
  size: number;
}

/**
 * A file left out of the zip, and why. A left-out directory is one entry whose path ends in `/` (its files are not
 * listed one by one). `symlink`: links are never followed (a link could point out of the package); `not-a-file`:
 * sockets, FIFOs, devices; `zip-output`: the zip being written, when it lies inside the package folder.
 */
export interface ExcludedFile {
  path: string;
  reason: 'git' | 'node_modules' | 'vendor' | 'gitignore' | 'secret-name' | 'symlink' | 'not-a-file' | 'zip-output';
}

/** A value that must never be in an uploaded package, with what it is (never the value itself in messages). */
export interface KnownSecret {
  value: string;
  /** e.g. "the application secret of Sandbox key \"CI\"", "a session token", "the private Composer key \"ci\"". */
  what: string;
}
