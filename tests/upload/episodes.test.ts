/** Season, episode and series names proposed from the file names people drop. */
import { describe, expect, it } from 'vitest'
import { episodeName, nameFromFile, parseEpisode } from '../../client/src/upload/episodes.ts'

describe('parseEpisode', () => {
  it.each([
    ['Frieren.S01E02.1080p.WEB-DL.x264.mkv', 'Frieren', 1, 2],
    ['frieren s02e05.mkv', 'frieren', 2, 5],
    ['The.Show.S01.E03.mkv', 'The Show', 1, 3],
    ['Show_Name_S1E12_[ABCD1234].mp4', 'Show Name', 1, 12],
    ['Show 2x07 The Title.mkv', 'Show', 2, 7],
  ])('reads S01E02-style %s', (file, series, season, episode) => {
    expect(parseEpisode(file)).toMatchObject({ series, season, episode })
  })

  it.each([
    ['[SubsPlease] Sousou no Frieren - 02 (1080p) [A1B2C3D4].mkv', 'Sousou no Frieren', null, 2],
    ['[Group] Show Name - 12v2 [1080p].mkv', 'Show Name', null, 12],
    ['Show Name S2 - 05 [720p].mkv', 'Show Name', 2, 5],
    ['Show - 101.mkv', 'Show', null, 101],
  ])('reads "- 02" fansub numbering in %s', (file, series, season, episode) => {
    expect(parseEpisode(file)).toMatchObject({ series, season, episode })
  })

  it.each([
    ['[Group] Show Name [02][1080p][HEVC].mkv', 'Show Name', 2],
    ['Show Name [12v2] [ABCDEF12].mp4', 'Show Name', 12],
  ])('reads a bracketed number in %s', (file, series, episode) => {
    expect(parseEpisode(file)).toMatchObject({ series, season: null, episode })
  })

  it('reads "Episode 3" and "EP04"', () => {
    expect(parseEpisode('My Show Episode 3.mp4')).toMatchObject({ series: 'My Show', episode: 3 })
    expect(parseEpisode('My Show EP04.mp4')).toMatchObject({ series: 'My Show', episode: 4 })
    expect(parseEpisode('My Show Season 2 Episode 4.mp4')).toMatchObject({
      series: 'My Show',
      season: 2,
      episode: 4,
    })
  })

  it('does not take resolutions, years or checksums for episode numbers', () => {
    expect(parseEpisode('Holiday [1080p].mp4')).toMatchObject({ series: null, episode: null })
    expect(parseEpisode('Wedding [2019].mp4')).toMatchObject({ series: null, episode: null })
    expect(parseEpisode('Concert (2019) [1080p] [ABCD1234].mkv')).toMatchObject({ episode: null })
    expect(parseEpisode('my_holiday.final.MP4')).toEqual({
      series: null,
      season: null,
      episode: null,
      name: 'My holiday final',
    })
  })

  it('proposes a name from the series and numbers', () => {
    expect(parseEpisode('[SubsPlease] Frieren - 02 (1080p).mkv').name).toBe('Frieren, episode 2')
    expect(parseEpisode('Frieren S02E05.mkv').name).toBe('Frieren, season 2, episode 5')
    expect(episodeName('Frieren', 0, 1)).toBe('Frieren, special 1')
    expect(nameFromFile('beach-day.mp4')).toBe('Beach-day')
  })

  it('falls back to the file name when nothing comes before the number', () => {
    expect(parseEpisode('S01E02.mkv')).toMatchObject({ series: null, season: 1, episode: 2, name: 'S01E02' })
    expect(parseEpisode('- 03.mkv')).toMatchObject({ series: null })
  })
})
