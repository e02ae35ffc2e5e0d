// Writes bench/RESULTS.md: the run (machine, versions, date, commands), the figures with their budgets, and the
// previous run's figures beside them. The previous figures come from the JSON block at the end of the old file.
import fs from 'node:fs';

const DATA_MARK = 'bench-data';

/** The figures of the run that wrote `file`, or undefined. */
export function readPrevious(file) {
  if (!fs.existsSync(file)) return undefined;
  const match = fs.readFileSync(file, 'utf8').match(new RegExp(`<!-- ${DATA_MARK}\\n([\\s\\S]*?)\\n-->`));
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]);
  } catch {
    return undefined;
  }
}

const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** One Markdown table row. */
export const row = (cells) => `| ${cells.map(cell).join(' | ')} |`;

/**
 * @param {object} o
 * @param {string} o.file
 * @param {object} o.run        { date, commit, machine: string[], commands: string[] }
 * @param {object[]} o.figures  { id, label, value, baseline, ratio, budget, status }
 * @param {object|undefined} o.previous  readPrevious() of the old file
 * @param {{title: string, lines: string[]}[]} o.sections  details after the table
 * @param {string[]} o.notes    how to read the figures
 */
export function writeResults({ file, run, figures, previous, sections, notes }) {
  const prevLabel = previous ? `Previous run (${previous.date.slice(0, 16).replace('T', ' ')} UTC, ${String(previous.commit).split(' ')[0]})` : 'Previous run';
  const prevFigures = previous?.figures ?? {};
  const over = figures.filter((f) => f.status === 'OVER');
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`bench/run.mjs`); each run replaces this file and keeps the figures of the run',
    'before it in the last column. Every ratio is against a baseline measured in the same run, on the same machine.',
    '',
    '## This run',
    '',
    `- Date: ${run.date}`,
    `- Commit: ${run.commit}`,
    ...run.machine.map((m) => `- ${m}`),
    '',
    'Commands (all run by `npm run bench`):',
    '',
    '```sh',
    ...run.commands,
    '```',
    '',
    '## Figures',
    '',
    over.length === 0
      ? 'Every figure is within its budget.'
      : `**Over budget: ${over.map((f) => f.label).join('; ')}.** See "Reading the figures" below.`,
    '',
    row(['Figure', 'This run', 'Baseline (same run)', 'Ratio', 'Budget', 'Result', prevLabel]),
    row(['---', '---', '---', '---', '---', '---', '---']),
    ...figures.map((f) => {
      const prev = prevFigures[f.id];
      const prevText = prev ? `${prev.value}${prev.ratio ? ` (${prev.ratio})` : ''}${prev.status ? ` ${prev.status}` : ''}` : '—';
      return row([f.label, f.value, f.baseline ?? '—', f.ratio ?? '—', f.budget ?? '—', f.status, prevText]);
    }),
    '',
    '## Reading the figures',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  for (const section of sections) lines.push(`## ${section.title}`, '', ...section.lines, '');
  const data = {
    date: run.date,
    commit: run.commit,
    figures: Object.fromEntries(figures.map((f) => [f.id, { value: f.value, ratio: f.ratio, status: f.status }])),
  };
  lines.push(`<!-- ${DATA_MARK}`, JSON.stringify(data, null, 1), '-->', '');
  fs.writeFileSync(file, lines.join('\n'));
}
