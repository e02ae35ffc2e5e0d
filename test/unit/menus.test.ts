// Which commands each kind of row of the API Keys view offers, read from package.json's menus and evaluated the
// way VS Code does (test/unit/whenClause.ts): the inline icons and the context menu, per row kind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VIEW_SELECTION_ARG } from '../../src/constants';
import { environmentContextValue, keyContextValue } from '../../src/keys/rows';
import { evaluateWhen } from './whenClause';

interface MenuEntry { command: string; when?: string; group?: string }
const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { menus: Record<string, MenuEntry[]>; keybindings?: { command: string; key: string; mac?: string; when?: string; args?: unknown }[]; commands: { command: string; title: string }[] };
};
const titles = new Map(pkg.contributes.commands.map((c) => [c.command, c.title]));

function menuFor(viewItem: string, view = 'eqp.keys'): { inline: string[]; context: string[] } {
  const ctx = { view, viewItem };
  const shown = pkg.contributes.menus['view/item/context']!.filter((e) => evaluateWhen(e.when ?? 'true', ctx));
  const order = (e: MenuEntry): string => e.group ?? '';
  const sorted = [...shown].sort((a, b) => order(a).localeCompare(order(b), 'en', { numeric: true }));
  const names = (list: MenuEntry[]): string[] => list.map((e) => titles.get(e.command) ?? e.command);
  return { inline: names(sorted.filter((e) => order(e).startsWith('inline'))), context: names(sorted.filter((e) => !order(e).startsWith('inline'))) };
}

const CREATE = 'Create API Access Key…';
const PORTAL = 'Open Developer Portal';
const SWITCH = 'Switch Active Key…';
const VERIFY = 'Verify API Access Key';
const COPY_ID = 'Copy Application ID';
const REGEN = 'Regenerate API Access Key…';
const RENAME = 'Rename API Access Key…';
const FORGET = 'Forget Cached Session Token…';
const DELETE = 'Delete API Access Key…';

const TABLE: { row: string; viewItem: string; inline: string[]; context: string[] }[] = [
  { row: 'environment with room', viewItem: environmentContextValue({ active: true, full: false }), inline: [CREATE, PORTAL], context: [CREATE, PORTAL] },
  { row: 'inactive environment with room', viewItem: environmentContextValue({ active: false, full: false }), inline: [CREATE, PORTAL], context: [CREATE, PORTAL] },
  { row: 'full environment (3/3)', viewItem: environmentContextValue({ active: true, full: true }), inline: [PORTAL], context: [PORTAL] },
  { row: 'active key', viewItem: keyContextValue({ active: true, rejected: false, token: false }), inline: [VERIFY], context: [VERIFY, COPY_ID, REGEN, RENAME, DELETE] },
  { row: 'inactive key', viewItem: keyContextValue({ active: false, rejected: false, token: false }), inline: [SWITCH, VERIFY], context: [SWITCH, VERIFY, COPY_ID, REGEN, RENAME, DELETE] },
  { row: 'rejected key (active)', viewItem: keyContextValue({ active: true, rejected: true, token: false }), inline: [REGEN], context: [VERIFY, COPY_ID, REGEN, RENAME, DELETE] },
  { row: 'rejected key (inactive)', viewItem: keyContextValue({ active: false, rejected: true, token: false }), inline: [SWITCH, REGEN], context: [SWITCH, VERIFY, COPY_ID, REGEN, RENAME, DELETE] },
  { row: 'active key holding a token', viewItem: keyContextValue({ active: true, rejected: false, token: true }), inline: [VERIFY], context: [VERIFY, COPY_ID, REGEN, RENAME, FORGET, DELETE] },
  { row: 'inactive rejected key holding a token', viewItem: keyContextValue({ active: false, rejected: true, token: true }), inline: [SWITCH, REGEN], context: [SWITCH, VERIFY, COPY_ID, REGEN, RENAME, FORGET, DELETE] },
];

