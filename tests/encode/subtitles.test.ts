/**
 * Subtitles to WebVTT: ASS/SSA, SubRip and WebVTT files against the cue lists they must give,
 * and the shared WebVTT writer and reader.
 */
import { describe, expect, it } from 'vitest'
import { parseAss } from '../../client/src/encode/subtitles/ass.ts'
import { decodeSubtitleText, subtitleFormatOf, toWebVtt } from '../../client/src/encode/subtitles/index.ts'
import { parseSrt } from '../../client/src/encode/subtitles/srt.ts'
import { formatTimestamp, parseWebVtt, WebVttError, writeWebVtt } from '../../server/lib/webvtt.ts'

const utf8 = (s: string) => new TextEncoder().encode(s)

const ASS_HEADER = `[Script Info]
ScriptType: v4.00+
PlayResX: 1920
PlayResY: 1080

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,60,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,1,2,10,10,10,1
Style: Thoughts,Arial,60,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,-1,0,0,100,100,0,0,1,2,1,2,10,10,10,1
Style: Sign,Arial,40,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,2,1,8,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
`

describe('ASS to WebVTT', () => {
  it('keeps italics and bold, breaks lines at \\N and \\n, and drops every other override tag', () => {
    const cues = parseAss(
      `${ASS_HEADER}Dialogue: 0,0:00:01.00,0:00:03.50,Default,,0,0,0,,{\\fnComic Sans\\c&H0000FF&\\bord3}{\\i1}Hello{\\i0} there,\\Nsecond{\\b1} line{\\b0}
Dialogue: 0,0:00:04.00,0:00:05.00,Default,,0,0,0,,soft\\nbreak and\\hno-break
Dialogue: 0,0:00:05.00,0:00:06.00,Thoughts,,0,0,0,,I think {\\i0}not{\\i1} so
`,
    )
    expect(cues).toEqual([
      { start: 1000, end: 3500, text: '<i>Hello</i> there,\nsecond<b> line</b>' },
      { start: 4000, end: 5000, text: 'soft break and\u00a0no-break' },
      { start: 5000, end: 6000, text: '<i>I think </i>not<i> so</i>' },
    ])
  })

  it('places signs with \\an and \\pos, and the style’s own alignment, as WebVTT cue settings', () => {
    const cues = parseAss(
      `${ASS_HEADER}Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\an8}Top centre
Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\an7}Top left
Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\an5}Middle
Dialogue: 0,0:00:01.00,0:00:02.00,Sign,,0,0,0,,Style says top
Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\pos(480,270)}At a point
Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\an9\\pos(1920,0)}Corner
`,
    )
    expect(cues.map((c) => [c.text, c.settings])).toEqual([
      ['Top centre', { line: '0' }],
      ['Top left', { line: '0', position: '5%,line-left', align: 'left' }],
      ['Middle', { line: '50%,center' }],
      ['<b>Style says top</b>', { line: '0' }],
      ['At a point', { line: '25%,end', position: '25%,center', align: 'center' }],
      ['Corner', { line: '0%,start', position: '100%,line-right', align: 'right' }],
    ])
  })

  it('keeps overlapping lines as separate cues, removes karaoke timing and drawings, and is exact to the millisecond', () => {
    const cues = parseAss(
      `${ASS_HEADER}Dialogue: 0,0:00:00.52,0:00:02.27,Default,,0,0,0,,First
Dialogue: 0,0:00:01.03,0:00:03.01,Default,,0,0,0,,Overlaps the first
Dialogue: 1,0:00:01.03,0:00:03.01,Default,,0,0,0,,Overlaps the first
Dialogue: 0,0:00:03.10,0:00:04.00,Default,,0,0,0,,{\\k20}Ka{\\k30}ra{\\kf40}o{\\ko10}ke
Dialogue: 0,0:00:04.00,0:00:05.00,Default,,0,0,0,,{\\p1}m 0 0 l 100 0 100 100 0 100{\\p0}
Comment: 0,0:00:05.00,0:00:06.00,Default,,0,0,0,,a comment
Dialogue: 0,1:02:03.45,1:02:04.99,Default,,0,0,0,,Late
`,
    )
    expect(cues).toEqual([
      { start: 520, end: 2270, text: 'First' },
      { start: 1030, end: 3010, text: 'Overlaps the first' },
      { start: 3100, end: 4000, text: 'Karaoke' },
      { start: 3_723_450, end: 3_724_990, text: 'Late' },
    ])
  })

  it('reads SSA (v4.00) scripts too', () => {
    const cues = parseAss(`[Script Info]
ScriptType: v4.00

[V4 Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, TertiaryColour, BackColour, Bold, Italic, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, AlphaLevel, Encoding
Style: Default,Arial,20,16777215,65535,65535,-2147483640,0,-1,1,1,0,2,10,10,10,0,0

[Events]
Format: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: Marked=0,0:00:01.00,0:00:02.00,Default,,0000,0000,0000,,Old school
`)
    expect(cues).toEqual([{ start: 1000, end: 2000, text: '<i>Old school</i>' }])
  })
})

