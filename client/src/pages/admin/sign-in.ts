/** The sign-in form, shown for every /admin route while nobody is signed in. @module */
import { api, call, errorMessage } from '../../api.ts'
import { h, mount } from '../../ui/dom.ts'
import { brandMark } from '../../ui/icons.ts'

const AFTER_SIGN_IN = '/admin/movies'

/**
 * Only a path of this origin, so a crafted link cannot send someone elsewhere after signing in.
 * Resolved as the browser will resolve it (it drops tabs and newlines and reads a backslash as `/`, so
 * `/\t/evil.example` means `//evil.example`), then compared by origin.
 */
export function safeNext(next: string | null, origin: string = location.origin): string {
  if (!next?.startsWith('/')) return AFTER_SIGN_IN
  let url: URL
  try {
    url = new URL(next, origin)
  } catch {
    return AFTER_SIGN_IN
  }
  return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : AFTER_SIGN_IN
}

export function renderSignIn(main: HTMLElement): void {
  const next = new URLSearchParams(location.search).get('next')
  // Someone who opened an admin section keeps it as the destination.
  const target = safeNext(next ?? (location.pathname.startsWith('/admin/') ? location.pathname : null))
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true })
  const username = h('input', {
    type: 'text',
    id: 'signin-username',
    name: 'username',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: false,
    required: true,
  })
  const password = h('input', {
    type: 'password',
    id: 'signin-password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in')
  const form = h(
    'form',
    {
      class: 'panel auth-card',
      'aria-labelledby': 'signin-title',
      onsubmit: async (e: SubmitEvent) => {
        e.preventDefault()
        submit.disabled = true
        submit.textContent = 'Signing in…'
        error.hidden = true
        try {
          await call(
            api.auth.login.$post({ json: { username: username.value.trim(), password: password.value } }),
          )
          location.assign(target)
        } catch (err) {
          error.textContent = errorMessage(err)
          error.hidden = false
          password.select()
          submit.disabled = false
          submit.textContent = 'Sign in'
        }
      },
    },
    h(
      'header',
      null,
      brandMark(),
      h('h1', { id: 'signin-title' }, 'Sign in'),
      h('p', null, 'Admins and uploaders sign in here to upload and manage movies.'),
    ),
    error,
    h('div', { class: 'field' }, h('label', { for: 'signin-username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'signin-password' }, 'Password'), password),
    submit,
  )
  mount(main, h('div', { class: 'auth-wrap' }, form))
  username.focus()
}
