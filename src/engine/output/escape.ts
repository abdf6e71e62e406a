// Text that came from a Docker engine or a repository is hostile: a container name can carry
// ESC sequences that rewrite a terminal, a label can carry Markdown that turns into a remote image.
// Every text, Markdown and HTML output goes through these helpers; nothing prints such text raw.

/** Longest piece of evidence any report copies; more is cut with a marker saying how much. */
const MAX_EVIDENCE_CHARS = 2000;

// C0 controls except TAB and LF, DEL, and C1 controls (U+0080–U+009F, which include CSI).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Also LF and TAB, for values that must stay on one line (table cells, single-line fields).
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 0x1b) return '\\e';
  if (code === 0x0d) return '\\r';
  if (code === 0x0a) return '\\n';
  if (code === 0x09) return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Makes C0/C1 control characters (ESC, CR, BEL, CSI…) visible as `\e`, `\r`, `\x07`; keeps LF and TAB. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, visible);
}

/** Like escapeControl, and also LF/TAB/line separators: the value stays on one line. */
export function escapeControlOneLine(text: string): string {
  return text.replace(CONTROL_OR_BREAK, visible);
}

/** Cuts text longer than `max` characters, saying how many were left out. */
export function truncate(text: string, max = MAX_EVIDENCE_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** For one-line text output: control characters visible, bounded length. */
export function safeText(text: string, max = MAX_EVIDENCE_CHARS): string {
  return escapeControlOneLine(truncate(text, max));
}

const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&"']/g;

/**
 * Markdown-inert text for one table cell or paragraph: control characters visible, every
 * Markdown/HTML metacharacter backslash-escaped (no links, images, emphasis, tags or code
 * spans can form), line breaks and pipes kept from breaking table rows.
 */
export function escapeMarkdown(text: string, max = MAX_EVIDENCE_CHARS): string {
  return escapeControlOneLine(truncate(text, max)).replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML text or attribute value; control characters made visible first. */
export function escapeHtml(text: string): string {
  return escapeControl(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}
