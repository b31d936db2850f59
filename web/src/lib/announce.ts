/**
 * Live regions for screen readers: one polite (role=status) and one assertive (role=alert), made
 * once at start directly under <body>, outside the app and outside any aria-hidden pop-up (antd-mobile
 * draws its toasts inside an aria-hidden mask, so a toast alone is never heard).
 */
const regions = new Map<'status' | 'alert', HTMLElement>();

function region(kind: 'status' | 'alert'): HTMLElement {
  let el = regions.get(kind);
  if (el?.isConnected) return el;
  el = document.createElement('div');
  el.className = 'sr-only';
  el.setAttribute('role', kind);
  el.setAttribute('aria-live', kind === 'alert' ? 'assertive' : 'polite');
  el.setAttribute('aria-atomic', 'true');
  el.dataset.announcer = kind;
  document.body.appendChild(el);
  regions.set(kind, el);
  return el;
}

/** Makes both live regions now: a region must be in the page before what it says changes. */
export function prepareAnnouncer(): void {
  region('status');
  region('alert');
}

/** Says `text` to screen readers: politely, or at once for an error (`alert`). */
export function announce(text: string, kind: 'status' | 'alert' = 'status'): void {
  const el = region(kind);
  // Emptied first so that the same words said twice in a row are heard twice.
  el.textContent = '';
  window.setTimeout(() => {
    el.textContent = text;
  }, 100);
}