describe('SubRip to WebVTT', () => {
  it('reads numbered blocks with CRLF line ends and a byte-order mark, and keeps the HTML-ish tags WebVTT has', () => {
    const srt =
      '\uFEFF1\r\n00:00:00,500 --> 00:00:01,750\r\n<i>English</i> line\r\n\r\n' +
      '2\r\n00:00:02,000 --> 00:00:03,999\r\n<font color="#ff0000">Red</font> & <B>bold</B>\r\n2 < 3\r\n\r\n' +
      '3\r\n00:00:04,000 --> 00:00:05,000\r\n{\\an8}On top\r\n\r\n' +
      '4\r\n01:00:04.5 --> 01:00:05,000 X1:10 X2:20\r\n<i>Unclosed\r\n\r\n'
    expect(parseSrt(srt)).toEqual([
      { start: 500, end: 1750, text: '<i>English</i> line' },
      { start: 2000, end: 3999, text: 'Red &amp; <b>bold</b>\n2 &lt; 3' },
      { start: 4000, end: 5000, text: 'On top', settings: { line: '0' } },
      { start: 3_604_500, end: 3_605_000, text: '<i>Unclosed</i>' },
    ])
  })

  it('skips blocks it cannot read instead of failing the whole file', () => {
    expect(parseSrt('garbage\n\n1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\nno timing here\n')).toEqual([
      { start: 1000, end: 2000, text: 'fine' },
    ])
  })
})

describe('reading subtitle files', () => {
  it('falls back to Windows-1252 for bytes that are not UTF-8, and reads UTF-8 and UTF-16 with their marks', () => {
    expect(decodeSubtitleText(new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80]))).toBe('Café €')
    expect(decodeSubtitleText(utf8('\uFEFFCafé'))).toBe('Café')
    expect(decodeSubtitleText(new Uint8Array([0xff, 0xfe, 0x48, 0, 0xe9, 0]))).toBe('Hé')
  })

  it('converts a Windows-1252 SRT sidecar end to end', () => {
    const bytes = new Uint8Array([
      ...utf8('1\r\n00:00:01,000 --> 00:00:02,000\r\nD'),
      0xe9,
      ...utf8('j'),
      0xe0,
      ...utf8(' vu\r\n'),
    ])
    expect(toWebVtt(bytes, 'srt')).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDéjà vu\n')
  })

  it('knows subtitle files by extension', () => {
    expect(['a.SRT', 'b.vtt', 'c.ass', 'd.ssa', 'e.sub', 'f.mkv'].map(subtitleFormatOf)).toEqual([
      'srt',
      'webvtt',
      'ass',
      'ass',
      null,
      null,
    ])
  })
})

describe('WebVTT', () => {
  it('writes cues in start order with their settings, escaping an arrow in the text', () => {
    const text = writeWebVtt([
      { start: 2000, end: 3000, text: 'second' },
      { start: 500, end: 2250, text: 'a --> b', settings: { line: '0', align: 'left' } },
      { start: 4000, end: 4000, text: 'empty time' },
    ])
    expect(text).toBe(
      'WEBVTT\n\n00:00:00.500 --> 00:00:02.250 line:0 align:left\na --&gt; b\n\n00:00:02.000 --> 00:00:03.000\nsecond\n',
    )
  })

  it('reads back what it writes, skipping notes, styles and cue identifiers', () => {
    const cues = parseWebVtt(
      'WEBVTT - a title\r\n\r\nNOTE written by hand\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\nintro\r\n00:01.000 --> 00:02.500 line:0 position:10%,line-left\r\nHi\r\nthere\r\n\r\n01:00:00.000 --> 01:00:01.000\r\n<v Bob>Late',
    ).cues
    expect(cues).toEqual([
      { start: 1000, end: 2500, text: 'Hi\nthere', settings: { line: '0', position: '10%,line-left' } },
      { start: 3_600_000, end: 3_601_000, text: '<v Bob>Late' },
    ])
    expect(formatTimestamp(3_723_004)).toBe('01:02:03.004')
  })

  it('refuses files that are not WebVTT', () => {
    expect(() => parseWebVtt('1\n00:00:01,000 --> 00:00:02,000\nSRT')).toThrow(WebVttError)
    expect(() => parseWebVtt('WEBVTT\n\n00:01 --> 00:02\nbad')).toThrow(/Malformed cue timing/)
  })
})
