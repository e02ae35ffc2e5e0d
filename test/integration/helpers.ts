// Shared set-up for the suites that run inside the real VS Code: the extension's test hooks, the EQP sandbox
// server wired into the user settings, and scripted answers to the extension's prompts (the test files get
// the extension's own `vscode` API object, so replacing `vscode.window.showInputBox` here is what the
// extension's prompts call).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EqpKeysTestApi as EqpKeysApi } from '../entry/extension';
import { EqpSandbox } from '../sandbox/server';

export const EXTENSION_ID = 'eqp-keys.eqp-keys';
export type TestApi = NonNullable<EqpKeysApi['test']>;

/**
 * Lets the extension's renders catch up: the status bar, tree and terminal export merge the events of 30 ms into
 * one render (a plain render of the token service's state, so nothing else is pending once that has run).
 */
export async function settled(): Promise<void> {
  await new Promise((r) => setTimeout(r, 120));
}

/**
 * Sets a user setting `eqp.<key>` and waits until this extension host reads the new value: `update()` can
 * resolve a moment before the configuration the extension reads has the change.
 */
export async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('eqp').update(key, value, vscode.ConfigurationTarget.Global);
  for (let i = 0; i < 100; i++) {
    const seen = vscode.workspace.getConfiguration('eqp').inspect(key)?.globalValue;
    if (JSON.stringify(seen) === JSON.stringify(value)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`the setting eqp.${key} did not take the value ${JSON.stringify(value)}`);
}

export async function testApi(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<EqpKeysApi>(EXTENSION_ID);
  assert.ok(ext, 'extension not loaded');
  const hooks = await ext.activate();
  assert.ok(hooks.test, 'test hooks are missing: is the extension running in ExtensionMode.Test?');
  return hooks.test;
}

const URL_SETTINGS = ['production.apiUrl', 'sandbox.apiUrl', 'production.portalUrl', 'sandbox.portalUrl', 'environment', 'token.commandAccess'] as const;

/** Starts the EQP sandbox server and points the user settings at it. */
export async function startSandbox(): Promise<EqpSandbox> {
  const sandbox = await EqpSandbox.start();
  const cfg = vscode.workspace.getConfiguration('eqp');
  const g = vscode.ConfigurationTarget.Global;
  await cfg.update('production.apiUrl', sandbox.apiUrl('production'), g);
  await cfg.update('sandbox.apiUrl', sandbox.apiUrl('sandbox'), g);
  await cfg.update('production.portalUrl', sandbox.portalUrl('production'), g);
  await cfg.update('sandbox.portalUrl', sandbox.portalUrl('sandbox'), g);
  // The suites call eqp.token.get as a task would, many times: its consent (asked once per workspace and
  // environment) is what test/integration/trust.test.ts tests, with this setting back at "ask".
  await cfg.update('token.commandAccess', 'allow', g);
  return sandbox;
}

export async function stopSandbox(sandbox: EqpSandbox | undefined): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('eqp');
  for (const k of URL_SETTINGS) await cfg.update(k, undefined, vscode.ConfigurationTarget.Global);
  await sandbox?.close();
}

/** A clean start for a test: no key in VS Code or in the sandbox's portal (which has the same 3-key limit), no fault. */
export async function resetAll(api: TestApi, sandbox: EqpSandbox): Promise<void> {
  await clearKeys(api);
  sandbox.clearFaults();
  sandbox.deleteAllKeys();
}

/** Deletes every stored key (scripted, so no prompts) and any test fault. */
export async function clearKeys(api: TestApi): Promise<void> {
  api.faults.reset();
  for (const k of api.store.list()) await vscode.commands.executeCommand('eqp.keys.delete', { environment: k.environment, name: k.name, confirm: false });
  assert.equal(api.store.list().length, 0);
}

export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  message: string;
  detail?: string;
  modal: boolean;
  items: string[];
}

type Answer<T> = T | ((arg: never) => T);

/**
 * Replaces the prompt functions of `vscode.window` (and `env.openExternal`) with scripted answers, recording
 * everything shown. An input answer that fails the box's own validateInput is recorded in `invalid` and the next
 * queued answer is used, as a person retyping would. An unqueued prompt answers undefined (Escape).
 */
