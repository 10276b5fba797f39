/** The parts of m3u8-parser (a maintained HLS parser, test-only) the playlist tests read. */
declare module 'm3u8-parser' {
  export interface ParsedSegment {
    uri: string
    duration: number
    map?: { uri: string; byterange?: { length: number; offset: number } }
    byterange?: { length: number; offset: number }
  }
  export interface ParsedVariant {
    uri: string
    attributes: {
      BANDWIDTH: number
      /** Left as the string it was written as. */
      'AVERAGE-BANDWIDTH'?: string
      CODECS?: string
      RESOLUTION?: { width: number; height: number }
      'FRAME-RATE'?: number
      AUDIO?: string
      SUBTITLES?: string
    }
  }
  export interface ParsedRendition {
    default: boolean
    autoselect: boolean
    language?: string
    uri?: string
    forced?: boolean
    characteristics?: string
  }
  export interface ParsedManifest {
    version?: number
    independentSegments?: boolean
    targetDuration?: number
    mediaSequence?: number
    playlistType?: string
    endList?: boolean
    segments: ParsedSegment[]
    playlists?: ParsedVariant[]
    mediaGroups: Record<
      'AUDIO' | 'VIDEO' | 'SUBTITLES' | 'CLOSED-CAPTIONS',
      Record<string, Record<string, ParsedRendition>>
    >
  }
  export class Parser {
    manifest: ParsedManifest
    push(chunk: string): void
    end(): void
    on(event: 'warn' | 'info', listener: (e: { message: string }) => void): void
  }
}
