import * as vscode from 'vscode';

/** Where a prompt stands in a multi-step flow: VS Code shows "2/5" in the box's title bar. */
export interface Step {
  step: number;
  totalSteps: number;
}

/**
 * `showInputBox` for one step of a guided flow: the same options, plus the step counter that only
 * `createInputBox` offers. Validation runs as the user types and again on Enter (a value that fails keeps the box
 * open with the message; a message of Info or Warning severity is shown and does not hold the value back, as in
 * showInputBox). Resolves with the accepted value, or undefined on Escape.
 */
export function inputStep(options: vscode.InputBoxOptions, where: Step): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  box.title = options.title;
  box.step = where.step;
  box.totalSteps = where.totalSteps;
  box.prompt = options.prompt;
  box.placeholder = options.placeHolder;
  box.value = options.value ?? '';
  box.password = options.password ?? false;
  box.ignoreFocusOut = options.ignoreFocusOut ?? false;
  /** What to show under the box, and the message that holds the value back (an error), if any. */
  const validate = async (value: string): Promise<{ shown: string | vscode.InputBoxValidationMessage | undefined; blocking: string | undefined }> => {
    const r = await options.validateInput?.(value);
    if (!r) return { shown: undefined, blocking: undefined };
    if (typeof r === 'string') return { shown: r, blocking: r };
    return { shown: r, blocking: r.severity === vscode.InputBoxValidationSeverity.Error ? r.message : undefined };
  };
  return new Promise((resolve) => {
    let settled = false;
    let generation = 0;
    const finish = (value: string | undefined): void => {
      if (settled) return;
      settled = true;
      for (const d of subscriptions) d.dispose();
      box.dispose();
      resolve(value);
    };
    const check = async (value: string): Promise<string | undefined> => {
      const mine = ++generation;
      const { shown, blocking } = await validate(value);
      if (mine === generation && !settled) box.validationMessage = shown;
      return blocking;
    };
    const subscriptions = [
      box.onDidChangeValue((v) => void check(v)),
      box.onDidAccept(async () => {
        const value = box.value;
        if ((await check(value)) === undefined) finish(value);
      }),
      box.onDidHide(() => finish(undefined)),
    ];
    box.show();
    if (box.value) void check(box.value);
  });
}

/**
 * `showQuickPick` (one item) for one step of a guided flow, with the step counter. The first item that is not a
 * separator is the active one, as in showQuickPick. Resolves with the accepted item, or undefined on Escape.
 */
export function pickStep<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions, where: Step): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = options.title;
  qp.step = where.step;
  qp.totalSteps = where.totalSteps;
  qp.placeholder = options.placeHolder;
  qp.matchOnDescription = options.matchOnDescription ?? false;
  qp.matchOnDetail = options.matchOnDetail ?? false;
  qp.ignoreFocusOut = options.ignoreFocusOut ?? false;
  qp.items = items;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (item: T | undefined): void => {
      if (settled) return;
      settled = true;
      for (const d of subscriptions) d.dispose();
      qp.dispose();
      resolve(item);
    };
    const subscriptions = [
      qp.onDidAccept(() => finish(qp.selectedItems[0] ?? qp.activeItems[0])),
      qp.onDidHide(() => finish(undefined)),
    ];
    qp.show();
  });
}
