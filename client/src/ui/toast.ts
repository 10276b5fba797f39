/** Short status messages, announced to screen readers through a live region. @module */
import { h } from './dom.ts'

let region: HTMLElement | undefined

export function toast(message: string, kind: 'info' | 'ok' | 'error' = 'info', ms = 4500): void {
  if (!region?.isConnected) {
    region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' })
    document.body.append(region)
  }
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : null }, message)
  region.append(el)
  setTimeout(() => el.remove(), kind === 'error' ? ms * 1.5 : ms)
}
