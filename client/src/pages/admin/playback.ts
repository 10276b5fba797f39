/** The account page's "Playback" panel: autoplay of the next episode, and the watch history. @module */
import { api, call, errorMessage } from '../../api.ts'
import { confirmDialog } from '../../ui/dialog.ts'
import { h } from '../../ui/dom.ts'
import { icon } from '../../ui/icons.ts'
import { signOut } from '../../ui/shell.ts'
import { failureToast, toast } from '../../ui/toast.ts'
import { preferences, setPreferences } from '../../viewer/preferences.ts'

export function playbackPanel(): HTMLElement {
  const autoplay = h('input', {
    type: 'checkbox',
    role: 'switch',
    id: 'pref-autoplay',
    disabled: true,
    'aria-describedby': 'pref-autoplay-hint',
  })
  void preferences().then((p) => {
    autoplay.checked = p.autoplayNext
    autoplay.disabled = false
  })
  async function saveAutoplay(on: boolean) {
    autoplay.checked = on
    autoplay.disabled = true
    try {
      await setPreferences({ autoplayNext: on })
      toast(
        on ? 'The next episode will play by itself.' : 'Episodes will no longer play on by themselves.',
        'ok',
      )
    } catch (err) {
      autoplay.checked = !on
      failureToast(`Your autoplay choice was not saved: ${errorMessage(err)}`, () => void saveAutoplay(on))
    } finally {
      autoplay.disabled = false
    }
  }
  autoplay.addEventListener('change', () => void saveAutoplay(autoplay.checked))

  async function clearHistory() {
    const ok = await confirmDialog({
      title: 'Clear your watch history?',
      body: h(
        'p',
        null,
        'Every “watched” mark and every place to resume from is forgotten, and Continue watching starts empty. My list stays.',
      ),
      confirmLabel: 'Clear history',
      danger: true,
    })
    if (ok) await clear()
  }

  async function clear() {
    try {
      await call(api.me.progress.$delete())
      toast('Your watch history is cleared.', 'ok')
    } catch (err) {
      failureToast(`Your watch history could not be cleared: ${errorMessage(err)}`, () => void clear())
    }
  }

  return h(
    'section',
    { class: 'panel panel-pad form-grid account-panel', 'aria-labelledby': 'playback-title' },
    h('h2', { id: 'playback-title' }, 'Playback'),
    h(
      'div',
      { class: 'field' },
      h(
        'label',
        { class: 'switch', for: 'pref-autoplay' },
        autoplay,
        h('span', null, 'Play the next episode automatically'),
      ),
      h(
        'span',
        { class: 'hint', id: 'pref-autoplay-hint' },
        'When an episode ends, the next one starts after a 10-second countdown you can cancel.',
      ),
    ),
    h(
      'div',
      { class: 'account-row' },
      h(
        'button',
        { type: 'button', class: 'btn', onclick: () => void clearHistory() },
        icon('trash'),
        'Clear watch history',
      ),
      h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => void signOut() }, 'Sign out'),
    ),
  )
}
