// A tiny element builder: text always goes in as text nodes (never innerHTML), and styles only through
// the CSSOM (el.style), which the Content-Security-Policy allows (a style="" attribute it would block).
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A bar's fill width in per cent of its track, capped to the track. */
export function setWidth(el: HTMLElement, pct: number): void {
  el.style.width = `${Math.max(0, Math.min(100, pct))}%`;
}

export function setLeft(el: HTMLElement, pct: number): void {
  el.style.left = `${Math.max(0, Math.min(100, pct))}%`;
}
