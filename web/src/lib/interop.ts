/**
 * Locale files of antd and antd-mobile are typed as CommonJS modules (a namespace with
 * `default`), while the bundler hands over the object itself. This answers the object either way.
 */
export function defaultExport<T>(m: unknown, marker: string): T {
  const inner: unknown = typeof m === 'object' && m !== null && 'default' in m ? m.default : undefined;
  return (typeof inner === 'object' && inner !== null && marker in inner ? inner : m) as T;
}
