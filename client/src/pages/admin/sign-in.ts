/**
 * The sign-in form, shown for every /admin route while nobody is signed in, and where every page
 * sends a visitor who needs an account (`?next=` brings them back). It links to sign-up when
 * anyone may sign up, and says so when the whole catalog is private.
 * @module
 */
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
  const asked = next ?? (location.pathname.startsWith('/admin/') ? location.pathname : null)
  const target = safeNext(asked)
  const intro = h('p', null, 'Sign in to watch, keep your list and pick up where you left off.')
  const signUp = h('p', { class: 'auth-foot', hidden: true })
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
          const { user } = await call(
            api.auth.login.$post({ json: { username: username.value.trim(), password: password.value } }),
          )
          // Viewers have no admin pages to land on: without a destination they go to the catalog.
          location.assign(asked === null && user.role === 'viewer' ? '/' : target)
        } catch (err) {
          error.textContent = errorMessage(err)
          error.hidden = false
          password.select()
          submit.disabled = false
          submit.textContent = 'Sign in'
        }
      },
    },
    h('header', null, brandMark(), h('h1', { id: 'signin-title' }, 'Sign in'), intro),
    error,
    h('div', { class: 'field' }, h('label', { for: 'signin-username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'signin-password' }, 'Password'), password),
    submit,
    signUp,
  )
  mount(main, h('div', { class: 'auth-wrap' }, form))
  username.focus()

  call(api.auth.signup.$get({ query: {} })).then(
    (info) => {
      if (info.privateCatalog && next) intro.textContent = 'This server is private: sign in to watch.'
      if (info.signup === 'open') {
        const href = `/signup${next ? `?next=${encodeURIComponent(safeNext(next))}` : ''}`
        mount(signUp, 'New here? ', h('a', { href }, 'Create an account'))
        signUp.hidden = false
      }
    },
    () => undefined,
  )
}
