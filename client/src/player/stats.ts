/** The "stats for nerds" overlay: what the player is doing right now. @module */
import { h } from '../ui/dom.ts'

export interface StatsSample {
  rendition: string
  bitrate: string
  loading: string
  mode: string
  buffer: string
  throughput: string
  dropped: string
  resolution: string
  codecs: string
}

const ROWS: [keyof StatsSample, string][] = [
  ['rendition', 'Rendition'],
  ['bitrate', 'Bitrate'],
  ['loading', 'Downloading'],
  ['mode', 'ABR'],
  ['buffer', 'Buffer'],
  ['throughput', 'Throughput'],
  ['dropped', 'Dropped frames'],
  ['resolution', 'Decoded'],
  ['codecs', 'Codecs'],
]

export interface StatsOverlay {
  element: HTMLElement
  update(sample: StatsSample): void
}

export function createStatsOverlay(onClose: () => void): StatsOverlay {
  const values = new Map<keyof StatsSample, HTMLElement>()
  const dl = h('dl')
  for (const [key, label] of ROWS) {
    const dd = h('dd', { 'data-stat': key }, '—')
    values.set(key, dd)
    dl.append(h('dt', null, label), dd)
  }
  const element = h(
    'div',
    { class: 'player-stats', role: 'group', 'aria-label': 'Playback statistics', hidden: true },
    h(
      'button',
      { type: 'button', class: 'player-stats-close', 'aria-label': 'Close statistics', onclick: onClose },
      '×',
    ),
    dl,
  )
  return {
    element,
    update(sample) {
      for (const [key, el] of values) {
        if (el.textContent !== sample[key]) el.textContent = sample[key]
      }
    },
  }
}
