// Every command id the code registers (src/constants.ts COMMANDS) is contributed in package.json, and every
// contributed command is registered; menus name only known commands. (After PR-GH scripts/check-commands.js.)
import fs from 'node:fs';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const src = fs.readFileSync('src/constants.ts', 'utf8');
const block = src.match(/export const COMMANDS = \{([\s\S]*?)\} as const/);
if (!block) { console.error('check-commands: COMMANDS not found in src/constants.ts'); process.exit(1); }
const registered = new Set([...block[1].matchAll(/:\s*'([^']+)'/g)].map((m) => m[1]));
const contributed = new Set((pkg.contributes.commands ?? []).map((c) => c.command));
const problems = [];
for (const id of registered) if (!contributed.has(id)) problems.push(`${id} is registered but not contributed`);
for (const id of contributed) if (!registered.has(id)) problems.push(`${id} is contributed but not registered`);
for (const c of pkg.contributes.commands ?? []) {
  if (c.category !== 'EQP') problems.push(`${c.command} has no "EQP" category`);
  if (!/^eqp\.[a-zA-Z]+(\.[a-zA-Z]+)?$/.test(c.command)) problems.push(`${c.command} is not of the form eqp.<area>.<verb>`);
}
for (const [menu, items] of Object.entries(pkg.contributes.menus ?? {})) {
  for (const item of items) if (item.command && !contributed.has(item.command)) problems.push(`menu ${menu} names unknown ${item.command}`);
}
if (problems.length) { console.error(problems.map((p) => `check-commands: ${p}`).join('\n')); process.exit(1); }
console.log(`check-commands: ${registered.size} commands, contributed and registered alike`);
