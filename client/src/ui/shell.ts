/**
 * The frame every page shares: skip link, header with navigation and the signed-in user,
 * footer, and the `<main>` the page renders into.
 * @module
 */
import './styles.css'
import '../viewer/viewer.css'
import { api, call, type User } from '../api.ts'
import { h, mount } from './dom.ts'
import { brandMark } from './icons.ts'
import { toast } from './toast.ts'

export type Section = 'catalog' | 'upload' | 'admin' | 'movie' | 'series' | 'list' | 'signup'

let mePromise: Promise<User | null> | undefined

/** The signed-in user (null when anonymous, or when the server cannot say), fetched once per page load. */
export function currentUser(): Promise<User | null> {
  mePromise ??= call(api.auth.me.$get()).then(
    ({ user }) => user,
    () => null,
  )
  return mePromise
}

/** Where the sign-in form lives, remembering the page to come back to. */
export function signInHref(next = location.pathname + location.search): string {
  return next && next !== '/admin' ? `/admin?next=${encodeURIComponent(next)}` : '/admin'
}

export async function signOut(): Promise<void> {
  try {
    await call(api.auth.logout.$post())
  } catch {
    // Signing out of a session that is already gone is still signed out.
  }
  location.assign('/')
}

function navLink(href: string, label: string, current: boolean) {
  return h('a', { href, 'aria-current': current ? 'page' : null }, label)
}

function renderUser(slot: HTMLElement, user: User | null) {
  if (!user) {
    // The admin pages show the sign-in form themselves.
    const onSignIn = location.pathname === '/admin' || location.pathname.startsWith('/admin/')
    mount(slot, onSignIn ? null : h('a', { class: 'btn btn-sm btn-primary', href: signInHref() }, 'Sign in'))
    return
  }
  mount(
    slot,
    h(
      'a',
      {
        class: 'user-chip',
        href: '/admin/account',
        title: `Signed in as ${user.username} (${user.role}): your account`,
      },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, user.username.slice(0, 1).toUpperCase()),
      h('strong', null, user.username),
      h('span', { class: 'badge badge-muted user-role' }, user.role),
    ),
    h('button', { type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => void signOut() }, 'Sign out'),
  )
}

/**
 * Builds the page frame and returns the `<main>` element to render into. The header fills in
 * the user once `/api/auth/me` answers; pages that need the user await `currentUser()`.
 */
export function initShell(section: Section, opts: { mainClass?: string } = {}): HTMLElement {
  const nav = h('nav', { class: 'site-nav', 'aria-label': 'Main' })
  const userSlot = h('div', { class: 'site-user' })
  const header = h(
    'header',
    { class: 'site-header' },
    h(
      'div',
      { class: 'site-header-inner' },
      h(
        'a',
        { class: 'brand', href: '/', 'aria-label': 'anime-die-heart, home' },
        brandMark(),
        h('span', { class: 'brand-text' }, 'anime', h('span', { class: 'brand-accent' }, '·die·'), 'heart'),
      ),
      nav,
      userSlot,
    ),
  )
  const renderNav = (user: User | null) =>
    mount(
      nav,
      navLink('/', 'Catalog', section === 'catalog'),
      user && navLink('/list', 'My list', section === 'list'),
      // Viewers upload nothing; their account page is behind their name in the header.
      user && user.role !== 'viewer' && navLink('/upload', 'Upload', section === 'upload'),
      user && user.role !== 'viewer' && navLink('/admin', 'Admin', section === 'admin'),
    )
  renderNav(null)

  const existing = document.getElementById('app')
  const main = existing instanceof HTMLElement ? existing : h('main', { id: 'app' })
  main.id = 'app'
  main.tabIndex = -1
  if (opts.mainClass) main.classList.add(opts.mainClass)
  const footer = h(
    'footer',
    { class: 'site-footer' },
    h(
      'div',
      { class: 'site-footer-inner' },
      h('span', null, 'anime-die-heart · self-hosted video catalog'),
      h('span', null, h('a', { href: '/api/docs' }, 'API reference')),
    ),
  )
  document.body.replaceChildren(
    h('a', { class: 'skip-link', href: '#app' }, 'Skip to content'),
    header,
    main,
    footer,
  )

  currentUser().then(
    (user) => {
      renderNav(user)
      renderUser(userSlot, user)
    },
    () => renderUser(userSlot, null),
  )
  window.addEventListener('unhandledrejection', (e) => {
    // A last resort: anything a page forgot to handle still reaches the person as a message.
    toast(e.reason instanceof Error ? e.reason.message : String(e.reason), 'error')
  })
  return main
}
