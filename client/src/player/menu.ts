/**
 * What every menu of the control bar does the same way (the quality menu, the audio and subtitle
 * menus): a button that opens a menuitemradio list above it, focus on the checked item, arrow keys,
 * Home and End to move, Escape to close and go back to the button, a click elsewhere to close.
 * @module
 */

export interface MenuBehaviour {
  open(): void
  close(): void
  isOpen(): boolean
}

export function menuBehaviour(parts: {
  wrap: HTMLElement
  button: HTMLButtonElement
  list: HTMLElement
  /** Fills the list, just before it opens. */
  render: () => void
}): MenuBehaviour {
  const { wrap, button, list } = parts
  const items = () => [...list.querySelectorAll<HTMLButtonElement>('[role="menuitemradio"]')]

  function open() {
    parts.render()
    list.hidden = false
    button.setAttribute('aria-expanded', 'true')
    const all = items()
    ;(all.find((b) => b.getAttribute('aria-checked') === 'true') ?? all[0])?.focus()
    document.addEventListener('pointerdown', outside, true)
  }

  function close() {
    if (list.hidden) return
    list.hidden = true
    button.setAttribute('aria-expanded', 'false')
    document.removeEventListener('pointerdown', outside, true)
  }

  function outside(e: PointerEvent) {
    if (!wrap.contains(e.target as Node)) close()
  }

  button.addEventListener('click', () => (list.hidden ? open() : close()))
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault()
      open()
    }
  })
  list.addEventListener('keydown', (e) => {
    const all = items()
    const i = all.indexOf(document.activeElement as HTMLButtonElement)
    const move = (to: number) => all[(to + all.length) % all.length]?.focus()
    if (e.key === 'ArrowDown') move(i + 1)
    else if (e.key === 'ArrowUp') move(i - 1)
    else if (e.key === 'Home') move(0)
    else if (e.key === 'End') move(all.length - 1)
    else if (e.key === 'Escape') {
      close()
      button.focus()
    } else if (e.key === 'Tab') close()
    else return
    e.preventDefault()
    e.stopPropagation()
  })

  return { open, close, isOpen: () => !list.hidden }
}
