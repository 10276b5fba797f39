/**
 * Sign-up (`/signup?invite=…`): first asks the server how sign-up works here and whether the invite
 * can be used (`GET /api/auth/signup`), and says plainly when it cannot (closed, no invite, unknown,
 * used, expired); otherwise the invitee picks a username and password under the same rules as
 * everywhere, is signed in, and lands on the catalog.
 * @module
 */
import { ApiError, api, call, errorMessage, type SignupInfo, type User } from '../api.ts'
import { retryButton } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { formatDateTime } from '../ui/format.ts'
import { brandMark, type IconName, icon } from '../ui/icons.ts'
import { currentUser, initShell, signInHref, signOut } from '../ui/shell.ts'
import { safeNext } from './admin/sign-in.ts'

const main = initShell('signup')
document.title = 'Sign up · anime-die-heart'
const params = new URLSearchParams(location.search)
const invite = params.get('invite')?.trim() || null
/** Where to go once signed up: back where the visitor came from, else the catalog. */
const target = params.get('next') ? safeNext(params.get('next')) : '/'

const ROLE_TEXT = {
  viewer: 'a viewer: watch everything here, keep a list, and pick up where you left off',
  uploader: 'an uploader: watch, and upload and manage your own movies and series',
} as const

function card(...children: (HTMLElement | null)[]) {
  mount(main, h('div', { class: 'auth-wrap' }, h('div', { class: 'panel auth-card' }, children)))
}

function cardHead(title: string, text: string | HTMLElement, iconName?: IconName) {
  return h(
    'header',
    null,
    iconName ? h('span', { class: `auth-icon auth-icon-${iconName}` }, icon(iconName)) : brandMark(),
    h('h1', { id: 'signup-title' }, title),
    h('p', null, text),
  )
}

const signInLink = (label = 'Sign in') => h('a', { class: 'btn', href: signInHref(target) }, label)

function loading() {
  card(
    h(
      'div',
      { class: 'auth-skeleton', 'aria-busy': 'true', 'aria-label': 'Checking your invite…' },
      h('div', { class: 'skeleton', style: 'width: 44px; height: 44px; border-radius: 50%; margin: 0 auto' }),
      h('div', { class: 'skeleton', style: 'height: 28px; width: 60%; margin: 6px auto 0' }),
      h('div', { class: 'skeleton', style: 'height: 16px; width: 80%; margin: 0 auto' }),
      h('div', { class: 'skeleton', style: 'height: 42px' }),
      h('div', { class: 'skeleton', style: 'height: 42px' }),
    ),
  )
}

/** A dead end, said plainly, with what to do instead. */
function blocked(title: string, text: string, iconName: IconName = 'lock', extra: HTMLElement[] = []) {
  document.title = `${title} · anime-die-heart`
  card(
    cardHead(title, text, iconName),
    h('div', { class: 'auth-actions' }, ...extra, signInLink('I have an account: sign in')),
  )
}

function inviteProblem(info: SignupInfo): [string, string] | null {
  const i = info.invite
  if (!i || i.valid) return null
  if (i.reason === 'used') {
    return [
      'This invite has been used',
      'Each invite link creates one account, and this one already has. If that was you, sign in; otherwise ask whoever sent it for a new link.',
    ]
  }
  if (i.reason === 'expired') {
    return [
      'This invite has expired',
      `It was valid until ${formatDateTime(i.expiresAt)}. Ask whoever sent it for a new link.`,
    ]
  }
  return [
    'This invite link does not work',
    'The server does not know it. Check that you opened the whole link (long links sometimes break across lines), or ask for a new one.',
  ]
}

function signedIn(user: User) {
  card(
    cardHead(
      `You are signed in as ${user.username}`,
      invite
        ? 'To create a new account with this invite, sign out first.'
        : 'You already have an account on this server.',
      'user',
    ),
    h(
      'div',
      { class: 'auth-actions' },
      h('a', { class: 'btn btn-primary', href: '/' }, 'Go to the catalog'),
      invite
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn',
              onclick: async () => {
                await call(api.auth.logout.$post()).catch(() => undefined)
                location.reload()
              },
            },
            'Sign out',
          )
        : h('button', { type: 'button', class: 'btn', onclick: () => void signOut() }, 'Sign out'),
    ),
  )
}

function field(id: string, label: string, input: HTMLInputElement, hint: string) {
  const error = h('span', { class: 'error-text', id: `${id}-error`, 'aria-live': 'polite' })
  input.id = id
  input.setAttribute('aria-describedby', `${id}-hint ${id}-error`)
  return {
    error,
    el: h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      input,
      hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
      error,
    ),
  }
}

function setError(input: HTMLInputElement, slot: HTMLElement, message: string | undefined) {
  slot.textContent = message ?? ''
  if (message) input.setAttribute('aria-invalid', 'true')
  else input.removeAttribute('aria-invalid')
}