export class ScriptedUi {
  /** Every input box shown, with the step counter of the guided flows' boxes (createInputBox). */
  readonly inputs: (vscode.InputBoxOptions & { step?: number; totalSteps?: number })[] = [];
  readonly invalid: { value: string; message: string }[] = [];
  /**
   * Every value typed into a box, with the box's `password` flag at the moment the value was set (so a test can
   * tell a pasted secret was never in a clear box). Holds secrets: kept out of allText().
   */
  readonly typed: { value: string; password: boolean; title?: string; step?: number }[] = [];
  readonly picks: { title?: string; items: string[]; descriptions?: (string | undefined)[]; details?: (string | undefined)[]; step?: number; totalSteps?: number }[] = [];
  readonly messages: ShownMessage[] = [];
  readonly opened: string[] = [];
  private inputAnswers: Answer<string | undefined>[] = [];
  private pickAnswers: ((items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined)[] = [];
  private messageAnswers: (string | undefined)[] = [];
  private readonly saved: [object, string, unknown][] = [];

  constructor() {
    const w = vscode.window as unknown as Record<string, unknown>;
    this.replace(w, 'showInputBox', async (opts: vscode.InputBoxOptions = {}) => {
      this.inputs.push(opts);
      for (;;) {
        if (this.inputAnswers.length === 0) return undefined;
        const next = this.inputAnswers.shift();
        const value = typeof next === 'function' ? (next as (o: vscode.InputBoxOptions) => string | undefined)(opts) : next;
        if (value === undefined) return undefined;
        this.typed.push({ value, password: opts.password === true, title: opts.title });
        const problem = await opts.validateInput?.(value);
        const message = typeof problem === 'string' ? problem : problem?.severity === vscode.InputBoxValidationSeverity.Error ? problem.message : undefined;
        if (!message) return value;
        this.invalid.push({ value, message });
      }
    });
    this.replace(w, 'showQuickPick', async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, opts: vscode.QuickPickOptions = {}) => {
      const list = await items;
      this.picks.push({ title: opts.title, items: list.map((i) => i.label), descriptions: list.map((i) => i.description), details: list.map((i) => i.detail) });
      const answer = this.pickAnswers.shift();
      return answer ? answer(list) : undefined;
    });
    // The guided flows' boxes (createInputBox / createQuickPick, for their step counters) get the same answers.
    this.replace(w, 'createInputBox', () => this.fakeInputBox());
    this.replace(w, 'createQuickPick', () => this.fakeQuickPick());
    for (const [fn, level] of [['showInformationMessage', 'info'], ['showWarningMessage', 'warning'], ['showErrorMessage', 'error']] as const) {
      this.replace(w, fn, async (message: string, ...rest: unknown[]) => {
        const opts = typeof rest[0] === 'object' && rest[0] !== null && !('title' in (rest[0] as object)) ? (rest.shift() as vscode.MessageOptions) : undefined;
        const items = rest.map((r) => (typeof r === 'string' ? r : (r as vscode.MessageItem).title));
        this.messages.push({ level, message, detail: opts?.detail, modal: !!opts?.modal, items });
        const answer = this.messageAnswers.shift();
        return answer && items.includes(answer) ? answer : undefined;
      });
    }
    this.replace(vscode.env as unknown as Record<string, unknown>, 'openExternal', async (uri: vscode.Uri) => {
      this.opened.push(uri.toString(true));
      return true;
    });
  }

  /**
   * An InputBox whose show() types the queued answers: each is set as the value (firing onDidChangeValue) and
   * accepted (onDidAccept). The box's own handlers validate; one that keeps the box open (not disposed) with a
   * validationMessage counts as refused, and the next answer is typed. No answer left: Escape (onDidHide).
   */
  private fakeInputBox(): vscode.InputBox {
    const changed = new vscode.EventEmitter<string>();
    const accepted = new vscode.EventEmitter<void>();
    const hidden = new vscode.EventEmitter<void>();
    let disposed = false;
    const box = {
      value: '', title: undefined, prompt: undefined, placeholder: undefined, password: false, ignoreFocusOut: false,
      step: undefined, totalSteps: undefined, validationMessage: undefined as string | vscode.InputBoxValidationMessage | undefined,
      enabled: true, busy: false, buttons: [], valueSelection: undefined,
      onDidChangeValue: changed.event, onDidAccept: accepted.event, onDidHide: hidden.event, onDidTriggerButton: new vscode.EventEmitter<vscode.QuickInputButton>().event,
      hide: () => hidden.fire(),
      dispose: () => { disposed = true; },
      show: () => {
        const opts = { title: box.title, prompt: box.prompt, placeHolder: box.placeholder, value: box.value, password: box.password, ignoreFocusOut: box.ignoreFocusOut, step: box.step, totalSteps: box.totalSteps };
        this.inputs.push(opts);
        void (async () => {
          for (;;) {
            await new Promise((r) => setTimeout(r, 0));
            const next = this.inputAnswers.shift();
            const value = typeof next === 'function' ? (next as (o: vscode.InputBoxOptions) => string | undefined)(opts) : next;
            if (value === undefined) { hidden.fire(); return; }
            box.value = value;
            this.typed.push({ value, password: box.password, title: box.title, step: box.step });
            changed.fire(value);
            accepted.fire();
            for (let i = 0; i < 100 && !disposed; i++) await new Promise((r) => setTimeout(r, 5));
            if (disposed) return;
            const m = box.validationMessage;
            this.invalid.push({ value, message: typeof m === 'string' ? m : (m?.message ?? '') });
          }
        })();
      },
    };
    return box as unknown as vscode.InputBox;
  }

