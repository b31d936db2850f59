/**
 * Form errors tied to their fields (WCAG 1.3.1, 3.3.1, 4.1.2): antd-mobile's Form.Item draws an
 * error as text under the field and no more. Here the field gets aria-invalid and an
 * aria-describedby naming the error, and a new error is said through the alert live region.
 * An error shown outside a Form.Item names its field with `data-error-for` (the field's id).
 */
import { announce } from '../lib/announce.ts';

const CONTROL =
  'input:not([type="hidden"]):not([type="radio"]):not([type="checkbox"]), textarea, [role="radiogroup"]';
let serial = 0;

function link(control: HTMLElement, errors: HTMLElement[], say: boolean): void {
  const ours = (control.dataset.errorIds ?? '').split(' ').filter(Boolean);
  const others = (control.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter((id) => id && !ours.includes(id));
  const ids = errors.map((e) => {
    if (!e.id) e.id = `field-error-${++serial}`;
    return e.id;
  });
  const describedBy = [...others, ...ids].join(' ');
  if (describedBy) control.setAttribute('aria-describedby', describedBy);
  else control.removeAttribute('aria-describedby');
  if (ids.length) {
    control.setAttribute('aria-invalid', 'true');
    control.dataset.errorIds = ids.join(' ');
  } else {
    control.removeAttribute('aria-invalid');
    delete control.dataset.errorIds;
  }
  const text = errors.map((e) => e.textContent ?? '').join(' ');
  if (say && text && text !== control.dataset.errorText) announce(text, 'alert');
  if (text) control.dataset.errorText = text;
  else delete control.dataset.errorText;
}

/** Marks every field of the page that shows an error, and unmarks those that no longer do. */
export function linkFormErrors(root: ParentNode = document): void {
  // Errors outside a Form.Item are their own alerts (role="alert"): linked, not said again.
  const named = new Map<string, HTMLElement[]>();
  root.querySelectorAll<HTMLElement>('[data-error-for]').forEach((e) => {
    const id = e.dataset.errorFor ?? '';
    named.set(id, [...(named.get(id) ?? []), e]);
  });
  root.querySelectorAll<HTMLElement>('.adm-form-item').forEach((item) => {
    const control = item.querySelector<HTMLElement>(`.adm-form-item-child :is(${CONTROL})`);
    if (!control || named.has(control.id)) return;
    link(control, [...item.querySelectorAll<HTMLElement>('.adm-form-item-feedback-error')], true);
  });
  root.querySelectorAll<HTMLElement>('[data-error-ids]').forEach((control) => {
    if (!control.closest('.adm-form-item') && !named.has(control.id)) link(control, [], false);
  });
  for (const [id, errors] of named) {
    const control = document.getElementById(id);
    if (control) link(control, errors, false);
  }
}

/** Keeps the page's fields linked to their errors as they come and go; answers the undo. */
export function watchFormErrors(): () => void {
  const mo = new MutationObserver(() => linkFormErrors());
  mo.observe(document.body, { childList: true, subtree: true, characterData: true });
  linkFormErrors();
  return () => mo.disconnect();
}

/**
 * Moves focus to the first field marked invalid inside `within` (the page's main by default),
 * once the errors are drawn: for a submit that failed.
 */
export function focusFirstInvalid(within: ParentNode | null = document.querySelector('main')): void {
  let frames = 0;
  const look = () => {
    linkFormErrors();
    const first = (within ?? document).querySelector<HTMLElement>('[aria-invalid="true"]');
    if (first) {
      const target =
        first.getAttribute('role') === 'radiogroup'
          ? (first.querySelector<HTMLElement>('input:checked') ?? first.querySelector<HTMLElement>('input'))
          : first;
      target?.focus();
    } else if (++frames < 10) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
