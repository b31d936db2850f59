/**
 * The staff desk's dialogs are shown while a flag is set and unmounted when it clears, so antd's
 * Modal never runs its own "focus back to the trigger" (WCAG 2.4.3): after Esc or 取消 focus fell
 * to the page's start. A dialog calling this gives focus back to what had it when it opened.
 */
import { useEffect } from 'react';

export function useReturnFocus(): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      // After the dialog has gone (antd moves focus while it closes).
      window.setTimeout(() => {
        if (opener?.isConnected) opener.focus();
      }, 0);
    };
  }, []);
}
