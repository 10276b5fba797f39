/**
 * A tiny DOM builder: enough to write pages as plain functions without a framework.
 * @module
 */

export type Child = Node | string | number | null | undefined | false | Child[]
type AttrValue = string | number | boolean | null | undefined | ((event: never) => void)
export type Attrs = Record<string, AttrValue>

// Set as properties, not attributes: the attribute only holds the initial value.
const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'indeterminate'])

/**
 * Creates an element. `onX` keys add listeners; `true` sets an empty attribute; `false`,
 * `null` and `undefined` leave it out.
 * @example h('button', { type: 'button', class: 'btn', onclick: () => go() }, 'Retry')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener)
    } else if (PROPS.has(key)) {
      ;(el as unknown as Record<string, unknown>)[key] = value
    } else if (key === 'style') {
      // Through the CSSOM: the pages' Content-Security-Policy refuses style attributes.
      el.style.cssText = String(value)
    } else {
      el.setAttribute(key, value === true ? '' : String(value))
    }
  }
  append(el, children)
  return el
}

/** Appends children, flattening arrays and skipping empty values. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

/** Replaces everything inside `parent`. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

export function $<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T {
  const el = root.querySelector<T>(selector)
  if (!el) throw new Error(`No element matches ${selector}`)
  return el
}

/** Calls `fn` once calls have stopped for `ms`. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}
