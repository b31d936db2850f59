/**
 * The phone apps' toasts and dialogs, usable with a screen reader and a keyboard (WCAG 2.1.2,
 * 2.4.3, 4.1.3): antd-mobile's Toast is drawn inside an aria-hidden mask, and its Dialog neither
 * takes focus nor keeps it, closes on Esc or gives focus back. Every toast and dialog of the
 * resident and field apps goes through here.
 */
import type { ReactNode } from 'react';
import { Dialog, Toast } from 'antd-mobile';
import { announce } from '../lib/announce.ts';

/**
 * Shows a short message and says it through a live region: `success` and `info` politely,
 * `error` as an alert.
 */
export function toast(content: string, kind: 'success' | 'info' | 'error' = 'info', duration?: number): void {
  Toast.show({
    content,
    ...(kind === 'success' ? { icon: 'success' } : {}),
    ...(duration ? { duration } : {}),
  });
  announce(content, kind === 'error' ? 'alert' : 'status');
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

let opened = 0;

interface Choice {
  key: string;
  text: string;
  bold?: boolean;
  danger?: boolean;
}

interface Body {
  /** What the dialog asks or says; named by `title`, else by itself (a string). */
  content: ReactNode;
  title?: string;
}

/**
 * A modal dialog answering the key of the action taken, or `dismissKey` on Esc. Focus moves to
 * its first field when it has one, else to the action `focusKey` (the harmless one); Tab and
 * Shift+Tab cycle inside it, the page behind is inert, and focus goes back to what had it when
 * it closes.
 */
function modal(body: Body, choices: Choice[], focusKey: string, dismissKey: string): Promise<string> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const root = document.getElementById('root');
  const cls = `linli-dialog-${++opened}`;
  return new Promise((resolve) => {
    let done = false;
    const wrap = () =>
      document.querySelector<HTMLElement>(`.${cls}`)?.closest<HTMLElement>('[role="dialog"]');
    const onKey = (e: KeyboardEvent) => {
      const w = wrap();
      if (!w) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        finish(dismissKey);
      } else if (e.key === 'Tab') {
        const all = [...w.querySelectorAll<HTMLElement>(FOCUSABLE)];
        const first = all[0];
        const last = all[all.length - 1];
        if (!first || !last) return;
        const inside = w.contains(document.activeElement);
        if (e.shiftKey && (!inside || document.activeElement === first)) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && (!inside || document.activeElement === last)) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    // Focus that leaves the dialog (a tap behind it, a screen reader's move) is brought back.
    const onFocusIn = (e: FocusEvent) => {
      const w = wrap();
      if (w && e.target instanceof Node && !w.contains(e.target)) {
        w.querySelector<HTMLElement>(FOCUSABLE)?.focus();
      }
    };
    const handler = Dialog.show({
      content: body.content,
      ...(body.title ? { title: body.title } : {}),
      bodyClassName: cls,
      'aria-label': body.title ?? (typeof body.content === 'string' ? body.content : undefined),
      actions: [
        choices.map((c) => ({
          key: c.key,
          text: c.text,
          bold: c.bold,
          danger: c.danger,
          onClick: () => finish(c.key),
        })),
      ],
    });
    function finish(key: string) {
      if (done) return;
      done = true;
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('focusin', onFocusIn);
      root?.removeAttribute('inert');
      handler.close();
      if (opener?.isConnected) opener.focus();
      resolve(key);
    }
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocusIn);
    root?.setAttribute('inert', '');
    // The dialog is rendered in a frame or two: focus its harmless action as soon as it is there.
    const started = performance.now();
    const place = () => {
      if (done) return;
      const w = wrap();
      if (!w) {
        if (performance.now() - started < 2000) requestAnimationFrame(place);
        return;
      }
      w.setAttribute('aria-modal', 'true');
      const field = w.querySelector<HTMLElement>('.adm-dialog-content input, .adm-dialog-content textarea');
      const buttons = [...w.querySelectorAll<HTMLElement>('.adm-dialog-footer button')];
      const index = choices.findIndex((c) => c.key === focusKey);
      (field ?? buttons[index] ?? buttons[0])?.focus();
    };
    requestAnimationFrame(place);
  });
}

/** Asks a yes/no question; answers true for yes. Esc and the cancel action answer false. */
export async function confirmDialog(opts: {
  content: ReactNode;
  title?: string;
  confirmText: string;
  cancelText: string;
  danger?: boolean;
}): Promise<boolean> {
  const key = await modal(
    { content: opts.content, ...(opts.title ? { title: opts.title } : {}) },
    [
      { key: 'cancel', text: opts.cancelText },
      { key: 'confirm', text: opts.confirmText, bold: true, danger: opts.danger ?? false },
    ],
    'cancel',
    'cancel',
  );
  return key === 'confirm';
}
