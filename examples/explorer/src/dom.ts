/**
 * The few DOM helpers the explorer needs.
 *
 * @example
 * $("keys").append(element("tr", { className: "row" }, [element("td", { textContent: "a" })]));
 */

/** The element with this id (it exists: the page is static). */
export function $(id: string): HTMLElement {
  return document.getElementById(id)!;
}

/** A new element with properties and children. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Pick<HTMLElement, "className" | "textContent">>,
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className !== undefined) el.className = props.className;
  if (props.textContent !== undefined) el.textContent = props.textContent;
  el.append(...children);
  return el;
}

/** Removes every child. */
export function clear(el: HTMLElement): void {
  el.replaceChildren();
}

/** Shows a status text, styled "ok" or "error". */
export function setStatus(el: HTMLElement, text: string, kind: "ok" | "error" | undefined): void {
  el.textContent = text;
  el.className = kind === undefined ? "status" : `status ${kind}`;
}
