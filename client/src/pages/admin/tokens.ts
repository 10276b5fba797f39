/** Admin: the caller's API tokens, for scripts and the Postman collection. Shown once at creation. @module */
import { type ApiToken, api, call, errorMessage, type User } from '../../api.ts'
import { actionsCell, dataTable, retryNotice, stateBlock } from '../../ui/blocks.ts'
import { confirmDialog } from '../../ui/dialog.ts'
import { h, mount } from '../../ui/dom.ts'
import { formatAgo, formatDate } from '../../ui/format.ts'
import { icon } from '../../ui/icons.ts'
import { toast } from '../../ui/toast.ts'

export async function renderTokens(body: HTMLElement, _user: User): Promise<void> {
  const { tbody, wrap } = dataTable('admin-tokens', 'Your API tokens', [
    'Name',
    'Token',
    'Created',
    'Last used',
  ])
  const status = h('div')
  const created = h('div', { 'aria-live': 'polite' })
  const name = h('input', {
    type: 'text',
    id: 'token-name',
    'aria-describedby': 'token-hint',
    placeholder: 'e.g. backup script',
    maxlength: 100,
    required: true,
  })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('key'), 'Create token')

  mount(
    body,
    h(
      'div',
      { class: 'section-gap' },
      h(
        'form',
        {
          class: 'panel panel-pad',
          onsubmit: async (e: SubmitEvent) => {
            e.preventDefault()
            submit.disabled = true
            try {
              const token = await call(api.auth.tokens.$post({ json: { name: name.value.trim() } }))
              name.value = ''
              showCreated(token.name, token.token)
              tbody.prepend(row(token))
              wrap.hidden = false
              mount(status)
            } catch (err) {
              toast(errorMessage(err), 'error')
            } finally {
              submit.disabled = false
            }
          },
        },
        h(
          'div',
          { class: 'inline-form' },
          h('div', { class: 'field' }, h('label', { for: 'token-name' }, 'New token'), name),
          submit,
        ),
        h(
          'p',
          { class: 'hint', id: 'token-hint' },
          'Scripts send it as “Authorization: Bearer <token>”. It can do what you can.',
        ),
        created,
      ),
      wrap,
      status,
    ),
  )

  function showCreated(label: string, secret: string) {
    const code = h('code', { id: 'new-token-value' }, secret)
    mount(
      created,
      h(
        'div',
        { class: 'notice notice-ok', style: 'margin-top: 16px; display: block' },
        h('strong', null, `Token “${label}” created. Copy it now: it is not shown again.`),
        h(
          'div',
          { class: 'secret' },
          code,
          h(
            'button',
            {
              type: 'button',
              class: 'btn',
              onclick: async () => {
                try {
                  await navigator.clipboard.writeText(secret)
                  toast('Copied to the clipboard.', 'ok')
                } catch {
                  getSelection()?.selectAllChildren(code)
                  toast('Select the token and copy it with Ctrl+C.')
                }
              },
            },
            icon('copy'),
            'Copy',
          ),
        ),
      ),
    )
  }

  function row(token: ApiToken): HTMLTableRowElement {
    const tr = h(
      'tr',
      { 'data-token-id': token.id },
      h('td', { class: 'wide' }, h('strong', null, token.name)),
      h('td', { 'data-label': 'Token' }, h('code', null, `${token.prefix}…`)),
      h('td', { 'data-label': 'Created', class: 'num' }, formatDate(token.createdAt)),
      h(
        'td',
        { 'data-label': 'Last used', class: 'num' },
        token.lastUsedAt ? formatAgo(token.lastUsedAt) : 'never',
      ),
      actionsCell([
        {
          label: 'Revoke',
          icon: 'trash',
          quiet: true,
          ariaLabel: `Revoke ${token.name}`,
          onClick: () => void revoke(token, tr),
        },
      ]),
    )
    return tr
  }

  async function revoke(token: ApiToken, tr: HTMLTableRowElement) {
    const ok = await confirmDialog({
      title: `Revoke “${token.name}”?`,
      body: h('p', null, 'Scripts using it stop working at once. This cannot be undone.'),
      confirmLabel: 'Revoke token',
      danger: true,
    })
    if (!ok) return
    try {
      await call(api.auth.tokens[':tokenId'].$delete({ param: { tokenId: token.id } }))
      tr.remove()
      if (!tbody.children.length) none()
      toast(`Revoked “${token.name}”.`, 'ok')
    } catch (err) {
      toast(errorMessage(err), 'error')
    }
  }

  function none() {
    wrap.hidden = true
    mount(
      status,
      stateBlock({
        icon: 'key',
        title: 'No API tokens',
        text: 'Create one for scripts that upload or manage movies without a browser.',
      }),
    )
  }

  async function load() {
    try {
      const { items: tokens } = await call(api.auth.tokens.$get())
      tbody.replaceChildren(...tokens.map(row))
      mount(status)
      if (!tokens.length) none()
    } catch (err) {
      mount(
        status,
        retryNotice(`Tokens could not be loaded: ${errorMessage(err)}`, () => void load()),
      )
    }
  }
  await load()
}
