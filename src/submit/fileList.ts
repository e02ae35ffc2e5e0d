// What goes into the zip, shown before anything is sent: a QuickPick to confirm (submit) and a read-only document
// (build, and "Show the List" from the QuickPick).
import * as vscode from 'vscode';
import type { ExcludedFile, PackageFile } from './types';

export const PACKAGE_LIST_SCHEME = 'eqp-package';

const REASONS: Record<ExcludedFile['reason'], string> = {
  git: 'version control',
  node_modules: 'node_modules',
  vendor: 'vendor (Composer installs it)',
  gitignore: 'ignored by .gitignore',
  'secret-name': 'always left out: may hold credentials',
  symlink: 'a symbolic link (not followed)',
  'not-a-file': 'not a regular file',
  'zip-output': 'the zip being built',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export interface PackageListing {
  title: string;
  zipName: string;
  zipSize: number;
  files: readonly PackageFile[];
  excluded: readonly ExcludedFile[];
}

/** The listing as text (the read-only document). */
export function listingText(l: PackageListing): string {
  const total = l.files.reduce((a, f) => a + f.size, 0);
  const width = Math.max(20, ...l.files.map((f) => f.path.length), ...l.excluded.map((f) => f.path.length)) + 2;
  const lines = [
    `${l.title}: ${l.zipName}`,
    `${l.files.length} file${l.files.length === 1 ? '' : 's'}, ${formatBytes(total)} (${formatBytes(l.zipSize)} zipped)`,
    '',
    'In the zip:',
    ...l.files.map((f) => `  ${f.path.padEnd(width)}${formatBytes(f.size)}`),
  ];
  if (l.excluded.length > 0) lines.push('', 'Left out:', ...l.excluded.map((f) => `  ${f.path.padEnd(width)}${REASONS[f.reason]}`));
  return `${lines.join('\n')}\n`;
}

/** Read-only documents `eqp-package:/<name>.txt` with the listings of this session. */
export class PackageListDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(PACKAGE_LIST_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  async open(listing: PackageListing): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: PACKAGE_LIST_SCHEME, path: `/${listing.zipName.replace(/\.zip$/u, '')} files.txt` });
    this.texts.set(uri.path, listingText(listing));
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
  }
}

type Choice = 'upload' | 'list' | 'cancel';

/**
 * Asks to confirm the upload with the file list in view: the first item uploads, the second opens the list as a
 * document (then asks again), every file is listed below with its size. Picking a file row asks again too.
 */
export async function confirmFileList(l: PackageListing, action: string, documents: PackageListDocuments): Promise<boolean> {
  const total = l.files.reduce((a, f) => a + f.size, 0);
  for (;;) {
    const items: (vscode.QuickPickItem & { choice?: Choice })[] = [
      { label: `$(cloud-upload) ${action}`, description: `${l.files.length} files, ${formatBytes(l.zipSize)} zipped`, choice: 'upload' },
      { label: '$(list-flat) Show the List in an Editor', choice: 'list' },
      { label: '$(close) Cancel', choice: 'cancel' },
      { label: `In the zip: ${l.files.length} files, ${formatBytes(total)}`, kind: vscode.QuickPickItemKind.Separator },
      ...l.files.map((f) => ({ label: f.path, description: formatBytes(f.size) })),
    ];
    if (l.excluded.length > 0) {
      items.push({ label: `Left out: ${l.excluded.length}`, kind: vscode.QuickPickItemKind.Separator }, ...l.excluded.map((f) => ({ label: f.path, description: REASONS[f.reason] })));
    }
    const picked = await vscode.window.showQuickPick(items, { title: `${l.title}: check what is uploaded`, placeHolder: `${l.zipName}, ${formatBytes(l.zipSize)}: choose "${action}" to go on`, matchOnDescription: true });
    if (!picked || picked.choice === 'cancel') return false;
    if (picked.choice === 'upload') return true;
    if (picked.choice === 'list') await documents.open(l);
  }
}
