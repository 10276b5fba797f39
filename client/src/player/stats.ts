/**
 * The "stats for nerds" overlay: what the player is doing right now, sampled twice a second
 * while it is open.
 * @module
 */
import type { MediaPlayerClass } from 'dashjs'
import { h } from '../ui/dom.ts'
import { formatBitrate } from '../ui/format.ts'
import { ABR_LABELS, ABR_RULES, type AbrRule, activeRules } from './abr.ts'
import type { Lifetime } from './lifetime.ts'
import { toOption } from './quality-control.ts'
import { type QualityOption, qualityLabel } from './quality-menu.ts'

export interface StatsSample {
  rendition: string
  bitrate: string
  loading: string
  mode: string
  /** The ABR rules dash.js says are running ("throughputRule + bolaRule"). */
  rules: string
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
  ['rules', 'Rules running'],
  ['buffer', 'Buffer'],
  ['throughput', 'Throughput'],
  ['dropped', 'Dropped frames'],
  ['resolution', 'Decoded'],
  ['codecs', 'Codecs'],
]

export interface StatsOverlay {
  element: HTMLElement
  update(sample: StatsSample): void
  /** Shows the rule in use, and whether it is the viewer's own choice or the default. */
  setRule(rule: AbrRule | null): void
}

/**
 * @param onRule the viewer picked an ABR rule, or "" (follow the default); absent where there is no
 *   choice to make (native HLS: the device adapts on its own).
 */
export function createStatsOverlay(
  onClose: () => void,
  onRule?: (rule: AbrRule | null) => void,
): StatsOverlay {
  const select = h(
    'select',
    {
      class: 'player-stats-rule',
      'aria-label': 'Adaptive bitrate rule',
      onchange: () => onRule?.(select.value === '' ? null : (select.value as AbrRule)),
    },
    h('option', { value: '' }, 'Default'),
    ...ABR_RULES.map((r) => h('option', { value: r }, ABR_LABELS[r])),
  )
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
    onRule ? h('label', { class: 'player-stats-choice' }, h('span', null, 'ABR rule'), select) : null,
  )
  return {
    element,
    setRule(rule) {
      select.value = rule ?? ''
    },
    update(sample) {
      for (const [key, el] of values) {
        if (el.textContent !== sample[key]) el.textContent = sample[key]
      }
    },
  }
}

const SAMPLE_MS = 500

export interface PlayerStats {
  /** Opens the overlay (`true`), closes it (`false`), or flips it. */
  toggle(show?: boolean): void
}

/** Wires the overlay to its button and samples the player while it is open. */
export function createPlayerStats(ctx: {
  overlay: StatsOverlay
  button: HTMLButtonElement
  root: HTMLElement
  video: HTMLVideoElement
  player: () => MediaPlayerClass | null
  quality: { readonly onScreen: QualityOption | null; readonly pinned: string | null }
  /** The ABR rule in use. */
  rule: () => AbrRule
  life: Lifetime
}): PlayerStats {
  const { overlay, button, root, video } = ctx
  let timer: ReturnType<typeof setInterval> | undefined

  function sample() {
    const dash = ctx.player()
    const loading = dash?.getCurrentRepresentationForType('video')
    const rep = ctx.quality.onScreen ?? loading
    const q = video.getVideoPlaybackQuality?.()
    const dpr = window.devicePixelRatio || 1
    overlay.update({
      rendition: rep ? `${rep.width}×${rep.height} (id ${rep.id})` : '—',
      bitrate: rep ? formatBitrate(rep.bandwidth) : '—',
      loading: loading ? `${qualityLabel(toOption(loading))} · ${formatBitrate(loading.bandwidth)}` : '—',
      mode: dash ? (ctx.quality.pinned ? 'pinned' : `auto · ${ctx.rule()}`) : 'chosen by this device',
      rules: dash ? activeRules(dash.getSettings()).join(' + ') || 'none' : '—',
      buffer: dash ? `${dash.getBufferLength('video').toFixed(1)} s` : '—',
      throughput: dash ? formatBitrate(dash.getAverageThroughput('video') * 1000) : '—',
      dropped: q ? `${q.droppedVideoFrames} of ${q.totalVideoFrames}` : '—',
      resolution: `${video.videoWidth}×${video.videoHeight} in ${root.clientWidth}×${root.clientHeight}${dpr !== 1 ? ` @${dpr}x` : ''}`,
      codecs: loading?.codecs ?? '—',
    })
  }

  function toggle(show = overlay.element.hidden) {
    overlay.element.hidden = !show
    button.setAttribute('aria-pressed', String(show))
    clearInterval(timer)
    if (show) {
      sample()
      timer = setInterval(sample, SAMPLE_MS)
    }
  }

  button.addEventListener('click', () => toggle())
  ctx.life.onDispose(() => clearInterval(timer))
  return { toggle }
}
