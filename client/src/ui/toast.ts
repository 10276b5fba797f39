/** Short status messages, announced to screen readers through a live region. @module */
import { h } from './dom.ts'

let region: HTMLElement | undefined

export interface ToastOptions {
  /** How long it stays; errors stay half as long again, and one with an action longer still. */
  ms?: number
  /** A button in the message, e.g. "Try again" after a failed call; the toast goes when pressed. */
  action?: { label: string; onClick: () => void }
}

export function toast(
  message: string,
  kind: 'info' | 'ok' | 'error' = 'info',
  opts: number | ToastOptions = {},
): void {
  const { ms = 4500, action } = typeof opts === 'number' ? { ms: opts } : opts
  if (!region?.isConnected) {
    region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' })
    document.body.append(region)
  }
  const el = h(
    'div',
    { class: `toast toast-${kind}${action ? ' toast-action' : ''}`, role: kind === 'error' ? 'alert' : null },
    action ? h('span', null, message) : message,
    action
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn btn-sm',
            onclick: () => {
              el.remove()
              action.onClick()
            },
          },
          action.label,
        )
      : null,
  )
  region.append(el)
  // Time to read the message and reach its button.
  const stay = (kind === 'error' ? ms * 1.5 : ms) * (action ? 2 : 1)
  setTimeout(() => el.remove(), stay)
}

/** The usual failure toast: what could not be done, why, and "Try again". */
export function failureToast(message: string, retry: () => void): void {
  toast(message, 'error', { action: { label: 'Try again', onClick: retry } })
}
