/**
 * The admin pages (they replace the Django admin): sign-in, movies, series, accounts, invites, API
 * tokens and the caller's own account (password, playback). One HTML page; sections are
 * client-side routes under /admin. Viewers only have their account here.
 * @module
 */
import type { User } from '../api.ts'
import { pageHead, stateBlock } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { currentUser, initShell } from '../ui/shell.ts'
import { renderAccount } from './admin/account.ts'
import { renderInvites } from './admin/invites.ts'
import { renderMovies } from './admin/movies.ts'
import { renderSeries } from './admin/series.ts'
import { renderSignIn } from './admin/sign-in.ts'
import { renderTokens } from './admin/tokens.ts'
import { renderUsers } from './admin/users.ts'

type SectionId = 'movies' | 'series' | 'users' | 'invites' | 'tokens' | 'account'

const SECTIONS: {
  id: SectionId
  label: string
  icon: Parameters<typeof icon>[0]
  adminOnly?: boolean
  /** Viewers see only these. */
  viewer?: boolean
}[] = [
  { id: 'movies', label: 'Movies', icon: 'film' },
  { id: 'series', label: 'Series', icon: 'layers' },
  { id: 'users', label: 'Users', icon: 'user', adminOnly: true },
  { id: 'invites', label: 'Invites', icon: 'link', adminOnly: true },
  { id: 'tokens', label: 'API tokens', icon: 'key' },
  { id: 'account', label: 'Account', icon: 'lock', viewer: true },
]

const allowed = (user: User) =>
  SECTIONS.filter((s) => (user.role === 'viewer' ? s.viewer : !s.adminOnly || user.role === 'admin'))

const main = initShell('admin')

function sectionFromPath(): SectionId | null {
  const part = location.pathname.replace(/^\/admin\/?/, '').split('/')[0] ?? ''
  if (part === '') return null
  return SECTIONS.some((s) => s.id === part) ? (part as SectionId) : 'movies'
}

/** Client-side navigation between sections: no reload, and Back works. */
export function navigate(path: string): void {
  history.pushState(null, '', path)
  void route()
}

function tabs(user: User, active: SectionId) {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': 'Admin sections' },
    allowed(user).map((s) =>
      h(
        'a',
        {
          href: `/admin/${s.id}`,
          'aria-current': s.id === active ? 'page' : null,
          onclick: (e: MouseEvent) => {
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
            e.preventDefault()
            navigate(`/admin/${s.id}`)
          },
        },
        icon(s.icon),
        s.label,
      ),
    ),
  )
}

async function route(): Promise<void> {
  const user = await currentUser()
  if (!user) {
    document.title = 'Sign in · anime-die-heart'
    renderSignIn(main)
    return
  }
  let section = sectionFromPath()
  const viewer = user.role === 'viewer'
  if (!section || (viewer && section !== 'account')) {
    section = viewer ? 'account' : 'movies'
    history.replaceState(null, '', `/admin/${section}${location.search}`)
  }
  const meta = SECTIONS.find((s) => s.id === section)!
  document.title = `${meta.label} · Admin · anime-die-heart`
  const body = h('div', { class: 'admin-body' })
  mount(
    main,
    viewer
      ? pageHead('Your account', 'Your password and how playback behaves.')
      : pageHead(
          'Admin',
          user.role === 'admin'
            ? 'Movies, series, accounts, invites and API tokens.'
            : 'Your movies, series and API tokens.',
        ),
    viewer ? null : tabs(user, section),
    body,
  )
  // On a phone the tabs scroll sideways: bring the current one into view (Invites, Account).
  const current = main.querySelector<HTMLElement>('.tabs [aria-current="page"]')
  if (current?.parentElement) {
    const strip = current.parentElement
    const offset = current.getBoundingClientRect().left - strip.getBoundingClientRect().left
    strip.scrollLeft += offset - (strip.clientWidth - current.offsetWidth) / 2
  }
  if (meta.adminOnly && user.role !== 'admin') {
    mount(
      body,
      stateBlock({
        icon: 'lock',
        title: 'Admins only',
        text: 'Only an admin can manage accounts. Ask one to create or change accounts for you.',
      }),
    )
    return
  }
  const render = {
    movies: renderMovies,
    series: renderSeries,
    users: renderUsers,
    invites: renderInvites,
    tokens: renderTokens,
    account: renderAccount,
  }[section]
  await render(body, user)
}

window.addEventListener('popstate', () => void route())
await route()
