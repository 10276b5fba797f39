/**
 * Admin: accounts. Create a viewer, uploader or admin, reset a password, deactivate or reactivate,
 * delete. Invite links are the Invites section (invites.ts).
 * @module
 */
import { ApiError, api, call, errorMessage, type Role, type User } from '../../api.ts'
import { actionsCell, dataTable, retryNotice } from '../../ui/blocks.ts'
import { confirmDialog, formDialog } from '../../ui/dialog.ts'
import { h, mount } from '../../ui/dom.ts'
import { formatDate } from '../../ui/format.ts'
import { icon } from '../../ui/icons.ts'
import { toast } from '../../ui/toast.ts'

/** 18 characters from an alphabet without look-alikes (no 0/O, 1/l/I). */
export function generatePassword(length = 18): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}

/** A password input with "Generate" beside it; a generated password is shown so it can be passed on. */
export function passwordField(id: string, label: string, hint: string) {
  const input = h('input', {
    type: 'password',
    id,
    name: id,
    autocomplete: 'new-password',
    minlength: 8,
    required: true,
  })
  const error = h('span', { class: 'error-text', id: `${id}-error` })
  const field = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'div',
      { class: 'secret', style: 'margin-top: 0' },
      input,
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          onclick: () => {
            input.type = 'text'
            input.value = generatePassword()
            input.select()
          },
        },
        'Generate',
      ),
    ),
    h('span', { class: 'hint' }, hint),
    error,
  )
  return { field, input, error }
}

function showFieldError(err: unknown, field: string, input: HTMLInputElement, slot: HTMLElement) {
  const msg = err instanceof ApiError ? err.fieldError(field) : undefined
  slot.textContent = msg ?? ''
  if (msg) {
    input.setAttribute('aria-invalid', 'true')
    input.setAttribute('aria-describedby', slot.id)
  } else input.removeAttribute('aria-invalid')
}

