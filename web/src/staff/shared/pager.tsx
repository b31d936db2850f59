/**
 * Table pagination whose arrow buttons are named in words: antd draws them as a button holding an
 * icon, so a screen reader announced "left" and "right" (the locale's 上一页 goes on the list item's
 * title, which names nothing).
 */
import { cloneElement, isValidElement, useCallback } from 'react';
import type { ReactElement } from 'react';
import type { TablePaginationConfig } from 'antd';
import { useSettings } from '../../lib/settings.tsx';
import type { MessageKey } from '../../lib/i18n.ts';

const NAMES: Partial<Record<string, MessageKey>> = { prev: 'prevPage', next: 'nextPage' };

/** Answers a function that completes a table's pagination settings with named arrows. */
export function usePager(): (config?: TablePaginationConfig) => TablePaginationConfig {
  const { t } = useSettings();
  return useCallback(
    (config = {}) => ({
      ...config,
      itemRender: (page, type, element) => {
        const own = config.itemRender ? config.itemRender(page, type, element) : element;
        const name = NAMES[type];
        if (!name || !isValidElement(own)) return own;
        return cloneElement(own as ReactElement<{ 'aria-label'?: string }>, { 'aria-label': t(name) });
      },
    }),
    [t],
  );
}
