/** Which audio track and subtitles a viewer starts with. */
import { describe, expect, it } from 'vitest'
import {
  chooseAudio,
  chooseSubtitles,
  forcedSubtitles,
  type TrackOption,
} from '../../client/src/player/track-choice.ts'

const track = (key: string, lang: string | null, ...roles: string[]): TrackOption => ({
  key,
  lang,
  label: key,
  roles,
})
const none = { audio: null, subtitles: null }

const ja = track('ja', 'ja', 'main')
const en = track('en', 'en', 'alternate')
const subtitles = [
  track('en-signs', 'en', 'forced-subtitle'),
  track('en-sdh', 'en', 'caption'),
  track('en-full', 'en', 'subtitle'),
  track('es', 'es', 'subtitle'),
  track('ja-signs', 'ja', 'forced-subtitle'),
]

describe('chooseAudio', () => {
  it('takes the remembered language, then the browser’s, then the main track', () => {
    expect(chooseAudio([ja, en], { audio: 'ja', subtitles: null }, ['en-US'])).toBe(ja)
    expect(chooseAudio([ja, en], none, ['fr-FR', 'en-GB'])).toBe(en)
    expect(chooseAudio([en, ja], none, ['de'])).toBe(ja)
    expect(chooseAudio([track('x', null), track('y', null)], none, [])?.key).toBe('x')
    expect(chooseAudio([], none, ['en'])).toBeNull()
  })

  it('matches a language whatever its spelling or region, preferring the main track of it', () => {
    const commentary = track('ja-commentary', 'ja', 'commentary')
    expect(chooseAudio([commentary, ja], { audio: 'jpn', subtitles: null }, [])).toBe(ja)
  })
})

describe('chooseSubtitles', () => {
  it('shows the viewer’s language under audio they may not understand, dialogue before captions, never the forced track', () => {
    expect(chooseSubtitles(subtitles, 'ja', none, ['en-US'])?.key).toBe('en-full')
    expect(chooseSubtitles(subtitles, 'ja', none, ['pt-BR', 'es-MX'])?.key).toBe('es')
  })

  it('stays off under audio in the viewer’s first language, or when nothing matches', () => {
    expect(chooseSubtitles(subtitles, 'en', none, ['en-US', 'es'])).toBeNull()
    expect(chooseSubtitles(subtitles, 'ja', none, ['de', 'ja'])).toBeNull()
    expect(chooseSubtitles(subtitles, 'ja', none, ['de'])).toBeNull()
  })

  it('follows what the viewer chose last time, "off" included', () => {
    expect(chooseSubtitles(subtitles, 'en', { audio: null, subtitles: 'es' }, ['en'])?.key).toBe('es')
    expect(chooseSubtitles(subtitles, 'ja', { audio: null, subtitles: 'off' }, ['en'])).toBeNull()
    // Remembered, but this movie has none in that language: the browser's language decides.
    expect(chooseSubtitles(subtitles, 'ja', { audio: null, subtitles: 'fr' }, ['en'])?.key).toBe('en-full')
  })

  it('finds the forced subtitles of the audio language, shown while subtitles are off', () => {
    expect(forcedSubtitles(subtitles, 'ja')?.key).toBe('ja-signs')
    expect(forcedSubtitles(subtitles, 'en-GB')?.key).toBe('en-signs')
    expect(forcedSubtitles(subtitles, 'es')).toBeNull()
  })
})
