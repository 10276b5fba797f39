/**
 * Admin: invite links. Make one (the role it gives and how long it lasts), copy its link (shown
 * once: the server keeps only a hash), see the pending ones and revoke them. Says so when the
 * server's SIGNUP setting makes invites pointless.
 * @module
 */
import { api, call, errorMessage, type Invite, type NewInvite, type SignupInfo } from '../../api.ts'
import { actionsCell, dataTable, retryNotice, stateBlock } from '../../ui/blocks.ts'
import { confirmDialog } from '../../ui/dialog.ts'
import { h, mount } from '../../ui/dom.ts'
import { formatAgo, formatDateTime } from '../../ui/format.ts'
import { icon } from '../../ui/icons.ts'
import { toast } from '../../ui/toast.ts'

const EXPIRY: [hours: number, label: string][] = [
  [24, '1 day'],
  [72, '3 days'],
  [168, '1 week'],
  [720, '30 days'],
]

/** Copies text; falls back to selecting it where the clipboard API is refused (plain http). */
export async function copyText(text: string, selectable: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    const range = document.createRange()
    range.selectNodeContents(selectable)
    getSelection()?.removeAllRanges()
    getSelection()?.addRange(range)
    return false
  }
}

function modeNotice(info: SignupInfo | null): HTMLElement | null {
  if (!info || info.signup === 'invite') return null
  return info.signup === 'closed'
    ? h(
        'div',
        { class: 'notice notice-warn', role: 'status' },
        icon('lock'),
        h(
          'span',
          null,
          'Sign-up is closed on this server (SIGNUP=closed), so invite links cannot be used. Set SIGNUP=invite to use them, or create accounts in Users.',
        ),
      )
    : h(
        'div',
        { class: 'notice', role: 'status' },
        icon('user'),
        h(
          'span',
          null,
          'Sign-up is open (SIGNUP=open): anyone can create a viewer account at /signup. Invites still hand out uploader accounts.',
        ),
      )
}

export async function renderInvites(body: HTMLElement): Promise<void> {
  const role = h(
    'select',
    { id: 'invite-role', name: 'role' },
    h('option', { value: 'viewer', selected: true }, 'Viewer'),
    h('option', { value: 'uploader' }, 'Uploader'),
  )
  const expiry = h(
    'select',
    { id: 'invite-expiry', name: 'expiry' },
    EXPIRY.map(([hours, label]) => h('option', { value: String(hours), selected: hours === 168 }, label)),
  )
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('link'), 'Create invite link')
  const created = h('div', { 'aria-live': 'polite' })
  const notice = h('div')
  const { tbody, wrap } = dataTable('admin-invites', 'Pending invites', [
    'Role',
    'Made by',
    'Created',
    'Expires',
  ])
  const status = h('div')

  mount(
    body,
    h(
      'div',
      { class: 'section-gap' },
      notice,
      h(
        'form',
        {
          class: 'panel panel-pad inline-form invite-form',
          'aria-labelledby': 'invite-title',
          onsubmit: (e: SubmitEvent) => {
            e.preventDefault()
            void create()
          },
        },
        h(
          'div',
          { class: 'invite-form-text' },
          h('h2', { id: 'invite-title' }, 'Invite someone'),
          h(
            'p',
            { class: 'muted' },
            'An invite link creates one account. Send it privately: whoever opens it first can use it.',
          ),
        ),
        h('div', { class: 'field' }, h('label', { for: 'invite-role' }, 'They join as'), role),
        h('div', { class: 'field' }, h('label', { for: 'invite-expiry' }, 'Link works for'), expiry),
        submit,
      ),
      created,
      h('h2', { class: 'section-title' }, 'Pending invites'),
      wrap,
      status,
    ),
  )

  function row(invite: Invite): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-invite-id': invite.id },
      h('td', { 'data-label': 'Role' }, h('span', { class: `badge badge-${invite.role}` }, invite.role)),
      h(
        'td',
        { 'data-label': 'Made by' },
        invite.createdBy?.username ?? h('span', { class: 'muted' }, 'deleted user'),
      ),
      h('td', { 'data-label': 'Created', class: 'num' }, formatAgo(invite.createdAt)),
      h(
        'td',
        { 'data-label': 'Expires', class: 'num', title: formatDateTime(invite.expiresAt) },
        formatDateTime(invite.expiresAt),
      ),
      actionsCell([
        {
          label: 'Revoke',
          icon: 'trash',
          quiet: true,
          ariaLabel: `Revoke the ${invite.role} invite made ${formatAgo(invite.createdAt)}`,
          onClick: () => void revoke(invite),
        },
      ]),
    )
  }

  function showEmpty(empty: boolean) {
    wrap.hidden = empty
    mount(
      status,
      empty
        ? stateBlock({
            icon: 'link',
            title: 'No pending invites',
            text: 'Invites that are used or expired leave this list by themselves.',
          })
        : null,
    )
  }

  async function load() {
    try {
      const [{ items }, info] = await Promise.all([
        call(api.invites.$get()),
        call(api.auth.signup.$get({ query: {} })).catch(() => null),
      ])
      mount(notice, modeNotice(info))
      submit.disabled = info?.signup === 'closed'
      tbody.replaceChildren(...items.map(row))
      showEmpty(items.length === 0)
    } catch (err) {
      mount(
        status,
        retryNotice(`Invites could not be loaded: ${errorMessage(err)}`, () => void load()),
      )
    }
  }

  function showCreated(invite: NewInvite) {
    const link = new URL(invite.path, location.origin).href
    const code = h('code', { id: 'invite-link' }, link)
    const copy = h(
      'button',
      {
        type: 'button',
        class: 'btn',
        onclick: async () => {
          const copied = await copyText(link, code)
          toast(
            copied ? 'Link copied.' : 'Copying was refused: the link is selected, copy it yourself.',
            copied ? 'ok' : 'info',
          )
          if (copied) mount(copy, icon('check'), 'Copied')
        },
      },
      icon('copy'),
      'Copy link',
    )
    mount(
      created,
      h(
        'div',
        { class: 'notice notice-ok invite-created' },
        h(
          'div',
          { class: 'invite-created-text' },
          h('strong', null, `Invite link for a new ${invite.role}`),
          h(
            'span',
            null,
            `Copy it now: it is shown only once. It works until ${formatDateTime(invite.expiresAt)}.`,
          ),
          h('div', { class: 'secret' }, code, copy),
        ),
      ),
    )
    copy.focus()
  }

  async function create() {
    submit.disabled = true
    try {
      const invite = await call(
        api.invites.$post({
          json: { role: role.value as Invite['role'], expiresInHours: Number(expiry.value) },
        }),
      )
      showCreated(invite)
      tbody.prepend(row(invite))
      showEmpty(false)
    } catch (err) {
      toast(`No invite made: ${errorMessage(err)}`, 'error')
    } finally {
      submit.disabled = false
    }
  }

  async function revoke(invite: Invite) {
    const ok = await confirmDialog({
      title: 'Revoke this invite?',
      body: h(
        'p',
        null,
        `The ${invite.role} invite link made ${formatAgo(invite.createdAt)} stops working at once.`,
      ),
      confirmLabel: 'Revoke invite',
      danger: true,
    })
    if (!ok) return
    try {
      await call(api.invites[':id'].$delete({ param: { id: invite.id } }))
      tbody.querySelector(`tr[data-invite-id="${CSS.escape(invite.id)}"]`)?.remove()
      showEmpty(tbody.childElementCount === 0)
      toast('Invite revoked.', 'ok')
    } catch (err) {
      toast(errorMessage(err), 'error')
    }
  }

  await load()
}
