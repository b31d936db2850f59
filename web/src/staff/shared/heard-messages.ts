/**
 * antd's messages (message.success and the rest) are drawn without a live region, so a screen
 * reader never hears "已保存" or an error. Each message that appears is said again through the
 * page's live regions (web/src/lib/announce.ts): errors and warnings as alerts, the rest politely.
 */
import { useEffect } from 'react';
import { announce } from '../../lib/announce.ts';

export function useHeardMessages(): void {
  useEffect(() => {
    const said = new WeakSet<Element>();
    const mo = new MutationObserver(() => {
      document.querySelectorAll('.ant-message-notice .ant-message-custom-content').forEach((el) => {
        const text = el.textContent?.trim();
        if (!text || said.has(el)) return;
        said.add(el);
        const urgent = el.matches('.ant-message-error, .ant-message-warning');
        announce(text, urgent ? 'alert' : 'status');
      });
    });
    mo.observe(document.body, { childList: true, subtree: true });
    return () => mo.disconnect();
  }, []);
}
