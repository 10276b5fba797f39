/**
 * The quality menu: "Auto" plus one entry per video rendition. A menu button with a
 * menuitemradio list (arrow keys move, Enter/Space pick, Escape closes).
 * @module
 */
import { h } from '../ui/dom.ts'
import { formatBitrate } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import { menuBehaviour } from './menu.ts'

export interface QualityOption {
  id: string
  width: number
  height: number
  bandwidth: number
}

export interface QualityMenu {
  wrap: HTMLElement
  button: HTMLButtonElement
  /** Renditions to offer, any order; shown highest first. */
  setOptions(options: QualityOption[]): void
  /** The platform's own player chooses (native HLS): nothing to offer, and the button says so. */
  deviceChooses(): void
  /** `pinned`: the id chosen by the viewer, or null for Auto; `current`: what is on screen now. */
  setState(pinned: string | null, current: QualityOption | null): void
  close(): void
  isOpen(): boolean
}

export const qualityLabel = (q: Pick<QualityOption, 'height' | 'bandwidth'>) =>
  q.height ? `${q.height}p` : formatBitrate(q.bandwidth)

export function createQualityMenu(onPick: (id: string | null) => void): QualityMenu {
  const menuId = `quality-menu-${Math.random().toString(36).slice(2, 8)}`
  const buttonLabel = h('span', { class: 'label' }, 'Auto')
  const hd = h('span', { class: 'hd', hidden: true }, 'HD')
  const button = h(
    'button',
    {
      type: 'button',
      class: 'player-btn player-quality-btn',
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'aria-controls': menuId,
      'aria-label': 'Quality: Auto',
      disabled: true,
    },
    icon('settings'),
    buttonLabel,
    hd,
  )
  const list = h('div', {
    role: 'menu',
    id: menuId,
    class: 'player-menu',
    'aria-label': 'Quality',
    hidden: true,
  })
  const wrap = h('div', { class: 'player-menu-wrap' }, list, button)

  let options: QualityOption[] = []
  let pinned: string | null = null
  let current: QualityOption | null = null

  function render() {
    const autoSub = current ? `${qualityLabel(current)} now` : ''
    list.replaceChildren(
      h('div', { class: 'player-menu-title', 'aria-hidden': 'true' }, 'Quality'),
      item(null, 'Auto', autoSub),
      ...[...options]
        .sort((a, b) => b.bandwidth - a.bandwidth)
        .map((o) => item(o.id, qualityLabel(o), formatBitrate(o.bandwidth))),
    )
  }

  function item(id: string | null, label: string, sub: string) {
    const checked = id === pinned
    return h(
      'button',
      {
        type: 'button',
        role: 'menuitemradio',
        'aria-checked': String(checked),
        'data-quality': id ?? 'auto',
        tabindex: '-1',
        onclick: () => {
          menu.close()
          button.focus()
          onPick(id)
        },
      },
      icon('check', 'check'),
      h('span', null, label),
      sub ? h('span', { class: 'sub' }, sub) : null,
    )
  }

  const menu = menuBehaviour({ wrap, button, list, render })

  function updateButton() {
    const shown = pinned ? options.find((o) => o.id === pinned) : current
    const text = pinned
      ? shown
        ? qualityLabel(shown)
        : 'Pinned'
      : shown
        ? `Auto · ${qualityLabel(shown)}`
        : 'Auto'
    buttonLabel.textContent = text
    hd.hidden = !shown || shown.height < 720
    button.setAttribute('aria-label', `Quality: ${text}`)
  }

  return {
    wrap,
    button,
    setOptions(next) {
      options = next
      button.disabled = next.length < 2
      if (!list.hidden) render()
      updateButton()
    },
    deviceChooses() {
      options = []
      button.disabled = true
      buttonLabel.textContent = 'Auto · device'
      button.title = 'This device chooses the quality itself'
      button.setAttribute('aria-label', 'Quality: chosen by this device')
    },
    setState(p, c) {
      pinned = p
      current = c
      if (!list.hidden) {
        // Keep focus where it is while the menu is open; only the "now" hint changes.
        const auto = list.querySelector('[data-quality="auto"] .sub')
        if (auto && c) auto.textContent = `${qualityLabel(c)} now`
      }
      updateButton()
    },
    close: menu.close,
    isOpen: menu.isOpen,
  }
}
