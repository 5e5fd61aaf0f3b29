/**
 * Text from a profile is data, never markup: everything written into the SVG goes through
 * here. Characters XML 1.0 cannot hold at all (control characters, lone surrogates,
 * U+FFFE/U+FFFF) become U+FFFD rather than being passed through into an unreadable file.
 */

// Lone surrogates, C0 controls other than tab/newline/CR, and the two non-characters.
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SPECIAL = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Newlines, tabs and CRs are legal but would be folded or lost in attributes: keep them visible.
const WHITESPACE = /[\t\n\r]/g;
const WS_ENTITIES: Record<string, string> = { '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Make `s` safe as XML text content or as a double- or single-quoted attribute value. */
export function escapeXml(s: string): string {
  // Fast path: most labels need nothing done.
  if (!/[&<>"'\u0000-\u001f\ud800-\udfff\ufffe\uffff]/.test(s)) return s;
  return s
    .replace(INVALID, '\ufffd')
    .replace(SPECIAL, (c) => ENTITIES[c])
    .replace(WHITESPACE, (c) => WS_ENTITIES[c]);
}