function form(info: SignupInfo) {
  const role = info.invite?.valid ? (info.invite.role ?? 'viewer') : 'viewer'
  const username = h('input', {
    type: 'text',
    name: 'username',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: false,
    required: true,
    minlength: 3,
    maxlength: 150,
    pattern: '[A-Za-z0-9@.+_\\-]{3,150}',
  })
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: 8,
  })
  const repeat = h('input', {
    type: 'password',
    name: 'repeat',
    autocomplete: 'new-password',
    required: true,
  })
  const u = field('signup-username', 'Username', username, '3–150 letters, digits or @ . + _ -')
  const p = field('signup-password', 'Password', password, 'At least 8 characters.')
  const r = field('signup-repeat', 'Repeat the password', repeat, '')
  const show = h('input', {
    type: 'checkbox',
    id: 'signup-show',
    onchange: () => {
      password.type = repeat.type = show.checked ? 'text' : 'password'
    },
  })
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create account')

  const check = () => {
    setError(
      username,
      u.error,
      username.validity.valid ? undefined : '3 to 150 characters: letters, digits or @ . + _ -',
    )
    setError(password, p.error, password.validity.valid ? undefined : 'At least 8 characters.')
    setError(repeat, r.error, repeat.value === password.value ? undefined : 'The two passwords differ.')
    return [username, password, repeat].find((i) => i.getAttribute('aria-invalid') === 'true') ?? null
  }

  const el = h(
    'form',
    {
      class: 'panel auth-card',
      'aria-labelledby': 'signup-title',
      novalidate: true,
      onsubmit: async (e: SubmitEvent) => {
        e.preventDefault()
        error.hidden = true
        const bad = check()
        if (bad) return bad.focus()
        submit.disabled = true
        submit.textContent = 'Creating your account…'
        try {
          await call(
            api.auth.signup.$post({
              json: {
                username: username.value.trim(),
                password: password.value,
                invite: invite ?? undefined,
              },
            }),
          )
          location.assign(target)
        } catch (err) {
          submit.disabled = false
          submit.textContent = 'Create account'
          if (err instanceof ApiError && err.type.endsWith('invalid-invite')) return void start()
          const forUser = err instanceof ApiError ? err.fieldError('username') : undefined
          const forPassword = err instanceof ApiError ? err.fieldError('password') : undefined
          if (forUser)
            setError(
              username,
              u.error,
              forUser === 'Already taken' ? 'That name is taken: try another.' : forUser,
            )
          if (forPassword) setError(password, p.error, forPassword)
          if (forUser) username.focus()
          else if (forPassword) password.focus()
          else {
            error.textContent = errorMessage(err)
            error.hidden = false
          }
        }
      },
    },
    cardHead(
      invite ? 'You are invited' : 'Create your account',
      `Pick a username and a password to join as ${ROLE_TEXT[role]}.`,
    ),
    info.invite?.expiresAt
      ? h(
          'p',
          { class: 'auth-note' },
          icon('clock'),
          `This invite works once, until ${formatDateTime(info.invite.expiresAt)}.`,
        )
      : null,
    error,
    u.el,
    p.el,
    r.el,
    h('label', { class: 'checkbox', for: 'signup-show' }, show, 'Show the passwords'),
    submit,
    h(
      'p',
      { class: 'auth-foot' },
      'Already have an account? ',
      h('a', { href: signInHref(target) }, 'Sign in'),
    ),
  )
  mount(main, h('div', { class: 'auth-wrap' }, el))
  username.focus()
}

async function start(): Promise<void> {
  loading()
  let info: SignupInfo
  try {
    info = await call(api.auth.signup.$get({ query: { invite: invite ?? undefined } }))
  } catch (err) {
    const offline = err instanceof ApiError && err.status === 0
    card(
      cardHead(
        offline ? 'You seem to be offline' : 'Sign-up could not be checked',
        errorMessage(err),
        offline ? 'wifiOff' : 'alert',
      ),
      h(
        'div',
        { class: 'auth-actions' },
        retryButton(() => void start()),
      ),
    )
    return
  }
  const user = await currentUser()
  if (user) return signedIn(user)
  if (info.signup === 'closed') {
    return blocked(
      'Sign-up is closed',
      'Accounts on this server are made by its admins. Ask one of them for an account.',
    )
  }
  const problem = inviteProblem(info)
  if (problem) return blocked(problem[0], problem[1], 'alert')
  if (info.signup === 'invite' && !invite) {
    return blocked(
      'Sign-up is by invitation',
      'An admin of this server sends invite links. Open the link you were given, or ask an admin for one.',
      'link',
    )
  }
  form(info)
}

await start()
