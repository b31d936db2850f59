/**
 * antd-mobile 5 renders its imperative pop-ups (Dialog.confirm, Toast.show) through
 * ReactDOM.render, which React 19 no longer has: without this, those calls show nothing and
 * `await Dialog.confirm()` never returns (the resident's SOS and every confirm-first action
 * did nothing). Each container gets a React 19 root of its own.
 */
import { unstableSetRender } from 'antd-mobile';
import { createRoot } from 'react-dom/client';
import type { Root } from 'react-dom/client';

const roots = new WeakMap<Element | DocumentFragment, Root>();

unstableSetRender((node, container) => {
  let root = roots.get(container);
  if (!root) {
    root = createRoot(container);
    roots.set(container, root);
  }
  root.render(node);
  return async () => {
    // Let the closing animation's last render finish before the root goes.
    await new Promise((resolve) => setTimeout(resolve, 0));
    root.unmount();
    roots.delete(container);
  };
});
