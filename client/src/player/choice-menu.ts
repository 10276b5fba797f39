/**
 * A menu button with a list of choices, one checked: the audio-language and subtitle menus. It
 * behaves as the quality menu does (menu.ts), and hides when there is nothing to choose between.
 * @module
 */
import { h } from '../ui/dom.ts'
import { type IconName, icon } from '../ui/icons.ts'
import { menuBehaviour } from './menu.ts'

export interface Choice {
  key: string
  label: string
  /** A hint after the label: "5.1", "forced". */
  sub?: string
  /** What the button says while this is checked: "JA". */
  short?: string
}

export interface ChoiceMenu {
  wrap: HTMLElement
  button: HTMLButtonElement
  setChoices(choices: Choice[]): void
  setChecked(key: string | null): void
  close(): void
  isOpen(): boolean
}

export function createChoiceMenu(options: {
  /** "Audio", "Subtitles": the menu's title and the button's name. */
  title: string
  icon: IconName
  /** Tells the menu apart in tests and styles: "audio", "subtitles". */
  name: string
  /** The button is shown only with at least this many choices. */
  minChoices: number
  onPick: (key: string) => void
}): ChoiceMenu {
  const menuId = `${options.name}-menu-${Math.random().toString(36).slice(2, 8)}`
  const label = h('span', { class: 'label' })
  const button = h(
    'button',
    {
      type: 'button',
      class: `player-btn player-choice-btn player-${options.name}-btn`,
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'aria-controls': menuId,
      'aria-label': options.title,
      hidden: true,
    },
    icon(options.icon),
    label,
  )
  const list = h('div', {
    role: 'menu',
    id: menuId,
    class: 'player-menu',
    'aria-label': options.title,
    hidden: true,
  })
  const wrap = h('div', { class: 'player-menu-wrap', 'data-menu': options.name }, list, button)
  let choices: Choice[] = []
  let checked: string | null = null

  function render() {
    list.replaceChildren(
      h('div', { class: 'player-menu-title', 'aria-hidden': 'true' }, options.title),
      ...choices.map((c) =>
        h(
          'button',
          {
            type: 'button',
            role: 'menuitemradio',
            'aria-checked': String(c.key === checked),
            'data-choice': c.key,
            tabindex: '-1',
            onclick: () => {
              menu.close()
              button.focus()
              options.onPick(c.key)
            },
          },
          icon('check', 'check'),
          h('span', null, c.label),
          c.sub ? h('span', { class: 'sub' }, c.sub) : null,
        ),
      ),
    )
  }

  function updateButton() {
    const current = choices.find((c) => c.key === checked)
    const text = current ? current.label : 'Off'
    // The button says the language short ("EN"), the menu the whole name.
    label.textContent = current?.short ?? ''
    button.setAttribute('aria-label', `${options.title}: ${text}`)
    button.toggleAttribute('data-on', current !== undefined && current.key !== 'off')
  }

  const menu = menuBehaviour({
    wrap,
    button,
    list,
    render: () => {
      render()
      // A small player (a phone's) has less room above the bar than the menu needs: it scrolls.
      const player = wrap.closest('.player')
      if (player) {
        const room = button.getBoundingClientRect().top - player.getBoundingClientRect().top - 12
        list.style.maxHeight = `${Math.max(96, Math.min(320, room))}px`
      }
    },
  })

  return {
    wrap,
    button,
    setChoices(next) {
      choices = next
      button.hidden = next.length < options.minChoices
      if (!list.hidden) render()
      updateButton()
    },
    setChecked(key) {
      checked = key
      if (!list.hidden) render()
      updateButton()
    },
    close: menu.close,
    isOpen: menu.isOpen,
  }
}
