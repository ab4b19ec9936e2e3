/**
 * Plain text as an Atlassian Document Format document, which Jira Cloud's REST API v3 requires for descriptions
 * and comments (a plain string is refused): blank lines separate paragraphs, line breaks stay line breaks, and
 * URLs become links (ADF text is not auto-linked, and the runbook link must be clickable).
 */

/** An ADF node. */
export interface AdfNode {
  readonly type: string;
  readonly text?: string;
  readonly marks?: readonly { type: 'link'; attrs: { href: string } }[];
  readonly content?: readonly AdfNode[];
}

/** An ADF document. */
export interface AdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfNode[];
}

const URL = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?')\]]/g;

/** The document of `text`; blank text gives a document without paragraphs. */
export function adf(text: string): AdfDoc {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .filter((p) => p.trim() !== '')
    .map((p) => ({ type: 'paragraph', content: p.split('\n').flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' }] : []), ...inline(line)]) }));
  return { type: 'doc', version: 1, content: paragraphs };
}

/** One line as text nodes, URLs as links; no empty text node (Jira refuses them). */
function inline(line: string): AdfNode[] {
  const nodes: AdfNode[] = [];
  let at = 0;
  for (const match of line.matchAll(URL)) {
    if (match.index > at) nodes.push({ type: 'text', text: line.slice(at, match.index) });
    nodes.push({ type: 'text', text: match[0], marks: [{ type: 'link', attrs: { href: match[0] } }] });
    at = match.index + match[0].length;
  }
  if (at < line.length) nodes.push({ type: 'text', text: line.slice(at) });
  return nodes;
}