export async function renderUsers(body: HTMLElement, me: User): Promise<void> {
  const { tbody, wrap } = dataTable('admin-users', 'Accounts', ['Username', 'Role', 'Status', 'Created'])
  const status = h('div')

  mount(
    body,
    h(
      'div',
      { class: 'filters' },
      h(
        'p',
        { class: 'muted', style: 'flex: 1' },
        'Viewers watch and keep a list; uploaders also manage their own movies; admins manage everything.',
      ),
      h(
        'button',
        { type: 'button', class: 'btn btn-primary', onclick: () => void create() },
        icon('user'),
        'New account',
      ),
    ),
    wrap,
    status,
  )

  function row(user: User): HTMLTableRowElement {
    const self = user.id === me.id
    return h(
      'tr',
      { 'data-user-id': user.id, 'data-username': user.username },
      h(
        'td',
        { class: 'wide' },
        h('strong', null, user.username),
        self ? h('span', { class: 'muted' }, ' (you)') : null,
      ),
      h('td', { 'data-label': 'Role' }, h('span', { class: `badge badge-${user.role}` }, user.role)),
      h(
        'td',
        { 'data-label': 'Status' },
        user.active
          ? h('span', { class: 'badge badge-ready' }, 'Active')
          : h('span', { class: 'badge badge-inactive' }, 'Deactivated'),
      ),
      h('td', { 'data-label': 'Created', class: 'num' }, formatDate(user.createdAt)),
      actionsCell([
        {
          label: 'Reset password',
          icon: 'lock',
          ariaLabel: `Reset password of ${user.username}`,
          onClick: () => void resetPassword(user),
        },
        self
          ? null
          : {
              label: user.active ? 'Deactivate' : 'Reactivate',
              quiet: true,
              ariaLabel: `${user.active ? 'Deactivate' : 'Reactivate'} ${user.username}`,
              onClick: () => void setActive(user, !user.active),
            },
        self
          ? null
          : {
              label: 'Delete',
              icon: 'trash',
              quiet: true,
              ariaLabel: `Delete ${user.username}`,
              onClick: () => void remove(user),
            },
      ]),
    )
  }

  async function load() {
    try {
      const { items: users } = await call(api.users.$get())
      tbody.replaceChildren(...users.map(row))
      mount(status)
    } catch (err) {
      mount(
        status,
        retryNotice(`Accounts could not be loaded: ${errorMessage(err)}`, () => void load()),
      )
    }
  }

  async function create() {
    const username = h('input', {
      type: 'text',
      id: 'new-username',
      autocomplete: 'off',
      autocapitalize: 'none',
      spellcheck: false,
      required: true,
      pattern: '[A-Za-z0-9@.+_\\-]{3,150}',
    })
    const usernameError = h('span', { class: 'error-text', id: 'new-username-error' })
    const pw = passwordField('new-password', 'Password', 'At least 8 characters. Pass it on privately.')
    const role = h(
      'select',
      { id: 'new-role' },
      h('option', { value: 'viewer' }, 'Viewer: watches, keeps a list'),
      h('option', { value: 'uploader', selected: true }, 'Uploader: uploads and manages own movies'),
      h('option', { value: 'admin' }, 'Admin: manages everything'),
    )
    await formDialog({
      title: 'New account',
      submitLabel: 'Create account',
      fields: [
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'new-username' }, 'Username'),
          username,
          h('span', { class: 'hint' }, '3–150 letters, digits or @ . + _ -'),
          usernameError,
        ),
        pw.field,
        h('div', { class: 'field' }, h('label', { for: 'new-role' }, 'Role'), role),
      ],
      onSubmit: async () => {
        try {
          const user = await call(
            api.users.$post({
              json: { username: username.value.trim(), password: pw.input.value, role: role.value as Role },
            }),
          )
          tbody.append(row(user))
          toast(`Created ${user.role} “${user.username}”.`, 'ok')
        } catch (err) {
          showFieldError(err, 'username', username, usernameError)
          showFieldError(err, 'password', pw.input, pw.error)
          throw err
        }
      },
    })
  }

  async function resetPassword(user: User) {
    const pw = passwordField(
      'reset-password',
      'New password',
      'Their other sessions stay signed in until they expire.',
    )
    await formDialog({
      title: `Reset password of “${user.username}”`,
      submitLabel: 'Set password',
      fields: pw.field,
      onSubmit: async () => {
        try {
          await call(api.users[':id'].$patch({ param: { id: user.id }, json: { password: pw.input.value } }))
          toast(`New password set for “${user.username}”.`, 'ok')
        } catch (err) {
          showFieldError(err, 'password', pw.input, pw.error)
          throw err
        }
      },
    })
  }

  async function remove(user: User) {
    const ok = await confirmDialog({
      title: `Delete “${user.username}”?`,
      body: h(
        'p',
        null,
        'The account is gone for good: its sign-ins, API tokens, watch list and watch history are deleted. Movies and series it uploaded stay, without an owner. To only stop someone signing in, deactivate instead.',
      ),
      confirmLabel: 'Delete account',
      danger: true,
    })
    if (!ok) return
    try {
      await call(api.users[':id'].$delete({ param: { id: user.id } }))
      tbody.querySelector(`tr[data-user-id="${CSS.escape(user.id)}"]`)?.remove()
      toast(`Deleted “${user.username}”.`, 'ok')
    } catch (err) {
      toast(errorMessage(err), 'error')
    }
  }

  async function setActive(user: User, active: boolean) {
    if (!active) {
      const ok = await confirmDialog({
        title: `Deactivate “${user.username}”?`,
        body: h(
          'p',
          null,
          'They can no longer sign in or use their API tokens. Their movies stay. You can reactivate the account later.',
        ),
        confirmLabel: 'Deactivate',
        danger: true,
      })
      if (!ok) return
    }
    try {
      const updated = await call(api.users[':id'].$patch({ param: { id: user.id }, json: { active } }))
      tbody.querySelector(`tr[data-user-id="${CSS.escape(user.id)}"]`)?.replaceWith(row(updated))
      toast(`“${updated.username}” is ${updated.active ? 'active again' : 'deactivated'}.`, 'ok')
    } catch (err) {
      toast(errorMessage(err), 'error')
    }
  }

  await load()
}
