/**
 * antd's Select for a required Form.Item. Form.Item hands `aria-required` to its control, and
 * Select puts it on its wrapper <div> as well as on the combobox: not allowed on a <div> (axe:
 * aria-allowed-attr, critical). This keeps it on the combobox alone.
 */
import { useLayoutEffect, useRef } from 'react';
import { Select } from 'antd';
import type { RefSelectProps, SelectProps } from 'antd';

type Props = SelectProps & { 'aria-required'?: boolean | 'true' | 'false' };

export function FormSelect(props: Props) {
  const { 'aria-required': required, ...rest } = props;
  const ref = useRef<RefSelectProps>(null);
  useLayoutEffect(() => {
    const input = ref.current?.nativeElement?.querySelector('input[role="combobox"]');
    if (!input) return;
    if (required === true || required === 'true') input.setAttribute('aria-required', 'true');
    else input.removeAttribute('aria-required');
  });
  // A ref from Form.Item (React 19 passes it as a prop) is not passed on: this one is Select's.
  return <Select {...rest} ref={ref} />;
}
