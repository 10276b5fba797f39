/**
 * Subtitle files as text. Most are UTF-8 (with or without a byte-order mark), some UTF-16, and old
 * European SRT files are Windows-1252: bytes that are not valid UTF-8 are read as Windows-1252,
 * which maps every byte to a character, so nothing is lost and accents come out right.
 * @module
 */

/**
 * @example decodeSubtitleText(new Uint8Array([0x43, 0x61, 0x66, 0xe9])) // 'Café' (Windows-1252)
 */
export function decodeSubtitleText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder('utf-8').decode(bytes.subarray(3))
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2))
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2))
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return windows1252(bytes)
  }
}

// Windows-1252 is Latin-1 but for 0x80–0x9F. Spelled out rather than left to TextDecoder: Node's
// decoder for the label treats it as plain Latin-1 (no €, no curly quotes).
const HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178'

function windows1252(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 0x4000) {
    const chunk = bytes.subarray(i, i + 0x4000)
    out += String.fromCharCode(
      ...Array.from(chunk, (b) => (b >= 0x80 && b < 0xa0 ? HIGH.charCodeAt(b - 0x80) : b)),
    )
  }
  return out
}
