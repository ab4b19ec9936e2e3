/** The marker a truncated text ends with, so a reader knows there was more. */
export const TRUNCATED = '\n… (truncated)';

/**
 * `text` cut to at most `max` UTF-16 units, the marker included, without splitting a surrogate pair: the APIs
 * reject (or silently cut) texts over their limit, and a half emoji is an invalid string to some of them.
 */
export function truncate(text: string, max: number, marker = TRUNCATED): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + marker;
}
