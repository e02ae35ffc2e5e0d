import * as vscode from 'vscode';

/** What a test reads of the status bar item. */
export interface StatusBarSnapshot {
  visible: boolean;
  text: string;
  tooltip: string;
  accessibilityLabel: string;
  /** ThemeColor id of the background, if any. */
  background?: string;
  command?: string;
  /** How many times the item was shown or hidden, i.e. rendered (every render ends with one of the two). */
  renders: number;
}

/**
 * Wraps the real status bar item the extension creates, so a test can read what it shows and count renders,
 * without the product class carrying any of it.
 */
export class StatusBarRecorder {
  private item: vscode.StatusBarItem | undefined;
  private visible = false;
  private renders = 0;

  /** For Seams.statusBarItem: the real item, with show/hide counted. */
  readonly wrap = (item: vscode.StatusBarItem): vscode.StatusBarItem => {
    const show = item.show.bind(item);
    const hide = item.hide.bind(item);
    item.show = () => {
      this.visible = true;
      this.renders++;
      show();
    };
    item.hide = () => {
      this.visible = false;
      this.renders++;
      hide();
    };
    this.item = item;
    return item;
  };

  snapshot(): StatusBarSnapshot {
    const item = this.item;
    if (!item) throw new Error('the extension has not created its status bar item');
    const tooltip = item.tooltip;
    const bg = item.backgroundColor;
    const command = item.command;
    return {
      visible: this.visible,
      text: item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''),
      accessibilityLabel: item.accessibilityInformation?.label ?? '',
      background: bg instanceof vscode.ThemeColor ? (bg as unknown as { id: string }).id : undefined,
      command: typeof command === 'string' ? command : command?.command,
      renders: this.renders,
    };
  }
}
