/**
 * Putting text we do not control (names, labels and messages from the EQP API, a key's name) into Markdown and
 * notifications so that it shows as written and can never form a link, an image, HTML, emphasis or a theme icon.
 * Pure functions (no `vscode` import), unit-tested with a CommonMark renderer.
 */

/** Line breaks and other control characters: one space each run, so text stays on its line and in its paragraph. */
// eslint-disable-next-line no-control-regex
const BREAKS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;
/** Every ASCII punctuation character: CommonMark lets each be escaped with a backslash, and then it is plain text. */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;
/** VS Code's theme-icon syntax (`$(zap)`, `$(sync~spin)`), as MarkdownString with supportThemeIcons and status bar text read it. */
const ICON = /\$\([A-Za-z0-9-]+(?:~[A-Za-z0-9-]*)?\)/g;

/**
 * `text` as Markdown that renders as exactly `text` (line breaks become spaces): every ASCII punctuation character
 * is backslash-escaped, so `[x](command:…)`, `<img>`, `**bold**`, `` ` ``, `&amp;` and `# heading` stay text. A
 * theme icon (`$(zap)`) is escaped as VS Code's own `MarkdownString.appendText` does: VS Code renders icons after
 * the Markdown, so the backslash that tells it "not an icon" must survive the Markdown step (`\\$\(zap\)`).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(BREAKS, ' ')
    .replace(PUNCTUATION, (c) => `\\${c}`)
    .replace(/\\\$\\\(([A-Za-z0-9-]+(?:\\~[A-Za-z0-9-]*)?)\\\)/g, (m) => `\\\\${m}`);
}

/** Inside a code span nothing can be escaped; these are the values that need nothing escaping. */
const CODE_SAFE = /^[A-Za-z0-9@._+-]{1,128}$/;

/**
 * An identifier (application ID, mage_id, public key) as a code span when it is made only of letters, digits and
 * `@._+-` (nothing in it can end the span or be read as an icon); anything else as escaped plain text.
 */
export function markdownCode(text: string): string {
  return CODE_SAFE.test(text) ? `\`${text}\`` : escapeMarkdown(text);
}

/**
 * A `command:` link for a trusted MarkdownString. The title is escaped, and the JSON argument is encoded so that
 * no character of it (including `(`, `)`, `'`, `!` and `*`, which encodeURIComponent keeps) can end the link early.
 */
export function commandLink(title: string, command: string, args?: unknown): string {
  const query = args === undefined ? '' : `?${encodeURIComponent(JSON.stringify(args)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  return `[${title}](command:${command}${query})`;
}

/** Status bar text and QuickPick labels render `$(icon)`: a backslash before it shows it as written. */
export function escapeIcons(text: string): string {
  return text.replace(ICON, (m) => `\\${m}`);
}

/**
 * Text for a notification (showInformationMessage and friends), which turns `[title](command:…)`,
 * `[title](https://…)` and `[title](file:…)` into links that run or open when clicked. A zero-width space between
 * `]` and `(` keeps the text as it looks and makes it no link; line breaks become spaces.
 */
export function unlinkText(text: string): string {
  return text.replace(BREAKS, ' ').replace(/\]\s*\(/g, (m) => `${m.slice(0, -1)}\u200B(`);
}