  /** A QuickPick whose show() picks the queued answer (onDidAccept), or presses Escape (onDidHide). */
  private fakeQuickPick(): vscode.QuickPick<vscode.QuickPickItem> {
    const accepted = new vscode.EventEmitter<void>();
    const hidden = new vscode.EventEmitter<void>();
    const qp = {
      items: [] as readonly vscode.QuickPickItem[], activeItems: [] as readonly vscode.QuickPickItem[], selectedItems: [] as readonly vscode.QuickPickItem[],
      title: undefined as string | undefined, step: undefined as number | undefined, totalSteps: undefined as number | undefined, placeholder: undefined,
      value: '', matchOnDescription: false, matchOnDetail: false, ignoreFocusOut: false, canSelectMany: false, enabled: true, busy: false, buttons: [],
      onDidAccept: accepted.event, onDidHide: hidden.event, onDidChangeValue: new vscode.EventEmitter<string>().event,
      onDidChangeActive: new vscode.EventEmitter<readonly vscode.QuickPickItem[]>().event, onDidChangeSelection: new vscode.EventEmitter<readonly vscode.QuickPickItem[]>().event,
      onDidTriggerButton: new vscode.EventEmitter<vscode.QuickInputButton>().event, onDidTriggerItemButton: new vscode.EventEmitter<vscode.QuickPickItemButtonEvent<vscode.QuickPickItem>>().event,
      hide: () => hidden.fire(),
      dispose: () => undefined,
      show: () => {
        this.picks.push({ title: qp.title, items: qp.items.map((i) => i.label), descriptions: qp.items.map((i) => i.description), details: qp.items.map((i) => i.detail), step: qp.step, totalSteps: qp.totalSteps });
        void (async () => {
          await new Promise((r) => setTimeout(r, 0));
          const answer = this.pickAnswers.shift();
          const item = answer?.(qp.items);
          if (!item) { hidden.fire(); return; }
          qp.selectedItems = [item];
          accepted.fire();
        })();
      },
    };
    return qp as unknown as vscode.QuickPick<vscode.QuickPickItem>;
  }

  private replace(target: Record<string, unknown>, name: string, fn: unknown): void {
    this.saved.push([target, name, target[name]]);
    target[name] = fn;
  }

  /** Queue answers to input boxes, in order. */
  input(...values: Answer<string | undefined>[]): this {
    this.inputAnswers.push(...values);
    return this;
  }
  /** Queue a QuickPick answer: the first item whose label contains `text`. */
  pick(text: string): this {
    this.pickAnswers.push((items) => items.find((i) => i.label.includes(text)));
    return this;
  }
  /** Queue the button to press on the next message that has buttons (undefined: dismiss). */
  answer(item: string | undefined): this {
    this.messageAnswers.push(item);
    return this;
  }
  allText(): string {
    return JSON.stringify({ inputs: this.inputs.map((i) => ({ ...i, validateInput: undefined })), invalid: this.invalid, picks: this.picks, messages: this.messages });
  }
  restore(): void {
    for (const [target, name, fn] of this.saved.reverse()) (target as Record<string, unknown>)[name] = fn;
    this.saved.length = 0;
  }
}

/** Waits until `check` passes (for state that settles through events), failing after `ms`. */
/**
 * Returns a function that (re)writes `file` with `content` now and then at most once a second: call it from
 * `eventually` while waiting for VS Code to read the file. VS Code 1.90's file watcher (code-server 4.90.3) now and
 * then misses a file created in the workspace while the suite runs; a second write is seen.
 */
export function rewriter(file: string, content: string): () => void {
  let last = 0;
  return () => {
    if (Date.now() - last < 1000) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    last = Date.now();
  };
}

/** The repository's demo Magento module (test/fixtures/demo-module), found above wherever the suite was staged. */
export function demoModuleFixture(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'demo-module');
    if (fs.existsSync(path.join(candidate, 'composer.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`test/fixtures/demo-module not found above ${__dirname}`);
  }
}

export async function eventually(check: () => void | Promise<void>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A scripted call's error, as the script sees it: the command must throw, with a message matching `pattern`. */
export async function refused(id: string, arg: unknown, pattern: RegExp): Promise<Error> {
  let caught: unknown;
  try {
    await vscode.commands.executeCommand(id, arg);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `${id} did not throw`);
  assert.match(caught.message, pattern);
  return caught;
}