describe('API Keys view menus (package.json, evaluated per row kind)', () => {
  it('every when clause of every menu and keybinding parses', () => {
    const clauses = [
      ...Object.values(pkg.contributes.menus).flat().map((e) => e.when),
      ...(pkg.contributes.keybindings ?? []).map((k) => k.when),
    ].filter((w): w is string => typeof w === 'string');
    assert.ok(clauses.length > 10);
    for (const w of clauses) assert.doesNotThrow(() => evaluateWhen(w, {}), `cannot parse: ${w}`);
  });

  it('the evaluator refuses "!~", which VS Code does not have (so the check above can fail)', () => {
    assert.throws(() => evaluateWhen('viewItem !~ /\\+active/', { viewItem: 'eqp:key' }), /not an operator/);
    assert.equal(evaluateWhen('!(viewItem =~ /\\+active\\b/)', { viewItem: 'eqp:key+token' }), true);
    assert.equal(evaluateWhen('!(viewItem =~ /\\+active\\b/)', { viewItem: 'eqp:key+active' }), false);
  });

  for (const r of TABLE) {
    it(`${r.row} (${r.viewItem}): inline ${r.inline.join(', ')}`, () => {
      const m = menuFor(r.viewItem);
      assert.deepEqual(m.inline, r.inline, 'inline icons');
      assert.deepEqual(m.context, r.context, 'context menu');
      assert.ok(m.inline.length <= 2, 'at most two inline icons fit a 300 px side bar');
    });
  }

  it('the view\'s keybindings (Enter, F2, Delete / Cmd+Backspace) only work in the view and pass the argument the commands look for', () => {
    const keysView = (pkg.contributes.keybindings ?? []).filter((k) => k.command.startsWith('eqp.keys.'));
    const bindings = keysView.map((k) => `${k.key}${k.mac ? `/${k.mac}` : ''} → ${k.command}`);
    assert.deepEqual(bindings, ['f2 → eqp.keys.rename', 'delete/cmd+backspace → eqp.keys.delete', 'enter → eqp.keys.use']);
    for (const k of keysView) {
      assert.equal(k.args, VIEW_SELECTION_ARG, `${k.command} gets the view's selection marker`);
      assert.equal(evaluateWhen(k.when ?? 'true', { focusedView: 'eqp.keys' }), true);
      assert.equal(evaluateWhen(k.when ?? 'true', { focusedView: 'workbench.explorer.fileView' }), false, 'not outside the view');
      assert.equal(evaluateWhen(k.when ?? 'true', { focusedView: 'eqp.keys', inputFocus: true }), false, 'not while typing in the view\'s filter');
    }
  });

  it('EQP: Session Token Actions… is in the Command Palette (the README lists it there)', () => {
    const hidden = (pkg.contributes.menus.commandPalette ?? []).filter((e) => e.when !== undefined && evaluateWhen(e.when, { 'eqp.hasKeys': true }) === false).map((e) => e.command);
    assert.ok(!hidden.includes('eqp.token.menu'), `hidden from the palette: ${hidden.join(', ')}`);
    assert.ok(hidden.includes('eqp.token.get'), 'eqp.token.get (it returns the token) stays hidden');
  });

  it('nothing of the key menus shows on environment rows, and nothing of the environment menus on key rows', () => {
    for (const r of TABLE) {
      const m = menuFor(r.viewItem);
      const isEnv = r.viewItem.startsWith('eqp:environment');
      for (const t of [...m.inline, ...m.context]) assert.ok(isEnv ? [CREATE, PORTAL].includes(t) : ![CREATE, PORTAL].includes(t), `${t} on ${r.row}`);
    }
  });
});

describe('Composer Keys view menus (package.json, evaluated per row kind)', () => {
  const WRITE = 'Write Composer Key to auth.json…';
  const COPY_PUBLIC = 'Copy Composer Public Key (Username)';
  const COPY_PRIVATE = 'Copy Composer Private Key (Password)';
  const ROTATE = 'Rotate Composer Key…';
  const ENABLE = 'Enable Composer Key';
  const DISABLE = 'Disable Composer Key…';
  const DELETE_KEY = 'Delete Composer Key…';
  const NEW_KEY = 'Create Composer Key…';
  const REFRESH = 'Refresh Composer Keys';
  const rows: { row: string; viewItem: string; inline: string[]; context: string[] }[] = [
    { row: 'environment', viewItem: 'eqp:composerEnvironment', inline: [NEW_KEY], context: [NEW_KEY, REFRESH] },
    { row: 'enabled key', viewItem: 'eqp:composerKey+enabled', inline: [WRITE, COPY_PUBLIC], context: [WRITE, COPY_PUBLIC, COPY_PRIVATE, ROTATE, DISABLE, DELETE_KEY] },
    { row: 'enabled key in auth.json', viewItem: 'eqp:composerKey+enabled+inUse', inline: [WRITE, COPY_PUBLIC], context: [WRITE, COPY_PUBLIC, COPY_PRIVATE, ROTATE, DISABLE, DELETE_KEY] },
    // A disabled key cannot download anything: not offered for auth.json, the clipboard's password or rotation.
    { row: 'disabled key', viewItem: 'eqp:composerKey+disabled', inline: [COPY_PUBLIC, ENABLE], context: [COPY_PUBLIC, ENABLE, DELETE_KEY] },
    { row: 'error row', viewItem: 'eqp:composerError', inline: [REFRESH], context: [] },
    { row: 'empty row', viewItem: 'eqp:composerEmpty', inline: [], context: [] },
  ];
  for (const r of rows) {
    it(`${r.row} (${r.viewItem}): inline ${r.inline.join(', ') || 'none'}`, () => {
      const m = menuFor(r.viewItem, 'eqp.composerKeys');
      assert.deepEqual(m.inline, r.inline, 'inline icons');
      assert.deepEqual(m.context, r.context, 'context menu');
      assert.ok(m.inline.length <= 2, 'at most two inline icons fit a 300 px side bar');
    });
  }

  it('no API Keys row menu shows in the Composer Keys view, and the other way round', () => {
    for (const viewItem of ['eqp:key+active', 'eqp:environment+active']) assert.deepEqual(menuFor(viewItem, 'eqp.composerKeys'), { inline: [], context: [] });
    for (const viewItem of ['eqp:composerKey+enabled', 'eqp:composerEnvironment']) assert.deepEqual(menuFor(viewItem), { inline: [], context: [] });
  });

  it('Delete in the Composer Keys view deletes the focused key, only there and not while typing', () => {
    const bindings = (pkg.contributes.keybindings ?? []).filter((k) => k.command.startsWith('eqp.composer.'));
    assert.deepEqual(bindings.map((k) => `${k.key}/${k.mac} → ${k.command} (${String(k.args)})`), ['delete/cmd+backspace → eqp.composer.delete (eqp.composerKeys:selection)']);
    const when = bindings[0]!.when ?? 'true';
    assert.equal(evaluateWhen(when, { focusedView: 'eqp.composerKeys' }), true);
    assert.equal(evaluateWhen(when, { focusedView: 'eqp.keys' }), false);
    assert.equal(evaluateWhen(when, { focusedView: 'eqp.composerKeys', inputFocus: true }), false);
  });
});
