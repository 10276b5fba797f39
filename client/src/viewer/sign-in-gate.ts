/**
 * A page whose data needs an account (a private catalog, My list) sends the visitor to sign in,
 * remembering the page so they come straight back.
 * @module
 */
import { ApiError } from '../api.ts'
import { stateBlock } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { signInHref } from '../ui/shell.ts'

/** The server said who is asking matters: nobody is signed in (or the session ended). */
export const needsSignIn = (err: unknown) => err instanceof ApiError && err.status === 401

/**
 * Shows "Sign in to continue" in `main` and goes to the sign-in page, which brings the visitor
 * back here afterwards. The state stays if the navigation is slow or blocked.
 */
export function sendToSignIn(main: HTMLElement, text = 'This server is private: sign in to watch.'): void {
  const href = signInHref()
  mount(
    main,
    stateBlock({
      icon: 'lock',
      title: 'Sign in to continue',
      headingLevel: 1,
      text,
      actions: [h('a', { class: 'btn btn-primary', href }, 'Sign in')],
    }),
  )
  location.replace(href)
}
